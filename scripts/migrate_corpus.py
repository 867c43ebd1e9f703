"""Carry the reviewed tasks of the corpus over to the current normalizer and tokenizer.

Run after a change to the normalizer or the tokenizer, together with `build-corpus` (which rebuilds the
authored documents from their markup). Each reviewed task's text is normalized again, its spans follow
the alignment onto the new tokens, and its relations follow its spans. A span that no longer fits the
tokens stops the migration (nothing is written) and is listed as `doc_id pN: reason`.
"""

import shutil
from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.migrate import migrate_corpus
from persian_ie.io.prodigy import read_jsonl, write_jsonl_atomic
from persian_ie.pipeline.tokenizer import blank_nlp


@friendly_errors
def main(corpus: Path = typer.Argument(..., help="The corpus JSONL, rewritten in place with a .bak")) -> None:
    tasks = [task for _, task in read_jsonl(corpus)]
    result = migrate_corpus(blank_nlp(), tasks)
    for problem in result.problems:
        msg.fail(problem)
    if result.problems:
        msg.fail(f"{len(result.problems)} problem(s); the corpus is unchanged", exits=1)
    if result.changed:
        shutil.copyfile(corpus, corpus.with_name(corpus.name + ".bak"))
        write_jsonl_atomic(corpus, result.tasks)
    msg.good(f"{result.changed} of {len(tasks)} tasks migrated -> {corpus}")


if __name__ == "__main__":
    typer.run(main)
