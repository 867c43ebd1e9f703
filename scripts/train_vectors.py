"""Train floret vectors on the raw news text, normalized and tokenized like the pipeline's input."""

from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.io.rawtext import read_gzip_lines
from persian_ie.pipeline.tokenizer import blank_nlp
from persian_ie.training.vectors import train_floret, write_training_text


@friendly_errors
def main(
    rawtext: Path = typer.Argument(..., help="Gzipped raw news, one paragraph per line"),
    output_prefix: Path = typer.Argument(..., help="Prefix of the .floret file to write"),
    dim: int = typer.Option(100, help="Vector width"),
    epoch: int = typer.Option(10, help="Training epochs"),
    bucket: int = typer.Option(50000, help="Rows of the hashed n-gram table"),
) -> None:
    text_path = Path(f"{output_prefix}.txt")
    lines = write_training_text(blank_nlp(), read_gzip_lines(rawtext), text_path)
    msg.info(f"{lines} paragraphs normalized and tokenized -> {text_path}")
    floret_path = train_floret(text_path, output_prefix, dim=dim, epoch=epoch, bucket=bucket)
    msg.good(f"floret vectors -> {floret_path}")


if __name__ == "__main__":
    typer.run(main)
