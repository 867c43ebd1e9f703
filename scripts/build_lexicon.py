"""Build the normalizer's lexicon from hazm's word lists once, into the compact artifact it loads.

Beside it goes a copy of hazm's character tables (`hazm_tables.json`), so that normalizing (and
loading a pipeline) never has to import hazm.
"""

import json
import time
from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.io.files import write_text_atomic
from persian_ie.normalization.chars import TABLES_PATH, hazm_tables
from persian_ie.normalization.lexicon import DATA_PATH, build_lexicon, read_lexicon, write_lexicon


@friendly_errors
def main(
    output: Path = typer.Argument(DATA_PATH, help="The artifact to write (persian_ie/normalization/data/lexicon.bin)"),
    tables: Path = typer.Option(TABLES_PATH, help="Where to write the copy of hazm's character tables"),
) -> None:
    write_text_atomic(tables, json.dumps(hazm_tables(), ensure_ascii=False, indent=1) + "\n")
    lexicon = build_lexicon()
    size = write_lexicon(lexicon, output)
    start = time.perf_counter()
    loaded = read_lexicon(output)
    seconds = time.perf_counter() - start
    if loaded != lexicon:
        msg.fail("the artifact does not read back as the lexicon it was built from", exits=1)
    msg.good(
        f"hazm's character tables -> {tables}; "
        f"{len(lexicon.plain):,} plain words, {len(lexicon.joined):,} half-space spellings, "
        f"{len(lexicon.adjectives):,} adjectives -> {output} ({size / 1e6:.2f} MB, loads in {seconds:.3f} s)"
    )


if __name__ == "__main__":
    typer.run(main)
