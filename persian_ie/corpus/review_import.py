"""Reviewed annotations back into the corpus: validate, merge by `_input_hash`, keep a backup.

Input is what `prodigy db-out` writes for `ner_manual`, `spans_manual` or `relations` sessions:
tasks with `answer` accept, reject or ignore. Every task passes the corpus validator first.
Accepted tasks enter the corpus keyed by `_input_hash`: a new text is added, a known text is
replaced (the later review wins, by `_timestamp` and then by file order). Rejected and ignored
tasks change nothing. Every outcome (added, replaced, rejected, ignored, refused) is appended to
the review log beside the corpus (`review_log.jsonl`). The previous corpus is kept as
`<corpus>.bak` and the new one is written atomically.
"""

import datetime
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import srsly
from spacy.language import Language

from ..prodigy_io import Task, read_jsonl, set_hashes, write_jsonl_atomic
from .build import REVIEW_META_KEY
from .validation import validate_task

VIEWS = ("ner_manual", "spans_manual", "relations")
REVIEW_LOG = "review_log.jsonl"


@dataclass
class ImportOutcome:
    added: List[Tuple[int, str]] = field(default_factory=list)
    replaced: List[Tuple[int, str]] = field(default_factory=list)
    refused: List[Tuple[int, str]] = field(default_factory=list)
    rejected: List[Tuple[int, str]] = field(default_factory=list)
    ignored: List[Tuple[int, str]] = field(default_factory=list)


def _prepare(task: Task, source: str, line: int, view: Optional[str]) -> Task:
    """The corpus form of a reviewed task: relations view, hashes set, review provenance in meta."""
    task = dict(task)
    task.setdefault("relations", [])
    task.setdefault("spans", [])
    for span in task["spans"]:
        span.pop("score", None)
    for rel in task["relations"]:
        rel.pop("score", None)
    task["_view_id"] = "relations"
    meta = dict(task.get("meta") or {})
    meta[REVIEW_META_KEY] = {
        "source": source,
        "line": line,
        "view": view,
        "timestamp": task.get("_timestamp"),
    }
    task["meta"] = meta
    return set_hashes(task)


def _split_for(task: Task, corpus_by_hash: Dict[int, Task], doc_splits: Dict[str, str]) -> str:
    known = corpus_by_hash.get(task["_input_hash"])
    if known is not None:
        return known["meta"]["split"]
    doc_id = (task.get("meta") or {}).get("doc_id")
    return doc_splits.get(doc_id, "train")


def merge_reviewed(
    corpus: List[Task], reviewed_path: Path, nlp: Optional[Language] = None
) -> Tuple[List[Task], ImportOutcome]:
    """The merged corpus and what happened to every reviewed task."""
    outcome = ImportOutcome()
    by_hash: Dict[int, Task] = {t["_input_hash"]: t for t in corpus}
    order: List[int] = [t["_input_hash"] for t in corpus]
    doc_splits = {t["meta"].get("doc_id"): t["meta"]["split"] for t in corpus if "meta" in t}
    latest: Dict[int, Tuple[Any, int]] = {}
    for line, task in read_jsonl(reviewed_path):
        view = task.get("_view_id")
        if view is not None and view not in VIEWS:
            outcome.refused.append((line, f"view {view!r} is not one of {', '.join(VIEWS)}"))
            continue
        answer = task.get("answer")
        if answer == "reject":
            outcome.rejected.append((line, str(task.get("_input_hash"))))
            continue
        if answer == "ignore":
            outcome.ignored.append((line, str(task.get("_input_hash"))))
            continue
        prepared = _prepare(task, str(reviewed_path), line, view)
        reasons = validate_task(prepared, nlp)
        if reasons:
            outcome.refused.append((line, "; ".join(reasons)))
            continue
        prepared["meta"]["split"] = _split_for(prepared, by_hash, doc_splits)
        prepared["meta"].setdefault("doc_id", f"review:{prepared['_input_hash']}")
        prepared["meta"].setdefault("paragraph", 0)
        prepared["meta"].setdefault("source", str(reviewed_path))
        input_hash = prepared["_input_hash"]
        stamp = (prepared["meta"][REVIEW_META_KEY]["timestamp"] or 0, line)
        if input_hash in latest and latest[input_hash] > stamp:
            continue
        latest[input_hash] = stamp
        label = prepared["text"][:40]
        if input_hash in by_hash:
            outcome.replaced.append((line, label))
        else:
            outcome.added.append((line, label))
            order.append(input_hash)
        by_hash[input_hash] = prepared
    return [by_hash[h] for h in order], outcome


def import_reviewed(
    corpus_path: Path, reviewed_path: Path, nlp: Optional[Language] = None, dry_run: bool = False
) -> ImportOutcome:
    """Merge reviewed tasks into the corpus file (backup first, atomic write); `dry_run` only reports."""
    corpus = [task for _, task in read_jsonl(corpus_path)]
    merged, outcome = merge_reviewed(corpus, reviewed_path, nlp)
    if dry_run:
        return outcome
    if outcome.added or outcome.replaced:
        shutil.copyfile(corpus_path, corpus_path.with_name(corpus_path.name + ".bak"))
        write_jsonl_atomic(corpus_path, merged)
    append_review_log(corpus_path.with_name(REVIEW_LOG), reviewed_path, outcome)
    return outcome


def append_review_log(path: Path, reviewed_path: Path, outcome: ImportOutcome) -> None:
    """One line per reviewed task and what became of it, so nothing an annotator did goes unrecorded."""
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    entries = []
    for kind in ("added", "replaced", "rejected", "ignored", "refused"):
        for line, detail in getattr(outcome, kind):
            entries.append({"time": stamp, "file": str(reviewed_path), "line": line, "outcome": kind,
                            "detail": detail})
    with open(path, "a", encoding="utf-8") as log:
        for entry in sorted(entries, key=lambda e: e["line"]):
            log.write(srsly.json_dumps(entry) + "\n")
