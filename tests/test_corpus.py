"""The gold corpus: it is valid, up to date with the authored files, and big enough; the validator
catches every kind of broken task."""

import copy
from pathlib import Path

import pytest
import srsly

from persian_ie.corpus.build import assign_splits, build_corpus, read_documents, read_splits
from persian_ie.corpus.markup import parse_document
from persian_ie.corpus.report import corpus_stats, render_report
from persian_ie.corpus.validation import validate_corpus, validate_task
from persian_ie.errors import PersianIEError
from persian_ie.io.prodigy import set_hashes
from persian_ie.pipeline.tokenizer import blank_nlp
from persian_ie.schema import ENTITY_LABELS, RELATION_LABELS

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpus" / "gold.jsonl"


@pytest.fixture(scope="module")
def nlp():
    return blank_nlp()


@pytest.fixture(scope="module")
def gold():
    return list(srsly.read_jsonl(GOLD))


def test_committed_corpus_is_valid(nlp) -> None:
    tasks, problems = validate_corpus(GOLD, nlp)
    assert problems == []
    assert len(tasks) >= 600


def test_corpus_is_built_from_the_authored_documents(nlp, gold) -> None:
    documents = read_documents(ROOT / "corpus" / "authored")
    recorded = read_splits(ROOT / "corpus" / "splits.json")
    assert assign_splits([d.doc_id for d in documents], recorded) == recorded
    result = build_corpus(nlp, documents, recorded, gold)
    assert result.problems == []
    assert [t["_task_hash"] for t in result.tasks] == [t["_task_hash"] for t in gold]


def test_size_and_variety(gold) -> None:
    stats = corpus_stats(gold)
    assert sum(stats.documents.values()) >= 150
    for label in ENTITY_LABELS:
        assert stats.entities["train"][label] >= 300, label
    for label in RELATION_LABELS:
        assert stats.relations["train"][label] >= 150, label
    shares = {split: n / sum(stats.documents.values()) for split, n in stats.documents.items()}
    assert 0.65 <= shares["train"] <= 0.75 and 0.12 <= shares["dev"] <= 0.18


def test_seed_is_in_train_and_fully_annotated(gold, seed_text) -> None:
    seed = [t for t in gold if t["meta"]["doc_id"] == "000_seed_north_khorasan_clusters"]
    assert len(seed) == 14 and all(t["meta"]["split"] == "train" for t in seed)
    raw = (ROOT / "corpus" / "raw" / "000_seed_north_khorasan_clusters.txt").read_text(encoding="utf-8")
    assert raw.rstrip("\n") == seed_text
    labels = {(t["text"][s["start"] : s["end"]], s["label"]) for t in seed for s in t["spans"]}
    assert {("سیاوش وحدت", "PERSON"), ("۱۶ رشته", "QUANTITY"), ("خوشه دام سبک", "CLUSTER"),
            ("مستقل شده‌اند", "STATUS"), ("شرکت شهرک‌های صنعتی خراسان شمالی", "ORG")} <= labels


def test_report_lists_counts_and_inconsistencies(gold) -> None:
    report = render_report(gold)
    assert "| QUANTITY |" in report and "| SUPPORTS |" in report
    assert "## Annotated in one place, not in another" in report


def good_task(gold):
    return copy.deepcopy(next(t for t in gold if t["relations"] and len(t["spans"]) >= 3))


@pytest.mark.parametrize(
    "breaker,reason",
    [
        (lambda t: t["spans"][0].update(label="LOCATION"), "unknown label"),
        (lambda t: t["spans"][0].update(end=len(t["text"]) + 5), "out of bounds"),
        (lambda t: t["spans"][0].update(end=t["spans"][0]["end"] - 1), "token boundaries"),
        (lambda t: t["spans"].append(dict(t["spans"][0])), "overlaps"),
        (lambda t: t["relations"][0].update(head=t["relations"][0]["head"] + 1), "token_end"),
        (lambda t: t["relations"][0]["head_span"].update(start=0, end=1), "not an annotated span"),
        (lambda t: t["relations"][0].update(label="OWNS"), "unknown label"),
        (lambda t: t.update(text=t["text"] + " "), "_input_hash"),
        (lambda t: t.update(answer="maybe"), "answer"),
    ],
)
def test_validator_catches(gold, breaker, reason) -> None:
    task = good_task(gold)
    assert validate_task(task) == []
    breaker(task)
    problems = validate_task(task)
    assert any(reason in p for p in problems), problems


def test_validator_rejects_disallowed_pair(gold) -> None:
    task = good_task(gold)
    rel = task["relations"][0]
    rel["head_span"], rel["child_span"] = rel["child_span"], rel["head_span"]
    rel["head"], rel["child"] = rel["child"], rel["head"]
    set_hashes(task)
    assert any("cannot join" in p for p in validate_task(task))


def test_corpus_level_checks(gold, tmp_path) -> None:
    first = copy.deepcopy(gold[0])
    moved = copy.deepcopy(gold[0])
    moved["meta"]["split"] = "test"
    path = tmp_path / "corpus.jsonl"
    srsly.write_jsonl(path, [first, moved])
    _, problems = validate_corpus(path)
    reasons = " ".join(str(p) for p in problems)
    assert "duplicate of line 1" in reasons
    assert "in train (line 1) and test" in reasons
    assert str(problems[0]).startswith(f"{path}:2:")


def test_markup_errors_name_the_line() -> None:
    with pytest.raises(PersianIEError, match="x.txt:3"):
        parse_document("# doc_id: x\n\n[سلام](LOCATION) گفت\n", "x.txt")
    with pytest.raises(PersianIEError, match="cannot join"):
        parse_document("# doc_id: x\n\n[علی](PERSON:a) و [۲ تن](QUANTITY:b)\n>> a HAS_QUANTITY b\n", "x.txt")


def test_spacy_debug_data_finds_no_errors(corpus_dir, tiny_config) -> None:
    """`spacy debug data` on the converted sample (with the tiny config's pipeline) reports no errors.

    validate-corpus checks every paragraph of gold.jsonl (test_committed_corpus_is_valid); this checks that
    what `convert` writes is what spaCy expects, which a sample shows as well as the whole corpus.
    """
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", str(tiny_config),
         "--paths.train", str(corpus_dir / "train.spacy"), "--paths.dev", str(corpus_dir / "dev.spacy")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "✘" not in result.stdout, result.stdout[-3000:]
    assert "0 errors" in result.stdout or "✔ Good amount of examples" in result.stdout


def test_spacy_files_read_back_with_the_msgpack_plugins_loaded_once(tmp_path: Path) -> None:
    import numpy
    from spacy.tokens import DocBin
    from srsly.msgpack import msgpack_decoders, msgpack_encoders

    from persian_ie.corpus.convert import DOC_META_KEY, doc_meta, read_docbin

    # importing the package loaded them: reading a .spacy file no longer scans the installed packages per doc
    assert not msgpack_decoders.entry_points and not msgpack_encoders.entry_points
    assert "numpy" in msgpack_decoders.get_all() and "numpy" in msgpack_encoders.get_all()
    nlp = blank_nlp()
    doc = nlp("وزیر صنعت، معدن و تجارت گفت: ۱۲ خوشه صنعتی فعال است.")
    meta = {"origin": "real", "outlet": "fars", "article": "a1", "paragraph": 2}
    doc.user_data[DOC_META_KEY] = meta
    doc.user_data["scores"] = numpy.array([0.25, 0.75], dtype="float32")  # the numpy decoder still runs
    DocBin(docs=[doc], store_user_data=True).to_disk(tmp_path / "one.spacy")
    (back,) = read_docbin(tmp_path / "one.spacy", nlp.vocab)
    assert back.text == doc.text and doc_meta(back) == meta
    assert isinstance(back.user_data["scores"], numpy.ndarray) and back.user_data["scores"].tolist() == [0.25, 0.75]


def test_msgpack_plugins_from_entry_points_stay_available_with_their_precedence(monkeypatch) -> None:
    import catalogue

    from persian_ie.io.msgpack_plugins import load_msgpack_plugins_once

    def by_entry_point(obj, chain=None):
        return obj

    def by_name(obj, chain=None):
        return obj

    registry = catalogue.create("persian_ie_test", "msgpack_decoders", entry_points=True)
    registry.register("shared", func=by_name)
    scans = []

    def entry_points():
        scans.append(1)
        return {"plugin": by_entry_point, "shared": by_entry_point}

    monkeypatch.setattr(registry, "get_entry_points", entry_points)
    load_msgpack_plugins_once([registry])
    assert scans == [1] and registry.entry_points is False
    assert registry.get_all() == {"plugin": by_entry_point, "shared": by_name}
    assert registry.get_all() and scans == [1]  # asking again scans nothing
    load_msgpack_plugins_once([registry])  # a second call (a second import path) changes nothing
    assert registry.get_all() == {"plugin": by_entry_point, "shared": by_name} and scans == [1]
