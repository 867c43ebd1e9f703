"""Label Studio tasks out and annotations back in, without a server: formats, checks, merge, report.

The records built here have the shape the real server's full JSON export has (checked against
label-studio 1.23 in tests/test_labelstudio_server.py): `id`, `data`, `annotations` with an integer
`completed_by`, `was_cancelled`, `created_at`/`updated_at` and `result`, and `predictions` as ids only.
"""

import copy
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List

import pytest
import srsly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persian_ie.corpus.review_import import annotation_key, merge_reviewed
from persian_ie.io.labelstudio import (
    annotation_to_task,
    is_labelstudio_export,
    labeling_config,
    to_labelstudio,
)
from persian_ie.io.prodigy import read_jsonl, write_jsonl_atomic
from persian_ie.io.review_page import COLORS
from persian_ie.pipeline.tokenizer import blank_nlp
from persian_ie.schema import ENTITY_LABELS, RELATION_LABELS

from .helpers import ROOT, run_project, run_script
from .labelstudio_helpers import ZWNJ, drop_one_relation, free_word, real_samples, snappable_span

GOLD = ROOT / "corpus" / "gold.jsonl"


@pytest.fixture(scope="module")
def nlp():
    return blank_nlp()


@pytest.fixture(scope="module")
def gold() -> List[Dict[str, Any]]:
    """The first 60 corpus tasks, whatever they hold."""
    tasks = []
    for line, task in read_jsonl(GOLD):
        if line > 60:
            break
        tasks.append(task)
    return tasks


@pytest.fixture(scope="module")
def samples() -> Dict[str, Dict[str, Any]]:
    return real_samples(GOLD)


def export_record(task_id: int, task: Dict[str, Any], annotations: List[Dict[str, Any]]) -> Dict[str, Any]:
    """One task of Label Studio's full JSON export of `task` exported by `to_labelstudio`."""
    exported = to_labelstudio(task)
    return {"id": task_id, "data": exported["data"], "annotations": annotations, "predictions": [task_id],
            "drafts": [], "meta": {}}


def annotation(result: List[Dict[str, Any]], user: Any = 1, number: int = 1, cancelled: bool = False,
               at: str = "2026-12-03T10:00:00.000000Z") -> Dict[str, Any]:
    return {"id": number, "completed_by": user, "result": result, "was_cancelled": cancelled,
            "ground_truth": False, "created_at": at, "updated_at": at, "lead_time": 3.2, "task": number}


def predicted(task: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The prediction's result, as an annotator who accepts it unchanged submits it."""
    return copy.deepcopy(to_labelstudio(task)["predictions"][0]["result"])


def region(result: List[Dict[str, Any]], text: str) -> Dict[str, Any]:
    return next(r for r in result if r["type"] == "labels" and r["value"]["text"] == text)


def write_corpus(tmp_path: Path, tasks: List[Dict[str, Any]]) -> Path:
    corpus = tmp_path / "gold.jsonl"
    write_jsonl_atomic(corpus, tasks)
    return corpus


def write_export(tmp_path: Path, records: List[Dict[str, Any]], name: str = "export.json") -> Path:
    path = tmp_path / name
    srsly.write_json(path, records)
    return path


def test_labeling_config_is_rtl_with_the_schema_in_the_review_page_colours() -> None:
    root = ET.fromstring(labeling_config())
    labels = root.find("Labels")
    assert [label.get("value") for label in labels.findall("Label")] == list(ENTITY_LABELS)
    assert {label.get("value"): label.get("background") for label in labels.findall("Label")} == COLORS
    assert [rel.get("value") for rel in root.find("Relations").findall("Relation")] == list(RELATION_LABELS)
    text_views = [view for view in root.iter("View") if view.find("Text") is not None]
    assert len(text_views) == 1 and "direction: rtl" in text_views[0].get("style")
    text = text_views[0].find("Text")
    assert labels.get("toName") == text.get("name") and text.get("value") == "$text"


def test_export_writes_data_prediction_and_relations(samples) -> None:
    task = samples["all_relations"]
    exported = to_labelstudio(task)
    data = exported["data"]
    assert data["text"] == task["text"] and data["meta"] == task["meta"]
    assert (data["_input_hash"], data["_task_hash"]) == (task["_input_hash"], task["_task_hash"])
    [prediction] = exported["predictions"]
    assert prediction["model_version"] == "corpus" and prediction["score"] == 1.0
    regions = {r["id"]: r for r in prediction["result"] if r["type"] == "labels"}
    assert len(regions) == len(task["spans"])
    relations = [r for r in prediction["result"] if r["type"] == "relation"]
    assert len(relations) == len(task["relations"]) and {r["labels"][0] for r in relations} == set(RELATION_LABELS)
    for rel, item in zip(task["relations"], relations):
        assert item["direction"] == "right"
        assert regions[item["from_id"]]["value"]["start"] == rel["head_span"]["start"]
        assert regions[item["to_id"]]["value"]["start"] == rel["child_span"]["start"]


def test_predictions_carry_model_version_and_least_confident_score(samples) -> None:
    task = copy.deepcopy(samples["all_relations"])
    task["meta"].update(model="fa_persian_news_ie", model_version="0.1.0")
    task["spans"][1]["score"] = 0.4
    task["relations"][0]["score"] = 0.7
    [prediction] = to_labelstudio(task)["predictions"]
    assert prediction["model_version"] == "fa_persian_news_ie-0.1.0" and prediction["score"] == 0.4
    assert prediction["result"][1]["score"] == 0.4


def test_offsets_are_code_points_with_zwnj(samples, nlp) -> None:
    task = samples["zwnj"]
    text = task["text"]
    result = to_labelstudio(task)["predictions"][0]["result"]
    spans = [r for r in result if r["type"] == "labels"]
    with_zwnj = next(r for r in spans if ZWNJ in r["value"]["text"])
    assert with_zwnj["value"]["end"] - with_zwnj["value"]["start"] == len(with_zwnj["value"]["text"])
    after = [r for r in spans if r["value"]["start"] > with_zwnj["value"]["end"]]
    assert after
    for item in spans:
        start, end = item["value"]["start"], item["value"]["end"]
        assert text[start:end] == item["value"]["text"]
        # without the ZWNJs every offset after one would be short: they count as characters
        shift = text[:start].count(ZWNJ)
        assert text.replace(ZWNJ, "")[start - shift:].startswith(item["value"]["text"].replace(ZWNJ, ""))
    assert any(text[:r["value"]["start"]].count(ZWNJ) for r in after)
    # Label Studio's browser counts UTF-16 units: for Persian (all in the BMP) they are the code points
    assert len(text.encode("utf-16-le")) // 2 == len(text)
    back, reasons = annotation_to_task(to_labelstudio(task)["data"], annotation(result), nlp.make_doc)
    assert reasons == [] and annotation_key(back) == annotation_key(task)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_export_then_read_back_is_the_identity(gold, nlp, data) -> None:
    """Any corpus task, with any subset of its spans (and the relations both of whose ends remain),
    comes back from an unchanged Label Studio annotation as the same annotation."""
    task = copy.deepcopy(data.draw(st.sampled_from(gold)))
    keep = data.draw(st.lists(st.booleans(), min_size=len(task["spans"]), max_size=len(task["spans"])))
    task["spans"] = [span for span, kept in zip(task["spans"], keep) if kept]
    keys = {(s["start"], s["end"], s["label"]) for s in task["spans"]}
    task["relations"] = [r for r in task["relations"] if all(
        (r[end]["start"], r[end]["end"], r[end]["label"]) in keys for end in ("head_span", "child_span"))]
    exported = to_labelstudio(task)
    back, reasons = annotation_to_task(exported["data"], annotation(exported["predictions"][0]["result"]),
                                       nlp.make_doc)
    assert reasons == []
    assert annotation_key(back) == annotation_key(task)
    assert back["tokens"] == task["tokens"] and back["meta"] == task["meta"]


def test_no_edits_leave_the_corpus_byte_identical(gold, tmp_path: Path) -> None:
    tasks = list(gold)
    corpus = write_corpus(tmp_path, tasks)
    before = corpus.read_bytes()
    records = [export_record(i, task, [annotation(predicted(task), number=i)]) for i, task in enumerate(tasks, 1)]
    reviewed = write_export(tmp_path, records)
    result = run_script("import_reviewed", [reviewed, corpus])
    assert result.exit_code == 0, result.output
    report = srsly.read_json(tmp_path / "export.import-report.json")
    assert report["counts"]["unchanged"] == len(tasks)
    assert sum(report["counts"].values()) == len(tasks)
    assert corpus.read_bytes() == before and not (tmp_path / "gold.jsonl.bak").exists()
    # nobody annotated anything: every task is reported, nothing changes
    untouched = write_export(tmp_path, [export_record(i, t, []) for i, t in enumerate(tasks, 1)], "untouched.json")
    result = run_script("import_reviewed", [untouched, corpus])
    assert result.exit_code == 0, result.output
    assert srsly.read_json(tmp_path / "untouched.import-report.json")["counts"]["ignored"] == len(tasks)
    assert corpus.read_bytes() == before


def test_annotator_edits_are_merged_exactly(samples, tmp_path: Path) -> None:
    """Accept one unchanged, change a label, delete a relation, add a span: the corpus holds exactly that."""
    tasks = {case: samples[case] for case in ("plain0", "plain1", "all_relations", "zwnj")}
    accepted = predicted(tasks["plain0"])
    relabelled = predicted(tasks["plain1"])
    first = next(r for r in relabelled if r["type"] == "labels")
    old_label = first["value"]["labels"][0]
    new_label = next(label for label in ("ORG", "CLUSTER") if label != old_label)
    first["value"]["labels"] = [new_label]
    relabelled = [r for r in relabelled if r["type"] != "relation" or first["id"] not in (r["from_id"], r["to_id"])]
    dropped, gone = drop_one_relation(predicted(tasks["all_relations"]))
    added = predicted(tasks["zwnj"])
    word = free_word(tasks["zwnj"])
    start, end = word["start"], word["end"]
    added.append({"id": "new1", "from_name": "label", "to_name": "text", "type": "labels",
                  "value": {"start": start, "end": end, "text": word["text"], "labels": ["CLUSTER"]}})
    records = [export_record(1, tasks["plain0"], [annotation(accepted, number=1)]),
               export_record(2, tasks["plain1"], [annotation(relabelled, number=2)]),
               export_record(3, tasks["all_relations"], [annotation(dropped, number=3)]),
               export_record(4, tasks["zwnj"], [annotation(added, number=4)])]
    merged, report = merge_reviewed(list(tasks.values()), write_export(tmp_path, records), blank_nlp())
    assert report.refused == [] and len(report.unchanged) == 1 and len(report.updated) == 3
    after = {task["_input_hash"]: task for task in merged}
    before = {task["_input_hash"]: task for task in tasks.values()}
    spans = {h: {(s["start"], s["end"], s["label"]) for s in t["spans"]} for h, t in after.items()}
    rels = {h: {(r["head_span"]["start"], r["child_span"]["start"], r["label"]) for r in t["relations"]}
            for h, t in after.items()}
    old_spans = {h: {(s["start"], s["end"], s["label"]) for s in t["spans"]} for h, t in before.items()}
    old_rels = {h: {(r["head_span"]["start"], r["child_span"]["start"], r["label"]) for r in t["relations"]}
                for h, t in before.items()}
    h1, h2, h3, h4 = (tasks[case]["_input_hash"] for case in ("plain0", "plain1", "all_relations", "zwnj"))
    assert after[h1] == before[h1]
    changed = (first["value"]["start"], first["value"]["end"])
    assert spans[h2] == {k for k in old_spans[h2] if k[:2] != changed} | {changed + (new_label,)}
    assert rels[h2] == {r for r in old_rels[h2] if changed[0] not in r[:2]}
    assert spans[h3] == old_spans[h3] and rels[h3] == old_rels[h3] - {gone} != old_rels[h3]
    assert spans[h4] == old_spans[h4] | {(start, end, "CLUSTER")} and rels[h4] == old_rels[h4]
    for task in merged:
        assert task["meta"]["doc_id"] == next(t for t in tasks.values() if t["_input_hash"] == task["_input_hash"])[
            "meta"]["doc_id"]


def refusal(samples, nlp, tmp_path: Path, edit, data_edit=None) -> str:
    task = samples["all_relations"]
    result = predicted(task)
    edit(result, task["text"])
    record = export_record(7, task, [annotation(result, number=70)])
    if data_edit is not None:
        data_edit(record["data"])
    _, report = merge_reviewed([task], write_export(tmp_path, [record]), nlp)
    assert len(report.refused) == 1, report.refused
    reason = report.refused[0]["reason"]
    assert reason.startswith("task 7: ")
    return reason


def _relation(result: List[Dict[str, Any]], label: str) -> Dict[str, Any]:
    return next(r for r in result if r["type"] == "relation" and r["labels"] == [label])


def _first_span(result: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(r for r in result if r["type"] == "labels")


def _shorten(value: Dict[str, Any], text: str) -> None:
    value.update(end=value["end"] - 1, text=text[value["start"]:value["end"] - 1])


def _set(mapping: Dict[str, Any], key: str, value: Any) -> None:
    mapping[key] = value


REFUSALS = {
    "unknown entity label": (lambda r, t: _first_span(r)["value"].update(labels=["LOC"]), "'LOC' is not one of"),
    "two labels on a span": (lambda r, t: _first_span(r)["value"].update(labels=["ORG", "PERSON"]),
                             "exactly one label"),
    "unknown relation label": (lambda r, t: _relation(r, "SUPPORTS").update(labels=["LOCATED_IN"]),
                               "'LOCATED_IN' is not one of"),
    "relation without label": (lambda r, t: _relation(r, "SUPPORTS").update(labels=[]), "exactly one label"),
    "bidirectional relation": (lambda r, t: _relation(r, "SUPPORTS").update(direction="bi"), "direction 'bi'"),
    "reversed relation": (lambda r, t: _relation(r, "AFFILIATED_WITH").update(direction="left"),
                          "points ORG -> PERSON; draw it from the PERSON to the ORG"),
    "pair the schema refuses": (lambda r, t: _relation(r, "HAS_STATUS").update(labels=["SUPPORTS"]),
                                "cannot join CLUSTER -> STATUS"),
    "dangling from_id": (lambda r, t: _relation(r, "SUPPORTS").update(from_id="gone"), "does not join two regions"),
    "offsets past the text": (lambda r, t: _first_span(r)["value"].update(end=len(t) + 5),
                              "out of bounds of the text"),
    "value.text disagrees": (lambda r, t: _first_span(r)["value"].update(text="چیز دیگر"), "says 'چیز دیگر'"),
    "span inside a word": (lambda r, t: _shorten(_first_span(r)["value"], t), "is not on token boundaries (--snap"),
    "unknown result type": (lambda r, t: r.append({"id": "c1", "type": "choices", "from_name": "x", "to_name": "text",
                                                   "value": {"choices": ["ok"]}}), "result type 'choices'"),
    "duplicate region id": (lambda r, t: r.append(copy.deepcopy(_first_span(r))), "used twice"),
    "overlapping spans": (lambda r, t: r.append({"id": "o1", "from_name": "label", "to_name": "text", "type": "labels",
                                                 "value": {"start": _first_span(r)["value"]["start"],
                                                           "end": _first_span(r)["value"]["end"],
                                                           "text": _first_span(r)["value"]["text"],
                                                           "labels": ["CLUSTER"]}}), "overlaps span"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_every_check_refuses_with_the_task_id(samples, nlp, tmp_path: Path, case: str) -> None:
    edit, expected = REFUSALS[case]
    assert expected in refusal(samples, nlp, tmp_path, edit)


def test_edited_text_is_refused(samples, nlp, tmp_path: Path) -> None:
    reason = refusal(samples, nlp, tmp_path, lambda r, t: None,
                     data_edit=lambda data: _set(data, "text", data["text"].replace("ایرنا", "ایسنا")))
    assert "data.text is not the text that was exported" in reason


def test_a_left_relation_drawn_from_the_child_is_the_same_relation(samples, nlp, tmp_path: Path) -> None:
    task = samples["all_relations"]
    result = predicted(task)
    rel = _relation(result, "AFFILIATED_WITH")
    rel.update(from_id=rel["to_id"], to_id=rel["from_id"], direction="left")
    merged, report = merge_reviewed([task], write_export(tmp_path, [export_record(1, task, [annotation(result)])]), nlp)
    assert report.refused == [] and len(report.unchanged) == 1 and merged == [task]


def test_refused_import_changes_nothing_and_exits_non_zero(samples, tmp_path: Path) -> None:
    task = samples["all_relations"]
    result = predicted(task)
    _relation(result, "SUPPORTS")["direction"] = "bi"
    corpus = write_corpus(tmp_path, [task])
    before = corpus.read_bytes()
    outcome = run_script("import_reviewed", [write_export(tmp_path, [export_record(9, task, [annotation(result)])]),
                                             corpus])
    assert outcome.exit_code == 1 and "task 9: relation SUPPORTS" in outcome.output
    assert corpus.read_bytes() == before


def test_cancelled_annotations_are_reported_never_imported(samples, nlp, tmp_path: Path) -> None:
    task = samples["all_relations"]
    result = [r for r in predicted(task) if r["type"] == "labels"][:1]
    record = export_record(3, task, [annotation(result, cancelled=True, user=5)])
    merged, report = merge_reviewed([task], write_export(tmp_path, [record]), nlp)
    assert merged == [task] and not report.changed
    assert [(item["where"], item["annotator"]) for item in report.ignored] == [("task 3", "5")]


def test_several_annotators_follow_the_conflict_policy(samples, nlp, tmp_path: Path) -> None:
    task = samples["all_relations"]
    second = {"id": 2, "email": "b@x.ir"}
    same = [annotation(predicted(task), user=1, number=1), annotation(predicted(task), user=second, number=2)]
    _, report = merge_reviewed([task], write_export(tmp_path, [export_record(1, task, same)], "same.json"), nlp)
    assert report.conflicts == [] and len(report.unchanged) == 1
    fewer = [r for r in predicted(task) if r.get("labels") != ["SUPPORTS"]]
    differ = [annotation(predicted(task), user=1, number=1), annotation(fewer, user=second, number=2)]
    reviewed = write_export(tmp_path, [export_record(1, task, differ)], "differ.json")
    merged, report = merge_reviewed([task], reviewed, nlp)
    assert merged == [task] and report.conflicts[0]["annotators"] == ["1", "b@x.ir"]
    assert report.conflicts[0]["resolution"].startswith("refused")
    merged, report = merge_reviewed([task], reviewed, nlp, policy="annotator:b@x.ir")
    assert len(report.updated) == 1 and "SUPPORTS" not in {r["label"] for r in merged[0]["relations"]}
    assert merged[0]["meta"]["review"]["annotator"] == "b@x.ir"
    # one annotator's later annotation is their version: no conflict with their earlier one
    later = [annotation(predicted(task), user=1, number=1, at="2026-12-03T10:00:00Z"),
             annotation(fewer, user=1, number=2, at="2026-12-03T11:00:00Z")]
    merged, report = merge_reviewed([task], write_export(tmp_path, [export_record(1, task, later)], "later.json"), nlp)
    assert report.conflicts == [] and len(report.updated) == 1


def test_snapping_to_tokens_is_explicit_and_reported(samples, nlp, tmp_path: Path) -> None:
    task = samples["all_relations"]
    result = predicted(task)
    chosen = snappable_span(task)
    start, end = chosen["start"], chosen["end"]
    span = region(result, task["text"][start:end])
    span["value"].update(start=start + 1, end=end - 1, text=task["text"][start + 1:end - 1])  # a sloppy selection
    reviewed = write_export(tmp_path, [export_record(5, task, [annotation(result)])])
    _, report = merge_reviewed([task], reviewed, nlp)
    assert "not on token boundaries" in report.refused[0]["reason"]
    merged, report = merge_reviewed([task], reviewed, nlp, snap=True)
    assert report.refused == [] and len(report.unchanged) == 1 and merged == [task]
    assert report.snapped == [{"where": "task 5", "label": chosen["label"], "from": [start + 1, end - 1],
                               "to": [start, end], "text": task["text"][start:end]}]
    corpus = write_corpus(tmp_path, [task])
    outcome = run_script("import_reviewed", [reviewed, corpus, "--snap"])
    assert outcome.exit_code == 0 and "snapped" in outcome.output


def test_format_is_detected_by_shape_or_named(samples, nlp, tmp_path: Path) -> None:
    task = samples["all_relations"]
    reviewed = write_export(tmp_path, [export_record(1, task, [annotation(predicted(task))])], "export.txt")
    prodigy = tmp_path / "db-out.jsonl"
    write_jsonl_atomic(prodigy, [task])
    assert is_labelstudio_export(reviewed) and not is_labelstudio_export(prodigy)
    for fmt in ("auto", "labelstudio"):
        _, report = merge_reviewed([task], reviewed, nlp, fmt=fmt)
        assert len(report.unchanged) == 1
    _, report = merge_reviewed([task], prodigy, nlp, fmt="prodigy")
    assert len(report.unchanged) == 1
    corpus = write_corpus(tmp_path, [task])
    outcome = run_script("import_reviewed", [reviewed, corpus, "--format", "labelstudio"])
    assert outcome.exit_code == 0, outcome.output
    outcome = run_script("import_reviewed", [reviewed, corpus, "--format", "doccano"])
    assert outcome.exit_code == 1 and "format must be one of" in outcome.output


def test_export_command_writes_tasks_and_config(samples, tmp_path: Path) -> None:
    source = tmp_path / "batch.jsonl"
    tasks = [samples["all_relations"], samples["zwnj"]]
    write_jsonl_atomic(source, tasks)
    output = tmp_path / "batch.json"
    result = run_script("export_labelstudio", [source, output])
    assert result.exit_code == 0, result.output
    assert srsly.read_json(output) == [to_labelstudio(task) for task in tasks]
    assert (tmp_path / "batch.config.xml").read_text(encoding="utf-8") == labeling_config()
    bad = tmp_path / "news.txt"
    bad.write_text("متن", encoding="utf-8")
    result = run_script("export_labelstudio", [bad, output])
    assert result.exit_code == 1 and "expected Prodigy tasks" in result.output


def test_a_relation_end_outside_the_spans_becomes_a_region(samples) -> None:
    task = copy.deepcopy(samples["all_relations"])
    rel = next(r for r in task["relations"] if r["label"] == "SUPPORTS")
    task["spans"] = [s for s in task["spans"] if (s["start"], s["label"]) != (rel["head_span"]["start"], "ORG")]
    result = to_labelstudio(task)["predictions"][0]["result"]
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    supports = _relation(result, "SUPPORTS")
    assert regions[supports["from_id"]]["value"]["start"] == rel["head_span"]["start"]


def test_export_then_project_command(samples, tmp_path: Path) -> None:
    """`spacy project run export-labelstudio` with --vars.input and --vars.output, as the README says."""
    source = tmp_path / "gold3.jsonl"
    write_jsonl_atomic(source, [samples["plain0"], samples["plain1"], samples["all_relations"]])
    output = tmp_path / "out" / "gold3.json"
    result = run_project(["export-labelstudio", ".", "--vars.input", str(source), "--vars.output", str(output)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(srsly.read_json(output)) == 3 and (tmp_path / "out" / "gold3.config.xml").exists()
