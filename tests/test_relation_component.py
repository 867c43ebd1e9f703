"""The `relation_extractor` follows spaCy's pipe contract: scorer from the config, loss through
`get_loss`, labels from the examples, serialization that honours `exclude`, the project's errors."""

from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from persian_ie.corpus.convert import read_docbin
from persian_ie.errors import PersianIEError
from persian_ie.pipeline.relation_component import score_relations
from persian_ie.pipeline.relations import get_relations, relation_keys, set_relations


@pytest.fixture(scope="module")
def trained(tiny_model: Path):
    return spacy.load(tiny_model)


@pytest.fixture(scope="module")
def examples(trained, corpus_dir: Path):
    gold = [doc for doc in read_docbin(corpus_dir / "dev.spacy", trained.vocab) if get_relations(doc)][:12]
    return [Example(trained.make_doc(doc.text), doc) for doc in gold]


def test_the_scorer_comes_from_the_config_and_scores_relations_by_characters(trained, examples) -> None:
    assert trained.get_pipe_config("relation_extractor")["scorer"] == {"@scorers": "persian_ie.relation_scorer.v1"}
    component = trained.get_pipe("relation_extractor")
    assert component.scorer is score_relations
    perfect = [Example(eg.reference, eg.reference) for eg in examples]
    scores = component.score(perfect)
    assert scores["rel_micro_f"] == 1.0 and set(scores["rel_per_type"]) <= set(component.labels)
    empty = []
    for eg in examples:
        doc = eg.reference.copy()
        set_relations(doc, [])
        empty.append(Example(doc, eg.reference))
    assert component.score(empty)["rel_micro_r"] == 0.0
    # `nlp.evaluate` reports the component's scores through the same scorer
    assert "rel_micro_f" in trained.evaluate(examples)


def test_update_computes_its_loss_through_get_loss(trained, examples, monkeypatch) -> None:
    component = trained.get_pipe("relation_extractor")
    calls = []
    original = component.get_loss

    def spy(batch, scores, **kwargs):
        calls.append(len(list(batch)))
        return original(batch, scores, **kwargs)

    monkeypatch.setattr(component, "get_loss", spy)
    trained.get_pipe("tok2vec").update(examples)  # the listener needs the tok2vec's output for this batch
    losses = component.update(examples, sgd=None)
    assert calls == [len(examples)] and losses["relation_extractor"] > 0.0


def test_initialize_reads_the_labels_from_the_examples(tiny_config: Path, examples) -> None:
    from spacy.util import load_config, load_model_from_config

    nlp = load_model_from_config(load_config(tiny_config), auto_fill=True)
    only = []
    for eg in examples:
        doc = eg.reference.copy()
        set_relations(doc, [r for r in get_relations(doc) if r.label == "AFFILIATED_WITH"])
        only.append(Example(nlp.make_doc(doc.text), doc))
    nlp.initialize(lambda: only)
    assert nlp.get_pipe("relation_extractor").labels == ("AFFILIATED_WITH",)


def test_serialization_honours_exclude_and_round_trips(trained, tiny_model: Path, examples, tmp_path: Path) -> None:
    component = trained.get_pipe("relation_extractor")
    texts = [eg.reference.text for eg in examples]
    expected = [relation_keys(doc) for doc in trained.pipe(texts)]
    component.to_disk(tmp_path / "rel", exclude=["vocab"])
    assert sorted(p.name for p in (tmp_path / "rel").iterdir()) == ["cfg", "model"]
    component.to_disk(tmp_path / "rel-no-model", exclude=["model"])
    assert sorted(p.name for p in (tmp_path / "rel-no-model").iterdir()) == ["cfg", "vocab"]
    other = spacy.load(tiny_model)
    other_component = other.get_pipe("relation_extractor")
    other_component.cfg["thresholds"] = {}
    other_component.from_bytes(component.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    assert other_component.cfg == component.cfg
    assert [relation_keys(doc) for doc in other.pipe(texts)] == expected
    other_component.from_disk(tmp_path / "rel", exclude=["vocab"])
    assert [relation_keys(doc) for doc in other.pipe(texts)] == expected
    with pytest.raises(PersianIEError, match="cannot load the relation model"):
        other_component.from_bytes(b"not a model")
