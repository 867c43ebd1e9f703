"""Build an installable pipeline package (sdist) that bundles the project's code."""

import subprocess
import sys
from pathlib import Path

import typer
from spacy.cli.package import package

from persian_ie.cli import friendly_errors, msg
from persian_ie.errors import PersianIEError
from persian_ie.packaging.package import drop_own_requirement, stage_pipeline

ROOT = Path(__file__).resolve().parent.parent


@friendly_errors
def main(
    model: Path = typer.Argument(..., help="The trained pipeline (training/model-final)"),
    output_dir: Path = typer.Argument(..., help="Where the package folder and its sdist go"),
    name: str = typer.Option("persian_news_ie", help="Package name (fa_ is prefixed)"),
    version: str = typer.Option("0.1.0", help="Package version"),
) -> None:
    staging = output_dir / "staging"
    loader = stage_pipeline(model, staging, ROOT)
    output_dir.mkdir(parents=True, exist_ok=True)
    package(staging / "pipeline", output_dir, code_paths=[loader], name=name, version=version,
            create_sdist=False, force=True, silent=True)
    package_dir = output_dir / f"fa_{name}-{version}"
    drop_own_requirement(package_dir)
    result = subprocess.run([sys.executable, "-m", "build", "--sdist", str(package_dir)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise PersianIEError(f"building the sdist failed: {result.stderr.strip().splitlines()[-1]}")
    sdist = next((package_dir / "dist").glob("*.tar.gz"))
    msg.good(f"Installable package -> {sdist}")
    msg.text(f"pip install {sdist}  then  spacy.load('fa_{name}')")


if __name__ == "__main__":
    typer.run(main)
