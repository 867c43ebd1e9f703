"""Write a config derived from a base config and an overrides file (for example the tests' tiny one).

The overrides file holds only the settings it changes, so the derived config cannot drift from the
base: `python scripts/derive_config.py configs/tiny.overrides.cfg training/tiny.cfg`.
"""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.io.files import write_text_atomic
from persian_ie.training.config import config_overrides, derive_config


@friendly_errors
def main(
    overrides: Path = typer.Argument(..., help="The overrides file (configs/tiny.overrides.cfg)"),
    output: Path = typer.Argument(..., help="Where to write the derived config"),
    base: Path = typer.Option(Path("configs/config.cfg"), help="The base config"),
) -> None:
    config = derive_config(base, overrides)
    write_text_atomic(output, config.to_str())
    msg.good(f"{base} with {len(config_overrides(overrides))} settings of {overrides} -> {output}")


if __name__ == "__main__":
    typer.run(main)
