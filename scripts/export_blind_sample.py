"""Export a blind agreement sample: pre-annotated paragraphs of reviewed batches for a third annotator.

Draws --per-batch paragraphs with at least one proposed span (with --with, every one of those labels) from
each of --batches, and writes them with their review sheet and `sample.json` (what was drawn, and how) to a
new folder `<batches-dir>/agreement-NAME/`.
The third annotator corrects the sheet into `answers-annotator.jsonl` without seeing either pass of those
batches; `corpus-report` then shows, per label, how far that independent pass agrees with what was imported.
Nothing is imported from the sample.
"""

from pathlib import Path
from typing import List

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.review_changes import PRE, SAMPLE_FILE, draw_blind_sample, parse_batch_ranges, parse_span_labels
from persian_ie.corpus.sheet import write_sheet
from persian_ie.errors import PersianIEError
from persian_ie.io.files import write_json_atomic, write_text_atomic
from persian_ie.io.prodigy import write_jsonl_atomic


@friendly_errors
def main(
    batches_dir: Path = typer.Argument(..., help="The batch folders (corpus/real)"),
    name: str = typer.Argument(..., help="The sample's name: it goes to <batches-dir>/agreement-NAME/"),
    batches: str = typer.Option(..., help="Batches to draw from, as in rounds.json: '170,174,184-189'"),
    per_batch: int = typer.Option(10, help="Paragraphs per batch"),
    seed: int = typer.Option(0, help="Random seed of the draw"),
    description: str = typer.Option(..., help="One sentence for the corpus report: what the sample covers"),
    with_labels: List[str] = typer.Option([], "--with", help="Span labels the pre-annotation must hold, repeatable or "
                                          "comma-separated ('ORG,QUANTITY' for a HAS_QUANTITY sample); none: any span"),
) -> None:
    folder = batches_dir / f"agreement-{name}"
    if folder.exists():
        raise PersianIEError(f"{folder} already exists", "choose another name; a drawn sample is never redrawn")
    numbers = sorted(parse_batch_ranges(batches))
    require = parse_span_labels(with_labels)
    sample = draw_blind_sample(batches_dir, numbers, per_batch, seed, require)
    folder.mkdir(parents=True)
    write_jsonl_atomic(folder / PRE, sample)
    write_text_atomic(folder / "preannotated.sheet.txt", write_sheet(sample, title=PRE))
    write_json_atomic(folder / SAMPLE_FILE, {"description": description, "batches": numbers,
                                              "per_batch": per_batch, "seed": seed, "with": require})
    msg.good(f"{len(sample)} paragraphs from {len(numbers)} batches -> {folder}")


if __name__ == "__main__":
    typer.run(main)
