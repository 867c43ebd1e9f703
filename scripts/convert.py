"""Convert the validated corpus JSONL into .spacy files per split (entities and relations)."""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.convert import split_docs, write_docbin
from persian_ie.corpus.validation import require_valid
from persian_ie.pipeline.tokenizer import blank_nlp


@friendly_errors
def main(
    corpus: Path = typer.Argument(..., help="The corpus JSONL (corpus/gold.jsonl)"),
    output_dir: Path = typer.Argument(..., help="Folder for train.spacy, dev.spacy, test.spacy"),
) -> None:
    nlp = blank_nlp()
    tasks = require_valid(corpus, nlp)
    for split, docs in split_docs(nlp.vocab, tasks).items():
        count = write_docbin(docs, output_dir / f"{split}.spacy")
        msg.good(f"{split}: {count} paragraphs -> {output_dir / f'{split}.spacy'}")


if __name__ == "__main__":
    typer.run(main)
