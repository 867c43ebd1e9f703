"""Pre-annotate unseen real news paragraphs for the next annotation round, least confident first."""

import random
from pathlib import Path

import srsly
import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.files import write_text_atomic
from persian_ie.rawtext import read_gzip_lines

KEYWORDS = ("خوشه", "شرکت", "سازمان", "بانک", "واحد", "میلیارد", "درصد", "طرح", "اداره")


@friendly_errors
def main(
    rawtext: Path = typer.Argument(..., help="Gzipped raw news, one paragraph per line"),
    output: Path = typer.Argument(..., help="JSONL records ({text, meta}) to hand to predict"),
    n: int = typer.Option(200, help="How many paragraphs"),
    seed: int = typer.Option(0, help="Sampling seed"),
) -> None:
    candidates = [
        (i, line) for i, line in enumerate(read_gzip_lines(rawtext))
        if 15 <= len(line.split()) <= 120 and sum(k in line for k in KEYWORDS) >= 2
    ]
    sample = sorted(random.Random(seed).sample(candidates, min(n, len(candidates))))
    records = [{"text": line, "meta": {"source": rawtext.name, "id": f"rawtext:{i}"}} for i, line in sample]
    write_text_atomic(output, "".join(srsly.json_dumps(r) + "\n" for r in records))
    msg.good(f"{len(records)} of {len(candidates)} candidate paragraphs -> {output}")


if __name__ == "__main__":
    typer.run(main)
