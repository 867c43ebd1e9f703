"""Write the evaluation report (report.md, report.html, PNG plots) for the evaluated model."""

from pathlib import Path
from typing import Optional

import srsly
import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.convert import read_docbin
from persian_ie.corpus.report import corpus_stats
from persian_ie.errors import PersianIEError
from persian_ie.evaluation.error_analysis import analyse, pipeline_relation_errors, worst_errors, worst_relation_errors
from persian_ie.evaluation.report import build_report
from persian_ie.io.prodigy import read_jsonl
from persian_ie.pipeline.loading import load_pipeline
from persian_ie.prediction.predict import entity_scores

# the splits `convert` writes, by file name, as the report's headings name them
SPLIT_NAMES = {"test": "authored test split", "real_test": "real test split", "dev": "dev split"}


@friendly_errors
def main(
    model: Path = typer.Argument(..., help="The evaluated pipeline"),
    metrics_path: Path = typer.Argument(..., help="metrics.json from `evaluate`"),
    corpus: Path = typer.Argument(..., help="The corpus JSONL (for the data section)"),
    split: Path = typer.Argument(..., help="The split for the error analysis (real_test.spacy: real news)"),
    output_dir: Path = typer.Argument(..., help="Folder for report.md, report.html and plots"),
    thresholds: Optional[Path] = typer.Option(None, help="thresholds.json from `tune-thresholds`"),
    learning: Optional[Path] = typer.Option(None, help="learning_curve.json from `learning-curve`"),
    learning_real: Optional[Path] = typer.Option(None, help="learning_curve_real.json (`learning_curve.py --by-real`)"),
    split_name: Optional[str] = typer.Option(None, help="The split's name in the headings (default: from the "
                                                          "file name, real_test.spacy -> 'real test split')"),
) -> None:
    """Write the evaluation report: scores beside the baselines, and where the model goes wrong on one split."""
    if not metrics_path.exists():
        raise PersianIEError("metrics not found (run `spacy project run evaluate`)", str(metrics_path))
    nlp = load_pipeline(model)
    gold = read_docbin(split, nlp.vocab)
    predicted = list(nlp.pipe([doc.text for doc in gold]))
    analysis = analyse(predicted, gold, entity_scores(nlp, predicted))
    relation_analysis = pipeline_relation_errors(nlp, gold)
    stats = corpus_stats([task for _, task in read_jsonl(corpus)])
    paths = build_report(
        srsly.read_json(metrics_path),
        analysis,
        worst_errors(analysis["errors"]),
        {"documents": stats.documents, "paragraphs": stats.paragraphs, "entities": stats.entities,
         "relations": stats.relations},
        srsly.read_json(thresholds) if thresholds and thresholds.exists() else None,
        srsly.read_json(learning)["points"] if learning and learning.exists() else None,
        output_dir,
        real_points=srsly.read_json(learning_real)["points"] if learning_real and learning_real.exists() else None,
        relation_analysis=relation_analysis,
        worst_relations=worst_relation_errors(relation_analysis["errors"]) if relation_analysis else None,
        split_name=split_name or SPLIT_NAMES.get(split.stem, f"{split.stem.replace('_', ' ')} split"),
    )
    msg.good(f"Report -> {paths['html']} and {paths['md']}")


if __name__ == "__main__":
    typer.run(main)
