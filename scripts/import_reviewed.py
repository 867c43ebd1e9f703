"""Merge reviewed Prodigy annotations (db-out JSONL) into the corpus, with a backup and a report."""

from pathlib import Path

import srsly
import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.review_import import import_reviewed
from persian_ie.errors import PersianIEError
from persian_ie.files import write_text_atomic
from persian_ie.tokenizer import blank_nlp


@friendly_errors
def main(
    reviewed: Path = typer.Argument(..., help="Reviewed tasks from `prodigy db-out` (JSONL)"),
    corpus: Path = typer.Argument(..., help="The corpus JSONL to merge into (corpus/gold.jsonl)"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Merge the valid tasks and write the refused "
                                      "ones to <corpus>.rejected.jsonl, instead of changing nothing"),
) -> None:
    if not reviewed.exists():
        raise PersianIEError("reviewed file not found", str(reviewed))
    outcome = import_reviewed(corpus, reviewed, blank_nlp(), dry_run=True)
    if outcome.refused and not skip_invalid:
        for line, reason in outcome.refused:
            msg.fail(f"refused   {reviewed}:{line}  {reason}")
        msg.fail(f"{len(outcome.refused)} task(s) refused; the corpus is unchanged (use --skip-invalid to merge "
                 "the rest)", exits=1)
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
    if outcome.refused:
        rejected_path = corpus.with_name(corpus.name + ".rejected.jsonl")
        write_text_atomic(rejected_path, "".join(
            srsly.json_dumps({"file": str(reviewed), "line": line, "reason": reason}) + "\n"
            for line, reason in outcome.refused))
        msg.warn(f"{len(outcome.refused)} refused task(s) -> {rejected_path}")


if __name__ == "__main__":
    typer.run(main)
