"""Merge reviewed Prodigy annotations (db-out JSONL) into the corpus, with a backup and a report."""

from pathlib import Path

import typer
from wasabi import msg

from persian_ie.cli import friendly_errors
from persian_ie.corpus.review_import import import_reviewed
from persian_ie.errors import PersianIEError
from persian_ie.tokenizer import blank_nlp


@friendly_errors
def main(
    reviewed: Path = typer.Argument(..., help="Reviewed tasks from `prodigy db-out` (JSONL)"),
    corpus: Path = typer.Argument(..., help="The corpus JSONL to merge into (corpus/gold.jsonl)"),
) -> None:
    if not reviewed.exists():
        raise PersianIEError("reviewed file not found", str(reviewed))
    outcome = import_reviewed(corpus, reviewed, blank_nlp())
    for line, text in outcome.added:
        msg.good(f"added     {reviewed}:{line}  {text}")
    for line, text in outcome.replaced:
        msg.info(f"replaced  {reviewed}:{line}  {text}")
    for line, reason in outcome.refused:
        msg.fail(f"refused   {reviewed}:{line}  {reason}")
    for line, input_hash in outcome.rejected:
        msg.text(f"rejected  {reviewed}:{line}  (answer reject; corpus unchanged) {input_hash}")
    for line, input_hash in outcome.ignored:
        msg.text(f"ignored   {reviewed}:{line}  (answer ignore; corpus unchanged) {input_hash}")
    msg.info(
        f"{len(outcome.added)} added, {len(outcome.replaced)} replaced, {len(outcome.refused)} refused, "
        f"{len(outcome.rejected)} rejected, {len(outcome.ignored)} ignored"
    )
    if outcome.added or outcome.replaced:
        msg.good(f"{corpus} updated (previous version: {corpus.name}.bak)")


if __name__ == "__main__":
    typer.run(main)
