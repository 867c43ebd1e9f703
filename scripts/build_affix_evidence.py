"""Count, in raw news, what the normalizer's ambiguous half-space decisions rest on (see evidence.py)."""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.io.rawtext import read_gzip_lines
from persian_ie.normalization.evidence import Evidence, count_affixes, count_careful, gather_evidence, write_evidence
from persian_ie.normalization.lexicon import load_lexicon
from persian_ie.normalization.normalizer import Normalizer
from persian_ie.normalization.zwnj import GLUED_SUFFIXES, ZwnjRestorer, compound_left


@friendly_errors
def main(
    rawtext: Path = typer.Argument(..., help="Gzipped raw news, one paragraph per line"),
    output: Path = typer.Argument(..., help="The evidence table to write (.tsv.gz)"),
) -> None:
    lines = list(read_gzip_lines(rawtext))
    affixes = count_affixes(lines, GLUED_SUFFIXES)
    # the lines as the restorer sees text: normalized, half-spaces not yet restored
    clean = Normalizer(restore_zwnj=False)
    careful = count_careful(clean.normalize(line) for line in lines)
    # what the restorer would change without evidence is what the evidence must speak to
    bare = ZwnjRestorer(load_lexicon(), Evidence.empty())
    evidence = gather_evidence(
        affixes,
        careful,
        would_change=lambda word: bare.restore_word(word) != word,
        would_join=bare.joins,
        compound_left=compound_left,
    )
    rows = write_evidence(evidence, output)
    msg.good(
        f"{rows} rows ({len(evidence.affixes)} affixes, {len(evidence.spellings)} spellings, "
        f"{len(evidence.junctions)} junctions, {len(evidence.bound)} attached parts) -> {output}"
    )


if __name__ == "__main__":
    typer.run(main)
