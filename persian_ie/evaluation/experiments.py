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


def score_pipeline(model: Path, corpus_dir: Path, realdev: Optional[Path]) -> Dict[str, Dict[str, float]]:
    """F of NER and relations on test, real_test and realdev for one trained (and tuned) pipeline."""
    nlp = load_pipeline(model)
    blank = blank_nlp()
    seen = train_surfaces(read_docbin(Path(corpus_dir) / "train.spacy", blank.vocab))
    annotator = PipelineAnnotator(nlp)
    scores: Dict[str, Dict[str, float]] = {}
    for split in ("test", "real_test"):
        path = Path(corpus_dir) / f"{split}.spacy"
        if path.exists():
            result = evaluate_annotator(annotator, blank, read_docbin(path, blank.vocab), seen)
            scores[split] = {key: result[key]["f"] for key in SCORED}
            scores[split]["ner_unseen"] = result["ner_unseen"]["f"]
    if realdev is not None and Path(realdev).exists():
        records = list(srsly.read_jsonl(realdev))
        result = evaluate_raw(annotator, records, blank, seen)
        scores["real_dev"] = {key: result[key]["f"] for key in SCORED}
        scores["real_dev"]["ner_unseen"] = result["ner_unseen"]["f"]
    return scores


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
    mean = {split: {key: statistics.mean(run["scores"][split][key] for run in runs)
                    for key in runs[0]["scores"][split]} for split in runs[0]["scores"]}
    return {"config": str(config), "overrides": {k: str(v) for k, v in overrides.items()}, "runs": runs, "mean": mean}
