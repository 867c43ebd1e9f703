"""Normalize Persian news text: a .txt file, or a folder of them, into OUTPUT."""

from pathlib import Path

import typer
from wasabi import msg

from persian_ie.cli import friendly_errors
from persian_ie.files import write_text_atomic
from persian_ie.inputs import read_text, text_files
from persian_ie.normalization import get_normalizer


@friendly_errors
def main(
    input_path: Path = typer.Argument(..., help="A .txt file or a folder of .txt files"),
    output_path: Path = typer.Argument(..., help="Output file (for a file) or folder (for a folder)"),
) -> None:
    normalizer = get_normalizer()
    files = text_files(input_path)
    for path in files:
        target = output_path / path.relative_to(input_path) if input_path.is_dir() else output_path
        normalized = normalizer.normalize(read_text(path))
        write_text_atomic(target, normalized + "\n" if normalized else "")
    msg.good(f"Normalized {len(files)} file(s) into {output_path}")


if __name__ == "__main__":
    typer.run(main)
