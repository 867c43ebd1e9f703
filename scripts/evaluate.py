"""Evaluate the pipeline and both baselines on dev, the authored test, the real test split and realdev: metrics.json.

Every F carries a 95% bootstrap interval (f_ci95, paragraphs resampled); ner_unseen scores the spans whose
surface never occurs in train; the real test split is also scored per outlet (by_outlet), since it pools
Fars news with sports and health pages.
"""

import datetime
from pathlib import Path

import spacy
import typer

from persian_ie.baselines.crf import CrfTagger
from persian_ie.baselines.rules import RulesAnnotator
from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.convert import doc_outlet, read_docbin
from persian_ie.evaluation.scores import PipelineAnnotator, evaluate_annotator, evaluate_raw, train_surfaces
from persian_ie.io.files import write_json_atomic
from persian_ie.io.prodigy import read_jsonl
from persian_ie.pipeline.loading import config_hash, load_pipeline
from persian_ie.pipeline.tokenizer import blank_nlp


@friendly_errors
def main(
    model: Path = typer.Argument(..., help="The trained pipeline"),
    baselines: Path = typer.Argument(..., help="Folder with rules/ and crf.crfsuite"),
    corpus_dir: Path = typer.Argument(..., help="Folder with train/dev/test/real_test.spacy"),
    real_dev: Path = typer.Argument(..., help="realdev.jsonl (raw real news, offsets into the raw text)"),
    output: Path = typer.Argument(..., help="metrics.json to write"),
) -> None:
    nlp = load_pipeline(model)
    blank = blank_nlp()
    annotators = {
        "pipeline": PipelineAnnotator(nlp),
        "rules": RulesAnnotator(load_pipeline(baselines / "rules")),
        "crf": CrfTagger(blank, baselines / "crf.crfsuite"),
    }
    metrics = {
        "model": {
            "name": nlp.meta.get("name"),
            "version": nlp.meta.get("version"),
            "path": str(model),
            "config_hash": config_hash(model),
            "thresholds": dict(nlp.get_pipe("relation_extractor").cfg.get("thresholds", {})),
        },
        "date": datetime.date.today().isoformat(),
        "spacy_version": spacy.__version__,
    }
    seen = train_surfaces(read_docbin(corpus_dir / "train.spacy", blank.vocab))
    for split in ("dev", "test", "real_test"):
        path = corpus_dir / f"{split}.spacy"
        gold = read_docbin(path, blank.vocab) if path.exists() else []
        if not gold:
            msg.warn(f"{path} is missing or empty: {split} is not scored")
            continue
        metrics[split] = evaluate_annotator(annotators["pipeline"], blank, gold, seen,
                                            group_by=doc_outlet if split == "real_test" else None,
                                            group_key="by_outlet")
        metrics[split]["baselines"] = {
            name: evaluate_annotator(annotator, blank, gold, seen) for name, annotator in annotators.items()
            if name != "pipeline"
        }
        metrics[split]["paragraphs"] = len(gold)
    if real_dev.exists():
        records = [record for _, record in read_jsonl(real_dev)]
        metrics["real_dev"] = evaluate_raw(annotators["pipeline"], records, blank, seen)
        metrics["real_dev"]["baselines"] = {
            name: evaluate_raw(annotator, records, blank, seen) for name, annotator in annotators.items()
            if name != "pipeline"
        }
        metrics["real_dev"]["paragraphs"] = len(records)
    else:
        msg.warn(f"{real_dev} not found: real_dev is not scored")
    output.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(output, metrics)
    rows = []
    for split in ("dev", "test", "real_test", "real_dev"):
        if split not in metrics:
            continue
        for name in ("pipeline", "rules", "crf"):
            result = metrics[split] if name == "pipeline" else metrics[split]["baselines"][name]
            rows.append(
                (split, name, f"{result['ner']['f']:.3f}",
                 f"{result['rel_gold_ents']['f']:.3f}" if "rel_gold_ents" in result else "-",
                 f"{result['rel_end_to_end']['f']:.3f}")
            )
    msg.table(rows, header=("split", "annotator", "NER F", "rel F (gold ents)", "rel F (end to end)"), divider=True)
    msg.good(f"Metrics -> {output}")


if __name__ == "__main__":
    typer.run(main)
