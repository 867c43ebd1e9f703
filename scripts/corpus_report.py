"""Write the corpus report: counts per label, relation, split and origin, what each review batch changed,
the agreement between annotators, and the inconsistencies to review."""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.report import render_report
from persian_ie.corpus.review_changes import ROUNDS, audit_batches, blind_agreement, read_rounds
from persian_ie.io.files import write_text_atomic
from persian_ie.io.prodigy import read_jsonl


@friendly_errors
def main(
    corpus: Path = typer.Argument(..., help="The corpus JSONL (corpus/gold.jsonl)"),
    output: Path = typer.Argument(..., help="The Markdown report to write"),
    batches_dir: Path = typer.Option(Path("corpus/real"), help="Review batches (preannotated, passes, resolved)"),
) -> None:
    """The agreement table pools each round's batches as `<batches-dir>/rounds.json` names them."""
    tasks = [task for _, task in read_jsonl(corpus)]
    write_text_atomic(output, render_report(tasks, audits=audit_batches(batches_dir),
                                            blind=blind_agreement(batches_dir),
                                            rounds=read_rounds(batches_dir / ROUNDS)))
    msg.good(f"Corpus report for {len(tasks)} tasks -> {output}")


if __name__ == "__main__":
    typer.run(main)
