"""Count detached affixes in raw news: the normalizer's evidence for ambiguous glued words."""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.normalization.evidence import count_affixes, write_evidence
from persian_ie.normalization.zwnj import GLUED_SUFFIXES
from persian_ie.rawtext import read_gzip_lines


@friendly_errors
def main(
    rawtext: Path = typer.Argument(..., help="Gzipped raw news, one paragraph per line"),
    output: Path = typer.Argument(..., help="The evidence table to write (.tsv.gz)"),
) -> None:
    counts = count_affixes(read_gzip_lines(rawtext), GLUED_SUFFIXES)
    rows = write_evidence(counts, output)
    msg.good(f"{rows} (stem, suffix) pairs -> {output}")


if __name__ == "__main__":
    typer.run(main)
