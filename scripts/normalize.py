"""Normalize Persian news text: a .txt file, or a folder of them, into OUTPUT."""

from pathlib import Path

import srsly
import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.errors import PersianIEError
from persian_ie.io.files import write_text_atomic
from persian_ie.io.inputs import read_text, text_files
from persian_ie.normalization import get_normalizer


@friendly_errors
def main(
    input_path: Path = typer.Argument(..., help="A .txt file or a folder of .txt files"),
    output_path: Path = typer.Argument(..., help="Output file (for a file) or folder (for a folder)"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Set unreadable files aside in "
                                      "<output>.rejected.jsonl instead of stopping"),
) -> None:
    normalizer = get_normalizer()
    files = text_files(input_path)
    rejected = []
    for path in files:
        target = output_path / path.relative_to(input_path) if input_path.is_dir() else output_path
        try:
            normalized = normalizer.normalize(read_text(path))
        except PersianIEError as err:
            if not skip_invalid:
                raise
            rejected.append({"file": str(path), "reason": err.message, "byte": err.offset})
            continue
        write_text_atomic(target, normalized + "\n" if normalized else "")
    msg.good(f"Normalized {len(files) - len(rejected)} file(s) into {output_path}")
    if rejected:
        rejected_path = output_path.with_name(output_path.name + ".rejected.jsonl")
        write_text_atomic(rejected_path, "".join(srsly.json_dumps(r) + "\n" for r in rejected))
        msg.warn(f"{len(rejected)} file(s) rejected -> {rejected_path}")


if __name__ == "__main__":
    typer.run(main)
