"""The trainable pipeline: tiny training, save/load, thresholds, evaluation and baselines."""

from pathlib import Path

import pytest
import spacy
import srsly

from persian_ie.baselines.crf import _repair
from persian_ie.baselines.rules import RulesAnnotator
from persian_ie.corpus.convert import read_docbin
from persian_ie.errors import PersianIEError
from persian_ie.evaluation.scores import score_keys
from persian_ie.evaluation.thresholds import GRID, tune_thresholds
from persian_ie.pipeline.loading import load_pipeline
from persian_ie.pipeline.nearest_pair import nearest_pair_relations
from persian_ie.pipeline.relations import get_relations
from persian_ie.schema import ALLOWED_PAIRS, ENTITY_LABELS, RELATION_LABELS

from .conftest import REALDEV_PATH
from .helpers import run_script


def test_tiny_pipeline_annotates_raw_text(tiny_model: Path, seed_text: str) -> None:
    nlp = load_pipeline(tiny_model)
    assert nlp.pipe_names == ["tok2vec", "ner", "relation_extractor"]
    assert set(nlp.get_pipe("ner").labels) == set(ENTITY_LABELS)
    doc = nlp(seed_text.split("\n\n")[0])
    assert "شهرک‌های" in doc.text  # the packaged tokenizer normalized the raw text
    relations = get_relations(doc)
    assert isinstance(relations, list)
    for rel in relations:
        pair = (rel.head(doc).label_, rel.child(doc).label_)
        assert pair in ALLOWED_PAIRS[rel.label]
        assert 0.0 <= rel.score <= 1.0


def test_thresholds_are_tuned_and_saved(tiny_model: Path, corpus_dir: Path, tmp_path: Path) -> None:
    nlp = load_pipeline(tiny_model)
    result = tune_thresholds(nlp, read_docbin(corpus_dir / "dev.spacy", nlp.vocab)[:40])
    component = nlp.get_pipe("relation_extractor")
    assert set(result["chosen"]) == set(component.labels)
    assert all(value in GRID or value == 0.5 for value in result["chosen"].values())
    for curve in result["curves"].values():
        assert [point["threshold"] for point in curve] == GRID
    nlp.to_disk(tmp_path / "tuned")
    reloaded = spacy.load(tmp_path / "tuned").get_pipe("relation_extractor")
    assert reloaded.cfg["thresholds"] == result["chosen"]


def test_evaluate_writes_the_metrics_contract(tiny_model: Path, baselines_dir: Path, corpus_dir: Path,
                                             tmp_path: Path) -> None:
    output = tmp_path / "metrics.json"
    result = run_script("evaluate", [tiny_model, baselines_dir, corpus_dir, REALDEV_PATH, output])
    assert result.exit_code == 0, result.output
    metrics = srsly.read_json(output)
    for split in ("dev", "test"):
        for block in [metrics[split]] + [metrics[split]["baselines"][name] for name in ("rules", "crf")]:
            for key, labels in (("ner", ENTITY_LABELS), ("rel_gold_ents", RELATION_LABELS),
                                ("rel_end_to_end", RELATION_LABELS)):
                assert {"p", "r", "f", "per_label"} <= set(block[key])
                assert set(labels) <= set(block[key]["per_label"])
                assert 0.0 <= block[key]["f"] <= 1.0
    if REALDEV_PATH.exists():
        assert {"ner", "rel_end_to_end"} <= set(metrics["real_dev"])
        assert metrics["real_dev"]["paragraphs"] == 60
    # the rules are real rules: they find most entities of the dev split
    assert metrics["dev"]["baselines"]["rules"]["ner"]["f"] > 0.6


def test_score_keys_counts_per_label() -> None:
    predicted = {(0, 3, "ORG"), (5, 8, "PERSON")}
    gold = {(0, 3, "ORG"), (10, 12, "QUANTITY")}
    result = score_keys([(predicted, gold)], ENTITY_LABELS)
    assert result["tp"] == 1 and result["fp"] == 1 and result["fn"] == 1
    assert result["per_label"]["ORG"]["f"] == 1.0
    assert result["per_label"]["QUANTITY"]["r"] == 0.0
    assert result["per_label"]["CLUSTER"] == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 0, "fn": 0}


def test_rules_on_the_seed(baselines_dir: Path, seed_text: str) -> None:
    annotator = RulesAnnotator(load_pipeline(baselines_dir / "rules"))
    paragraphs = seed_text.split("\n\n")
    doc = annotator.annotate([paragraphs[8]])[0]
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("خوشه پوشاک", "CLUSTER") in found
    assert ("در حال پیگیری", "STATUS") in found
    rels = {(r.head(doc).text, r.label, r.child(doc).text) for r in get_relations(doc)}
    assert ("خوشه پوشاک", "HAS_STATUS", "در حال پیگیری") in rels


def test_nearest_pair_heuristic() -> None:
    nlp = spacy.blank("fa")
    from spacy.tokens import Doc, Span

    doc = Doc(nlp.vocab, words="رضا کریمی مدیرعامل شرکت فولاد گفت : خوشه فرش در حال اجرا است .".split())
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 3, 5, "ORG"), Span(doc, 7, 9, "CLUSTER"),
                Span(doc, 9, 12, "STATUS")]
    labels = {(r.head_start, r.label, r.child_start) for r in nearest_pair_relations(doc)}
    assert (0, "AFFILIATED_WITH", 3) in labels and (7, "HAS_STATUS", 9) in labels


def test_crf_tag_repair() -> None:
    assert _repair(["I-ORG", "L-ORG", "O", "B-PERSON", "O"]) == ["B-ORG", "L-ORG", "O", "U-PERSON", "O"]


def test_load_pipeline_errors(tmp_path: Path) -> None:
    with pytest.raises(PersianIEError, match="model not found"):
        load_pipeline(tmp_path / "missing")
    (tmp_path / "notamodel").mkdir()
    with pytest.raises(PersianIEError, match="not a spaCy pipeline"):
        load_pipeline(tmp_path / "notamodel")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text("[nlp\nlang = ", encoding="utf-8")
    with pytest.raises(PersianIEError, match="cannot load the pipeline"):
        load_pipeline(broken)
