"""Choose each relation label's threshold on dev; write a tuned copy of the pipeline (model-best stays as trained)."""

from pathlib import Path

import spacy
import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.convert import read_docbin
from persian_ie.evaluation.thresholds import tune_thresholds
from persian_ie.io.files import write_json_atomic
from persian_ie.pipeline.loading import load_pipeline


@friendly_errors
def main(
    model: Path = typer.Argument(..., help="The trained pipeline (read only: it stays as training wrote it)"),
    dev: Path = typer.Argument(..., help="dev.spacy"),
    tuned: Path = typer.Argument(..., help="Where the pipeline with the tuned thresholds goes (training/model-final)"),
    output: Path = typer.Argument(..., help="JSON with the chosen thresholds and the dev curves"),
    name: str = typer.Option("persian_news_ie", help="Pipeline name in meta.json"),
    version: str = typer.Option("0.1.0", help="Pipeline version in meta.json"),
) -> None:
    nlp = load_pipeline(model)
    result = tune_thresholds(nlp, read_docbin(dev, nlp.vocab))
    nlp.meta.update({"name": name, "version": version, "spacy_version": f">={spacy.__version__},<3.9.0"})
    nlp.to_disk(tuned)
    write_json_atomic(output, result)
    msg.table(result["chosen"], header=("label", "threshold"))
    msg.good(f"Tuned pipeline -> {tuned}; curves -> {output}")


if __name__ == "__main__":
    typer.run(main)
