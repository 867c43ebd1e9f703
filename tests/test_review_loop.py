"""The annotator loop, exactly: the documented tokenizer, Prodigy-shaped answers, the merge rules, the report."""

import copy
import gzip
import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest
import spacy
import srsly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persian_ie.corpus.review_import import annotation_key, merge_reviewed, split_for_document
from persian_ie.corpus.sheet import read_sheet, write_sheet
from persian_ie.io.prodigy import read_jsonl, set_hashes
from persian_ie.pipeline.loading import load_pipeline

from .helpers import ROOT, corpus_sample, run_script, write_corpus_sample

GOLD = ROOT / "corpus" / "gold.jsonl"


def corpus_tasks() -> List[Dict[str, Any]]:
    return [task for _, task in read_jsonl(GOLD)]


def token_triples(task: Dict[str, Any]) -> List[tuple]:
    return [(t["text"], t["start"], t["end"], bool(t["ws"])) for t in task["tokens"]]


def doc_triples(doc) -> List[tuple]:
    return [(t.text, t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in doc]


def write_rawtext(path: Path) -> None:
    """Three small 'articles' in the asset's shape: a title line, then paragraphs."""
    lines = [
        "بانک ملت 200 میلیارد ریال تسهیلات پرداخت کرد",
        "رضا کریمی مدیرعامل بانک ملت گفت: این بانک 200 میلیارد ریال تسهیلات به 63 واحد تولیدی پرداخت کرد.",
        "به گزارش خبرگزاری فارس، وزیر صنعت، معدن و تجارت از افتتاح 30 طرح صنعتی در استان خبر داد.",
        "این طرحها با سرمایه گذاری 500 میلیارد تومان در حال اجرا است.",
        "خوشه فرش تبریز با 120 واحد عضو راه اندازی شد",
        "مدیرکل صنعت، معدن و تجارت استان آذربایجان شرقی گفت: خوشه فرش تبریز با 120 واحد عضو راه اندازی شد.",
        "شرکت شهرکهای صنعتی استان از این خوشه حمایت می کند.",
        "استقلال در دیدار با پرسپولیس به پیروزی رسید",
        "تیم فوتبال استقلال عصر امروز در ورزشگاه آزادی به مصاف پرسپولیس رفت و با دو گل پیروز شد.",
        "به گزارش ورزش سه، این دیدار با حضور 60 هزار تماشاگر برگزار شد.",
    ]
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def exported(tiny_model: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_rawtext(folder / "raw.txt.gz")
    output = folder / "batch.jsonl"
    result = run_script("export_batch", [folder / "raw.txt.gz", output, "--model", tiny_model, "--corpus", GOLD,
                                         "--batches-dir", folder / "none", "--realdev", folder / "none.jsonl",
                                         "--n", 20, "--review-dir", folder])
    assert result.exit_code == 0, result.output
    return output


def test_documented_pipeline_tokenizes_like_every_task(tiny_model: Path, exported: Path, tmp_path: Path) -> None:
    """The pipeline the README names for Prodigy re-tokenizes every task token for token (blank:fa does not)."""
    nlp = load_pipeline(tiny_model)
    tasks = corpus_tasks()
    tasks += [task for _, task in read_jsonl(exported)]
    source = tmp_path / "seed.txt"
    shutil.copyfile(ROOT / "corpus" / "raw" / "000_seed_north_khorasan_clusters.txt", source)
    predicted = tmp_path / "predicted.jsonl"
    assert run_script("predict", [source, predicted, "--model", tiny_model, "--review-dir", tmp_path]).exit_code == 0
    tasks += [task for _, task in read_jsonl(predicted)]
    differ = [task["text"][:40] for task in tasks if doc_triples(nlp.make_doc(task["text"])) != token_triples(task)]
    assert differ == []
    blank = spacy.blank("fa")
    plain_differ = sum(doc_triples(blank.make_doc(t["text"])) != token_triples(t) for t in corpus_tasks())
    assert plain_differ > 50  # why the README never names blank:fa


def test_export_draws_whole_real_articles(exported: Path) -> None:
    tasks = [task for _, task in read_jsonl(exported)]
    assert tasks and all("answer" not in task for task in tasks)
    for task in tasks:
        meta = task["meta"]
        assert meta["origin"] == "real" and meta["license"].startswith("Apache-2.0")
        assert {"source", "article", "paragraph", "doc_id", "drawn"} <= set(meta)
        for rel in task["relations"]:
            assert rel["head_span"]["label"] and rel["child_span"]["label"]
            assert rel["head"] == rel["head_span"]["token_end"] and rel["child"] == rel["child_span"]["token_end"]
    articles = {}
    for task in tasks:
        articles.setdefault(task["meta"]["article"], []).append(task["meta"]["paragraph"])
    for paragraphs in articles.values():  # whole articles, in order, the title (line 0) first
        assert paragraphs == list(range(len(paragraphs)))
    sheet = exported.with_name("batch.sheet.txt").read_text(encoding="utf-8")
    answers, problems = read_sheet(sheet, tasks, "alice", "real")
    assert problems == [] and [annotation_key(a) for a in answers] == [annotation_key(t) for t in tasks]


def test_predict_keeps_input_meta(tiny_model: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    srsly.write_jsonl(source, [{"text": "رضا کریمی مدیرعامل بانک ملت گفت: خوشه فرش در حال اجرا است.",
                                "meta": {"paragraph": 11, "source": "my-feed", "raw_text": "mine", "id": "x"}}])
    output = tmp_path / "out.jsonl"
    assert run_script("predict", [source, output, "--model", tiny_model, "--review-dir", tmp_path]).exit_code == 0
    meta = next(iter(srsly.read_jsonl(output)))["meta"]
    assert meta["paragraph"] == 11 and meta["source"] == "my-feed" and meta["raw_text"] == "mine"
    assert meta["persian_ie"]["paragraph"] == 0 and meta["persian_ie"]["raw_text"].startswith("رضا")
    assert meta["model"] and "raw_spans" in meta


# ---------------------------------------------------------------- the scripted round trip


def span_of(task: Dict[str, Any], surface: str, label: str) -> Dict[str, Any]:
    start = task["text"].index(surface)
    end = start + len(surface)
    ids = [t["id"] for t in task["tokens"] if t["start"] >= start and t["end"] <= end]
    assert task["tokens"][ids[0]]["start"] == start and task["tokens"][ids[-1]]["end"] == end
    return {"start": start, "end": end, "token_start": ids[0], "token_end": ids[-1], "label": label}


def relation(head: Dict[str, Any], child: Dict[str, Any], label: str) -> Dict[str, Any]:
    return {"head": head["token_end"], "child": child["token_end"], "head_span": head, "child_span": child,
            "label": label}


def answer(task: Dict[str, Any], annotator: str, view: str, spans, relations=None, verdict: str = "accept",
           stamp: int = 1_700_000_000) -> Dict[str, Any]:
    """What `prodigy db-out` writes for one answer of a named annotator's session."""
    result = copy.deepcopy({k: v for k, v in task.items() if k not in ("spans", "relations")})
    result.update({"spans": copy.deepcopy(spans), "answer": verdict, "_view_id": view,
                   "_annotator_id": f"news-{annotator}", "_session_id": f"news-{annotator}", "_timestamp": stamp})
    if view == "relations":
        result["relations"] = copy.deepcopy(relations or [])
    return set_hashes(result)


def test_round_trip_through_prodigy_shaped_answers(exported: Path, tmp_path: Path) -> None:
    """export -> ner_manual / spans_manual / relations / review answers of two annotators -> import -> convert."""
    batch = [task for _, task in read_jsonl(exported)]
    bank = next(t for t in batch if "۶۳ واحد" in t["text"])
    minister = next(t for t in batch if "وزیر صنعت" in t["text"])
    cluster = next(t for t in batch if t["text"].startswith("مدیرکل"))
    support = next(t for t in batch if t["text"].startswith("شرکت شهرک"))
    sports = next(t for t in batch if "تماشاگر" in t["text"])
    corpus = tmp_path / "gold.jsonl"
    write_corpus_sample(corpus)
    gold = corpus_sample()
    with_relations, lost = next(
        (t, s) for t in gold if len(t["relations"]) >= 2 for s in t["spans"]
        if sum(_key(s) in (_key(r["head_span"]), _key(r["child_span"])) for r in t["relations"]) == 1)

    # alice (relations view) annotates the bank paragraph; bob agrees exactly: one merged version
    person, org = span_of(bank, "رضا کریمی", "PERSON"), span_of(bank, "بانک ملت", "ORG")
    money, units = span_of(bank, "۲۰۰ میلیارد ریال", "QUANTITY"), span_of(bank, "۶۳ واحد", "QUANTITY")
    bank_spans = [person, org, money, units]
    bank_rels = [relation(person, org, "AFFILIATED_WITH"), relation(org, money, "HAS_QUANTITY"),
                 relation(org, units, "HAS_QUANTITY")]
    # the minister paragraph: alice and bob differ -> a conflict, refused by default
    fars, ministry = span_of(minister, "خبرگزاری فارس", "ORG"), span_of(minister, "صنعت، معدن و تجارت", "ORG")
    plans = span_of(minister, "۳۰ طرح", "QUANTITY")
    # the cluster paragraph: alice and bob differ, and the review recipe's output resolves it
    ctask = cluster
    c_span, c_units = span_of(ctask, "خوشه فرش تبریز", "CLUSTER"), span_of(ctask, "۱۲۰ واحد", "QUANTITY")
    c_status = span_of(ctask, next(s for s in ("راه‌اندازی شد", "راه اندازی شد") if s in ctask["text"]), "STATUS")
    c_org = span_of(ctask, "صنعت، معدن و تجارت استان آذربایجان شرقی", "ORG")
    review = answer(ctask, "reviewer", "relations", [c_org, c_span, c_units, c_status],
                    [relation(c_span, c_units, "HAS_QUANTITY"), relation(c_span, c_status, "HAS_STATUS")])
    review["versions"] = [{"sessions": ["news-alice"], "default": True}, {"sessions": ["news-bob"]}]
    # bob's spans_manual answer on a corpus paragraph drops one span that a relation needs
    spans_left = [s for s in with_relations["spans"] if _key(s) != _key(lost)]
    lines = [
        answer(bank, "alice", "relations", bank_spans, bank_rels),
        answer(bank, "bob", "relations", bank_spans, list(reversed(bank_rels)), stamp=1_700_000_100),
        answer(minister, "alice", "relations", [fars, ministry, plans], [relation(ministry, plans, "HAS_QUANTITY")]),
        answer(minister, "bob", "ner_manual", [fars, ministry, plans]),
        answer(ctask, "alice", "relations", [c_span, c_units, c_status], [relation(c_span, c_units, "HAS_QUANTITY")]),
        answer(ctask, "bob", "spans_manual", [c_span, c_status]),
        review,
        answer(with_relations, "bob", "spans_manual", spans_left),
        answer(support, "alice", "relations", [], verdict="reject"),
        answer(sports, "bob", "relations", [], verdict="ignore"),
    ]
    reviewed = tmp_path / "db-out.jsonl"
    srsly.write_jsonl(reviewed, lines)
    before = {t["_input_hash"]: t for t in gold}
    result = run_script("import_reviewed", [reviewed, corpus])
    assert result.exit_code == 0, result.output
    report = srsly.read_json(tmp_path / "db-out.import-report.json")
    assert report["counts"] == {"added": 2, "updated": 1, "unchanged": 0, "rejected": 1, "ignored": 1,
                                "refused": 0, "conflicts": 1, "relations_kept": len(with_relations["relations"]) - 1,
                                "relations_dropped": 1}
    assert report["conflicts"][0]["annotators"] == ["news-alice", "news-bob"]
    assert "conflict" in result.output and "dropped" in result.output
    merged = {t["_input_hash"]: t for _, t in read_jsonl(corpus)}
    assert annotation_key(merged[bank["_input_hash"]]) == annotation_key(lines[0])
    assert annotation_key(merged[ctask["_input_hash"]]) == annotation_key(review)
    assert minister["_input_hash"] not in merged  # the conflict is refused: nothing enters silently
    assert support["_input_hash"] not in merged and sports["_input_hash"] not in merged
    updated = merged[with_relations["_input_hash"]]
    assert {_key(s) for s in updated["spans"]} == {_key(s) for s in spans_left}
    assert len(updated["relations"]) == len(with_relations["relations"]) - 1
    assert updated["meta"]["split"] == with_relations["meta"]["split"]
    for input_hash, task in before.items():  # nothing else changed
        if input_hash != with_relations["_input_hash"]:
            assert merged[input_hash] == task
    added = merged[bank["_input_hash"]]
    assert added["meta"]["origin"] == "real" and added["meta"]["split"] == split_for_document(bank["meta"]["doc_id"])
    assert added["meta"]["review"]["annotator"] in ("news-alice", "news-bob") and "raw_spans" not in added["meta"]
    assert run_script("validate_corpus", [corpus]).exit_code == 0
    assert run_script("convert", [corpus, tmp_path / "spacy"]).exit_code == 0
    # the same file again changes nothing
    snapshot = corpus.read_bytes()
    again = run_script("import_reviewed", [reviewed, corpus])
    assert again.exit_code == 0 and corpus.read_bytes() == snapshot
    counts = srsly.read_json(tmp_path / "db-out.import-report.json")["counts"]
    assert counts["added"] == counts["updated"] == 0 and counts["unchanged"] == 3
    # the conflict, resolved by naming an annotator
    named = run_script("import_reviewed", [reviewed, corpus, "--conflicts", "annotator:news-alice"])
    assert named.exit_code == 0, named.output
    merged = {t["_input_hash"]: t for _, t in read_jsonl(corpus)}
    assert annotation_key(merged[minister["_input_hash"]]) == annotation_key(lines[2])


def _key(span: Dict[str, Any]) -> tuple:
    return (span["start"], span["end"], span["label"])


def test_refused_lines_stop_the_import_with_file_and_line(tmp_path: Path) -> None:
    corpus = write_corpus_sample(tmp_path / "gold.jsonl")
    task = next(t for t in corpus_sample() if t["spans"])
    bad = answer(task, "alice", "relations", [dict(task["spans"][0], label="LOCATION")])
    reviewed = tmp_path / "r.jsonl"
    reviewed.write_text(srsly.json_dumps(answer(task, "alice", "relations", task["spans"], task["relations"]))
                        + "\n{broken\n" + srsly.json_dumps(bad) + "\n", encoding="utf-8")
    before = corpus.read_bytes()
    result = run_script("import_reviewed", [reviewed, corpus])
    assert result.exit_code == 1 and corpus.read_bytes() == before
    assert f"{reviewed}:2: malformed JSON" in result.output and f"{reviewed}:3:" in result.output


# ---------------------------------------------------------------- property: nothing accepted goes missing

SAMPLE = [t for t in corpus_sample() if t["spans"]][:40]


@st.composite
def reviews(draw) -> List[Dict[str, Any]]:
    """Random answers on corpus paragraphs: dropped or relabelled spans, views, verdicts, one or two annotators."""
    lines = []
    for index in draw(st.lists(st.integers(0, len(SAMPLE) - 1), min_size=1, max_size=8, unique=True)):
        task = SAMPLE[index]
        for annotator in draw(st.sampled_from([["alice"], ["bob"], ["alice", "bob"]])):
            keep = [s for s in task["spans"] if draw(st.booleans()) or len(task["spans"]) == 1]
            spans = [dict(s, label="PERSON") if s["label"] == "ORG" and draw(st.booleans()) else s for s in keep]
            keys = {_key(s) for s in spans}
            rels = [r for r in task["relations"] if _key(r["head_span"]) in keys and _key(r["child_span"]) in keys]
            view = draw(st.sampled_from(["relations", "ner_manual", "spans_manual"]))
            verdict = draw(st.sampled_from(["accept", "accept", "reject", "ignore"]))
            lines.append(answer(task, annotator, view, spans, rels, verdict, stamp=len(lines)))
    return lines


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=reviews())
def test_no_accepted_span_or_relation_goes_missing_unless_reported(lines, tmp_path: Path) -> None:
    path = tmp_path / "review.jsonl"
    srsly.write_jsonl(path, lines)
    corpus = corpus_sample()
    merged, report = merge_reviewed(corpus, path)
    by_hash = {t["_input_hash"]: t for t in merged}
    original = {t["_input_hash"]: t for t in corpus}
    conflicted = {c["input_hash"] for c in report.conflicts}
    dropped = {(d["input_hash"], d["label"], d["head"], d["child"]) for d in report.relations_dropped}
    assert len(merged) == len(corpus) and report.refused == []
    for line in lines:
        if line["answer"] != "accept" or line["_input_hash"] in conflicted:
            continue
        result = by_hash[line["_input_hash"]]
        assert {_key(s) for s in line["spans"]} == {_key(s) for s in result["spans"]}
        kept = {(_key(r["head_span"]), _key(r["child_span"]), r["label"]) for r in result["relations"]}
        if line["_view_id"] == "relations":
            assert kept == {(_key(r["head_span"]), _key(r["child_span"]), r["label"]) for r in line["relations"]}
        else:
            text = result["text"]
            for rel in original[line["_input_hash"]]["relations"]:
                key = (_key(rel["head_span"]), _key(rel["child_span"]), rel["label"])
                surfaces = (line["_input_hash"], rel["label"], text[rel["head_span"]["start"]:rel["head_span"]["end"]],
                            text[rel["child_span"]["start"]:rel["child_span"]["end"]])
                assert key in kept or surfaces in dropped
    for input_hash in conflicted:
        assert by_hash[input_hash] == original[input_hash]
    answered = {line["_input_hash"] for line in lines if line["answer"] == "accept"}
    for input_hash, task in original.items():
        if input_hash not in answered:
            assert by_hash[input_hash] == task
    again, second = merge_reviewed(merged, path)
    assert again == merged and second.added == second.updated == []


def test_sheet_round_trips_every_corpus_task() -> None:
    tasks = corpus_tasks()
    answers, problems = read_sheet(write_sheet(tasks), tasks, "alice", "corpus")
    assert problems == [] and [annotation_key(a) for a in answers] == [annotation_key(t) for t in tasks]
    edited = write_sheet(tasks[:1]).replace("](ORG:e1)", "](PERSONX:e1)")
    _, problems = read_sheet(edited, tasks[:1], "alice", "corpus")
    assert problems and "unknown entity label 'PERSONX'" in problems[0] and ":5:" in problems[0]


def test_sheet_escapes_the_brackets_of_the_text_itself() -> None:
    """A real paragraph quoting in square brackets: the sheet writes them as \\[ \\] and reads them back."""
    task = next(t for _, t in read_jsonl(ROOT / "corpus" / "real" / "batch-20" / "preannotated.jsonl")
                if "[" in t["text"])
    sheet = write_sheet([task])
    assert "\\[" in sheet and "\\]" in sheet
    answers, problems = read_sheet(sheet, [task], "alice", "corpus")
    assert problems == [] and answers[0]["text"] == task["text"]
    assert annotation_key(answers[0]) == annotation_key(task)
    unescaped = sheet.replace("\\[", "[").replace("\\]", "]")
    _, problems = read_sheet(unescaped, [task], "alice", "corpus")
    assert problems and "write a bracket of the text itself as \\[" in problems[0]
