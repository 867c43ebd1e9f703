"""Export re-review batches: real corpus paragraphs sent back through the loop for one relation.

Takes the real paragraphs that hold every --with label (ORG and QUANTITY for HAS_QUANTITY) and came in
before batch --before-batch, with their corpus annotation as the pre-annotation, and writes them as new
batch folders (batch-NN/preannotated.jsonl and its review sheet) from --first-batch on, whole articles
together. A paragraph already in a re-review batch of the same --pass for the same label is not exported
again; --paragraphs linked takes only the paragraphs that already hold a link of the label (a pass that
checks the links drawn). The batches then go through the usual two passes, adjudication and `import-reviewed`.
"""

from pathlib import Path
from typing import List

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.rereview import first_batches, rereview_tasks, rereviewed, split_by_article
from persian_ie.corpus.review_changes import parse_span_labels
from persian_ie.corpus.sheet import write_sheet
from persian_ie.errors import PersianIEError
from persian_ie.io.files import write_text_atomic
from persian_ie.io.prodigy import read_jsonl, write_jsonl_atomic


@friendly_errors
def main(
    corpus: Path = typer.Argument(..., help="The corpus (corpus/gold.jsonl)"),
    batches_dir: Path = typer.Argument(..., help="The batch folders (corpus/real)"),
    label: str = typer.Option("HAS_QUANTITY", help="The relation the batches re-review"),
    with_labels: List[str] = typer.Option(["ORG", "QUANTITY"], "--with", help="Span labels a paragraph must hold, "
                                          "repeatable or comma-separated"),
    before_batch: int = typer.Option(0, help="Only paragraphs that came in before this batch (0: any)"),
    first_batch: int = typer.Option(..., help="Number of the first batch folder to write"),
    size: int = typer.Option(110, help="About how many paragraphs per batch"),
    pass_number: int = typer.Option(1, "--pass", help="Which re-review of the label: 2 sends back paragraphs the "
                                    "first pass already re-reviewed"),
    paragraphs: str = typer.Option("all", help="'all': every paragraph holding the --with labels; 'linked': only "
                                   "those that already hold a link of the label"),
) -> None:
    if paragraphs not in ("all", "linked"):
        raise PersianIEError(f"--paragraphs is 'all' or 'linked', not {paragraphs!r}")
    require = parse_span_labels(with_labels)
    tasks = rereview_tasks((task for _, task in read_jsonl(corpus)), label, require, first_batches(batches_dir),
                           before_batch, rereviewed(batches_dir, label, pass_number), paragraphs == "linked",
                           pass_number)
    if not tasks:
        msg.warn(f"No paragraph of {corpus} is left to re-review for {label}")
        return
    batches = split_by_article(tasks, size)
    folders = [batches_dir / f"batch-{first_batch + i:02d}" for i in range(len(batches))]
    taken = [folder for folder in folders if folder.exists()]
    if taken:
        raise PersianIEError(f"batch folders already exist: {', '.join(map(str, taken))}",
                             "choose another --first-batch")
    for folder, batch in zip(folders, batches):
        folder.mkdir(parents=True)
        write_jsonl_atomic(folder / "preannotated.jsonl", batch)
        write_text_atomic(folder / "preannotated.sheet.txt", write_sheet(batch, title="preannotated.jsonl"))
        relations = sum(r["label"] == label for task in batch for r in task.get("relations", []))
        msg.info(f"{folder}: {len(batch)} paragraphs, {relations} {label}")
    msg.good(f"{len(tasks)} paragraphs to re-review for {label} in {len(batches)} batches")


if __name__ == "__main__":
    typer.run(main)
