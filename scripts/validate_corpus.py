"""Validate the corpus JSONL against the annotation contract; each bad line as file:line: reason."""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.validation import validate_corpus
from persian_ie.pipeline.tokenizer import blank_nlp


@friendly_errors
def main(corpus: Path = typer.Argument(..., help="The corpus JSONL (corpus/gold.jsonl)")) -> None:
    tasks, problems = validate_corpus(corpus, blank_nlp())
    for problem in problems:
        msg.fail(str(problem))
    if problems:
        msg.fail(f"{len(problems)} problem(s) in {len(tasks)} tasks", exits=1)
    msg.good(f"{len(tasks)} tasks in {corpus} are valid")


if __name__ == "__main__":
    typer.run(main)
