"""Check authored corpus files: markup syntax, labels, ids and relation label pairs."""

from pathlib import Path
from typing import List

import typer

from persian_ie.cli import msg
from persian_ie.corpus.markup import count_labels, read_document
from persian_ie.errors import PersianIEError


def main(paths: List[Path] = typer.Argument(..., help="Authored .txt files")) -> None:
    documents, failed = [], 0
    for path in paths:
        try:
            documents.append(read_document(path))
        except PersianIEError as err:
            msg.fail(str(err))
            failed += 1
    entities, relations = count_labels(documents)
    paragraphs = sum(len(doc.paragraphs) for doc in documents)
    msg.info(f"{len(documents)} documents, {paragraphs} paragraphs")
    msg.table({**entities, **relations}, header=("label", "count"))
    if failed:
        msg.fail(f"{failed} file(s) have errors", exits=1)
    msg.good("markup is well formed")


if __name__ == "__main__":
    typer.run(main)
