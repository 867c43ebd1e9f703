"""Build the gold corpus JSONL from the authored documents (markup -> raw -> normalized tasks)."""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.build import (
    assign_splits,
    build_corpus,
    read_documents,
    read_splits,
    write_raw_articles,
    write_splits,
)
from persian_ie.io.prodigy import read_jsonl, write_jsonl_atomic
from persian_ie.pipeline.tokenizer import blank_nlp


@friendly_errors
def main(
    authored: Path = typer.Argument(..., help="Folder of authored documents (corpus/authored)"),
    output: Path = typer.Argument(..., help="The corpus JSONL to write (corpus/gold.jsonl)"),
    raw_dir: Path = typer.Option(Path("corpus/raw"), help="Where the raw article texts go"),
    splits_path: Path = typer.Option(Path("corpus/splits.json"), help="The recorded document splits"),
) -> None:
    documents = read_documents(authored)
    assignment = assign_splits([d.doc_id for d in documents], read_splits(splits_path))
    existing = [task for _, task in read_jsonl(output)] if output.exists() else []
    result = build_corpus(blank_nlp(), documents, assignment, existing)
    if result.problems:
        for problem in result.problems:
            msg.fail(problem)
        msg.fail(f"{len(result.problems)} span(s) to fix in the markup; nothing written", exits=1)
    write_raw_articles(documents, raw_dir)
    write_splits(splits_path, assignment)
    count = write_jsonl_atomic(output, result.tasks)
    msg.good(f"{count} paragraphs from {len(documents)} documents -> {output}")


if __name__ == "__main__":
    typer.run(main)
