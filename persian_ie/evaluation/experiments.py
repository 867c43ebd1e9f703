"""Measured model levers: train a config with overrides under several seeds and score it where it counts.

A lever (a wider tok2vec, pretrained weights, parameter averaging ...) is kept only when it wins on real
text by more than the spread between seeds, so every run is trained like the shipped model (same dev set
for the checkpoint, thresholds tuned on dev) and scored on the authored test, the real test split and
realdev. On real text two seeds of one config differ by 2-3 NER points: compare means.
"""

import statistics
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import srsly

from ..corpus.convert import read_docbin
from ..pipeline.loading import load_pipeline
from ..pipeline.tokenizer import blank_nlp
from .scores import PipelineAnnotator, evaluate_annotator, evaluate_raw, train_surfaces
from .thresholds import tune_thresholds

SCORED = ("ner", "rel_end_to_end", "rel_gold_ents")


def split_scores(result: Dict[str, Any]) -> Dict[str, Any]:
    """The F values a lever is judged on, from one `evaluate_*` result: micro F of each scored block and
    `ner_unseen`, and under `per_label` each block's F per label (a lever can move one label and not another)."""
    scores: Dict[str, Any] = {key: result[key]["f"] for key in (*SCORED, "ner_unseen")}
    scores["per_label"] = {key: {label: values["f"] for label, values in result[key]["per_label"].items()}
                           for key in SCORED}
    return scores


def score_pipeline(model: Path, corpus_dir: Path, realdev: Optional[Path]) -> Dict[str, Dict[str, Any]]:
    """F of NER and relations on test, real_test and realdev for one trained (and tuned) pipeline."""
    nlp = load_pipeline(model)
    blank = blank_nlp()
    seen = train_surfaces(read_docbin(Path(corpus_dir) / "train.spacy", blank.vocab))
    annotator = PipelineAnnotator(nlp)
    scores: Dict[str, Dict[str, Any]] = {}
    for split in ("test", "real_test"):
        path = Path(corpus_dir) / f"{split}.spacy"
        if path.exists():
            scores[split] = split_scores(evaluate_annotator(annotator, blank, read_docbin(path, blank.vocab), seen))
    if realdev is not None and Path(realdev).exists():
        records = list(srsly.read_jsonl(realdev))
        scores["real_dev"] = split_scores(evaluate_raw(annotator, records, blank, seen))
    return scores


def mean_scores(runs: Sequence[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """The mean over seeds of every F in the runs' scores, per split, with the same nesting."""
    def mean(values: Sequence[Any]) -> Any:
        if isinstance(values[0], dict):
            return {key: mean([value[key] for value in values]) for key in values[0]}
        return statistics.mean(values)

    return {split: mean([run["scores"][split] for run in runs]) for split in runs[0]["scores"]}


def run_lever(config: Path, corpus_dir: Path, work_dir: Path, overrides: Dict[str, Any], seeds: Sequence[int],
              realdev: Optional[Path] = None, reuse: bool = False) -> Dict[str, Any]:
    """Train and score `config` + `overrides` once per seed; per-seed scores, their mean, training time.

    With `reuse`, a seed whose training finished before (its `model-last` exists) is scored again, not retrained.
    """
    from spacy.cli.train import train

    blank = blank_nlp()
    dev_docs = read_docbin(Path(corpus_dir) / "dev.spacy", blank.vocab)
    runs: List[Dict[str, Any]] = []
    for seed in seeds:
        folder = Path(work_dir) / f"seed{seed}"
        settings = {"paths.train": str(Path(corpus_dir) / "train.spacy"),
                    "paths.dev": str(Path(corpus_dir) / "dev.spacy"), "system.seed": seed}
        settings.update(overrides)
        seconds = None
        if not (reuse and (folder / "model-last").exists()):
            start = time.perf_counter()
            train(config, folder, overrides=settings)
            seconds = round(time.perf_counter() - start, 1)
        pipeline = load_pipeline(folder / "model-best")
        tune_thresholds(pipeline, dev_docs)
        pipeline.to_disk(folder / "model-final")
        runs.append({"seed": seed, "train_seconds": seconds,
                     "scores": score_pipeline(folder / "model-final", corpus_dir, realdev)})
    return {"config": str(config), "overrides": {k: str(v) for k, v in overrides.items()}, "runs": runs,
            "mean": mean_scores(runs)}
