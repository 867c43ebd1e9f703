"""The Label Studio round trip against a real server: export, import with predictions, annotate, export, merge.

The server (label-studio 1.23 from PyPI, in its own venv) is started once per session by the
`labelstudio` fixture in conftest.py, on a fresh data dir and a free port of 127.0.0.1, and stopped by
its pid. Projects, tasks, annotations and the export go through label-studio-sdk; annotations are
submitted as the annotator's browser does: a result list per task, starting from the prediction Label
Studio shows.
"""

import copy
from pathlib import Path
from typing import Any, Dict, List

import pytest
import srsly

from persian_ie.io.prodigy import read_jsonl, write_jsonl_atomic

from .helpers import ROOT, run_script
from .labelstudio_helpers import drop_one_relation, free_word, real_samples

pytestmark = pytest.mark.slow

GOLD = ROOT / "corpus" / "gold.jsonl"
CASES = {"accept": "plain0", "relabel": "plain1", "drop_relation": "all_relations", "add_span": "zwnj",
         "skip": "plain2"}


def span_keys(task: Dict[str, Any]) -> set:
    return {(s["start"], s["end"], s["label"]) for s in task["spans"]}


def relation_keys(task: Dict[str, Any]) -> set:
    return {(r["head_span"]["start"], r["child_span"]["start"], r["label"]) for r in task["relations"]}


def push(labelstudio, tmp_path: Path, tasks: List[Dict[str, Any]], title: str) -> Dict[int, Dict[str, Any]]:
    """Export the tasks with the project's command, create a project from the written config, import
    them: the server's tasks by input hash."""
    source, output = tmp_path / f"{title}.jsonl", tmp_path / f"{title}.json"
    write_jsonl_atomic(source, tasks)
    result = run_script("export_labelstudio", [source, output])
    assert result.exit_code == 0, result.output
    config = (tmp_path / f"{title}.config.xml").read_text(encoding="utf-8")
    pushed = labelstudio.push(title, config, srsly.read_json(output))
    assert pushed["task_count"] == len(tasks) and pushed["prediction_count"] == len(tasks)
    served = pushed["tasks"]
    assert len(served) == len(tasks)
    return pushed["project"], {task["data"]["_input_hash"]: task for task in served}


def pull(labelstudio, project: int, tmp_path: Path, corpus_tasks: List[Dict[str, Any]], name: str):
    """The full JSON export, imported into a scratch corpus holding `corpus_tasks`."""
    exported = labelstudio.export(project)
    reviewed = tmp_path / f"{name}.export.json"
    srsly.write_json(reviewed, exported)
    corpus = tmp_path / f"{name}.gold.jsonl"
    write_jsonl_atomic(corpus, corpus_tasks)
    before = corpus.read_bytes()
    result = run_script("import_reviewed", [reviewed, corpus])
    assert result.exit_code == 0, result.output
    report = srsly.read_json(reviewed.with_name(reviewed.stem + ".import-report.json"))
    return exported, corpus, before, report


def test_round_trip_through_a_real_label_studio(labelstudio, tmp_path: Path) -> None:
    samples = real_samples(GOLD)
    by_case = {case: samples[name] for case, name in CASES.items()}
    tasks = list(by_case.values())
    project, served = push(labelstudio, tmp_path, tasks, "round-trip")
    shown = {h: copy.deepcopy(task["predictions"][0]["result"]) for h, task in served.items()}

    hashes = {case: task["_input_hash"] for case, task in by_case.items()}
    # accept one unchanged
    results = {"accept": shown[hashes["accept"]]}
    # change a label: the first region becomes another label; the relations it cannot hold any more go
    relabel = shown[hashes["relabel"]]
    first = next(r for r in relabel if r["type"] == "labels")
    new_label = "CLUSTER" if first["value"]["labels"] != ["CLUSTER"] else "ORG"
    first["value"]["labels"] = [new_label]
    results["relabel"] = [r for r in relabel
                          if r["type"] != "relation" or first["id"] not in (r["from_id"], r["to_id"])]
    # delete a relation
    results["drop_relation"], gone = drop_one_relation(shown[hashes["drop_relation"]])
    # add a span on a word no span covers (in a paragraph with a ZWNJ: code-point offsets)
    word = free_word(by_case["add_span"])
    start, end = word["start"], word["end"]
    results["add_span"] = shown[hashes["add_span"]] + [
        {"id": "added1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": start, "end": end, "text": word["text"], "labels": ["CLUSTER"]}}]
    labelstudio.annotate([{"task": served[hashes[case]]["id"], "result": result, "lead_time": 4.0}
                          for case, result in results.items()]
                         + [{"task": served[hashes["skip"]]["id"], "result": [], "was_cancelled": True}])

    exported, corpus, before, report = pull(labelstudio, project, tmp_path, tasks, "round-trip")
    # what the server's export looks like: predictions as ids, annotations with their author's id
    assert all(isinstance(p, int) for task in exported for p in task["predictions"])
    assert {type(a["completed_by"]) for task in exported for a in task["annotations"]} == {int}
    counts = report["counts"]
    assert (counts["unchanged"], counts["updated"], counts["ignored"], counts["refused"]) == (1, 3, 1, 0), counts
    assert counts["added"] == 0 and counts["conflicts"] == 0

    after = {task["_input_hash"]: task for _, task in read_jsonl(corpus)}
    assert len(after) == len(tasks)
    old = by_case
    new = {case: after[hashes[case]] for case in CASES}
    assert new["accept"] == old["accept"] and new["skip"] == old["skip"]
    changed = (first["value"]["start"], first["value"]["end"])
    assert span_keys(new["relabel"]) == {k for k in span_keys(old["relabel"]) if k[:2] != changed} | {
        changed + (new_label,)}
    assert relation_keys(new["relabel"]) == {r for r in relation_keys(old["relabel"]) if changed[0] not in r[:2]}
    assert span_keys(new["drop_relation"]) == span_keys(old["drop_relation"])
    assert relation_keys(new["drop_relation"]) == relation_keys(old["drop_relation"]) - {gone}
    assert gone in relation_keys(old["drop_relation"])
    assert span_keys(new["add_span"]) == span_keys(old["add_span"]) | {(start, end, "CLUSTER")}
    assert relation_keys(new["add_span"]) == relation_keys(old["add_span"])
    for case in ("relabel", "drop_relation", "add_span"):
        assert new[case]["meta"]["doc_id"] == old[case]["meta"]["doc_id"]
        assert new[case]["meta"]["review"]["annotator"] == "1"
        assert new[case]["tokens"] == old[case]["tokens"]


def test_accepting_everything_unchanged_changes_nothing(labelstudio, tmp_path: Path) -> None:
    tasks = [task for line, task in read_jsonl(GOLD) if line <= 30]
    project, served = push(labelstudio, tmp_path, tasks, "no-edits")
    labelstudio.annotate([{"task": task["id"], "result": task["predictions"][0]["result"]} for task in served.values()])
    _, corpus, before, report = pull(labelstudio, project, tmp_path, tasks, "no-edits")
    assert report["counts"]["unchanged"] == len(tasks) and report["counts"]["refused"] == 0
    assert corpus.read_bytes() == before
