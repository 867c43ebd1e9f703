"""Reviewed annotations back into the corpus: validate, pair, resolve, merge, report.

Input is what `prodigy db-out` writes for `ner_manual`, `spans_manual`, `relations` and `review`
sessions (or a review sheet read back with `scripts/review_sheet.py read`), or a Label Studio JSON
export, whose annotations `persian_ie/io/labelstudio.py` checks and turns into the same answers (each
annotation's `completed_by` is its annotator; a cancelled one is `ignore`). The merge rules:

1. **Pairing.** An answer pairs with the corpus task that has the same `_input_hash` (the same
   normalized text). A text the corpus does not hold is added.
2. **Validation.** Every accepted answer passes the corpus validator first (tokens of the project
   tokenizer, spans on token boundaries, allowed relations, hashes). A line that fails is refused and
   reported as `file:line: reason`; a refused line stops the import unless `skip_invalid` is set.
3. **reject and ignore** follow Prodigy's meaning: the annotator said the task is wrong, or skipped
   it. Neither changes the corpus; both are reported.
4. **Spans-only answers** (`ner_manual`, `spans_manual`, or a task without `relations`) keep every
   existing relation whose two ends are still annotated spans with the same offsets and label.
   Each relation that loses an end is dropped and listed in the report.
5. **Several annotators** (`_annotator_id`, else `_session_id`) on one paragraph: an annotator's
   latest answer is that annotator's version. Identical versions merge. Differing versions are a
   conflict, never resolved silently: with the policy `refuse` the paragraph is left as it was and
   listed; with `annotator:NAME` that annotator's version is taken (and the conflict still listed).
   An answer from Prodigy's `review` recipe (it carries `versions`) is the resolved version and
   wins over the annotators' own answers in the same import.
6. **Idempotence.** A resolved version with the same text, spans and relations as the corpus task
   changes nothing (`unchanged`), so importing the same file twice changes nothing the second time.

Every import returns an `ImportReport`: added, updated, unchanged, rejected, ignored, refused,
conflicts, relations kept and dropped. The previous corpus is kept as `<corpus>.bak` and the new one
is written atomically; each outcome is appended to `review_log.jsonl` beside the corpus.
"""

import datetime
import shutil
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import srsly
from spacy.language import Language

from ..errors import PersianIEError
from ..io.labelstudio import export_answers, read_export, resolve_format
from ..io.prodigy import Task, jsonl_lines, read_jsonl, set_hashes, task_relation_key, task_span_key, write_jsonl_atomic
from ..pipeline.tokenizer import blank_nlp
from .build import ORIGIN_REAL, REVIEW_META_KEY, SPLIT_SHARES, SPLITS
from .validation import validate_task

SPAN_VIEWS = ("ner_manual", "spans_manual")
VIEWS = SPAN_VIEWS + ("relations", "review")
REVIEW_LOG = "review_log.jsonl"
SESSION_KEYS = ("_annotator_id", "_session_id", "_timestamp", "versions", "view_id", "_is_binary")
# meta that describes the model's pre-annotation, not the reviewed annotation
PREDICTION_ONLY_META = ("raw_spans",)


@dataclass
class Answer:
    """One accepted, valid answer from the reviewed file."""

    line: int
    task: Task
    annotator: str
    view: str
    timestamp: int
    from_review: bool
    where: str = ""


@dataclass
class ImportReport:
    """What the import did with every line of the reviewed file."""

    reviewed: str = ""
    added: List[Dict[str, Any]] = field(default_factory=list)
    updated: List[Dict[str, Any]] = field(default_factory=list)
    unchanged: List[Dict[str, Any]] = field(default_factory=list)
    rejected: List[Dict[str, Any]] = field(default_factory=list)
    ignored: List[Dict[str, Any]] = field(default_factory=list)
    refused: List[Dict[str, Any]] = field(default_factory=list)
    conflicts: List[Dict[str, Any]] = field(default_factory=list)
    relations_kept: int = 0
    relations_dropped: List[Dict[str, Any]] = field(default_factory=list)
    # Label Studio spans extended to their tokens (--snap); each is listed, none is counted as a change
    snapped: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def counts(self) -> Dict[str, int]:
        return {"added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
                "rejected": len(self.rejected), "ignored": len(self.ignored), "refused": len(self.refused),
                "conflicts": len(self.conflicts), "relations_kept": self.relations_kept,
                "relations_dropped": len(self.relations_dropped)}

    def to_dict(self) -> Dict[str, Any]:
        return {"counts": self.counts(), **asdict(self)}


def split_for_document(doc_id: str) -> str:
    """The split of a document the corpus does not know yet: a stable 70/15/15 draw from its id.

    Real-news paragraphs enter one article at a time, from many imports; a hash of the article's
    `doc_id` keeps every paragraph of an article in one split whatever order they arrive in.
    """
    point = (zlib.crc32(doc_id.encode("utf-8")) % 10_000) / 10_000
    cumulative = 0.0
    for split in SPLITS:
        cumulative += SPLIT_SHARES[split]
        if point < cumulative:
            return split
    return SPLITS[-1]


def annotation_key(task: Task) -> Tuple[str, frozenset, frozenset]:
    """What an annotation says: its text, its spans and its relations (order and scores aside)."""
    return (task["text"], frozenset(task_span_key(s) for s in task.get("spans", [])),
            frozenset(task_relation_key(r) for r in task.get("relations", []) or []))


def annotator_of(task: Task) -> str:
    return str(task.get("_annotator_id") or task.get("_session_id") or "unknown")


def _clean(task: Task) -> Task:
    """The annotation without model scores or session bookkeeping."""
    task = {k: v for k, v in task.items() if k not in SESSION_KEYS}
    task["spans"] = [{k: v for k, v in s.items() if k != "score"} for s in task.get("spans", []) or []]
    task["relations"] = [
        {**{k: v for k, v in r.items() if k != "score"},
         "head_span": {k: v for k, v in r["head_span"].items() if k != "score"},
         "child_span": {k: v for k, v in r["child_span"].items() if k != "score"}}
        for r in task.get("relations", []) or []
    ]
    task["_view_id"] = "relations"
    return task


def _keep_relations(answer: Task, existing: Optional[Task], report: ImportReport, line: int) -> Task:
    """A spans-only answer keeps the existing relations whose two ends it still annotates."""
    answer = dict(answer)
    spans = {task_span_key(s) for s in answer["spans"]}
    kept = []
    for rel in (existing or {}).get("relations", []) or []:
        if task_span_key(rel["head_span"]) in spans and task_span_key(rel["child_span"]) in spans:
            kept.append(rel)
        else:
            text = answer["text"]
            report.relations_dropped.append({
                "line": line, "input_hash": answer.get("_input_hash"), "label": rel["label"],
                "head": text[rel["head_span"]["start"]:rel["head_span"]["end"]],
                "child": text[rel["child_span"]["start"]:rel["child_span"]["end"]],
                "reason": "an end is no longer an annotated span with the same label"})
    report.relations_kept += len(kept)
    answer["relations"] = kept
    return answer


def _summary(answer: Answer) -> Dict[str, Any]:
    return {"line": answer.line, "where": answer.where, "input_hash": answer.task["_input_hash"],
            "annotator": answer.annotator, "text": answer.task["text"][:60]}


def reviewed_records(reviewed_path: Path, nlp: Optional[Language], report: ImportReport, fmt: str = "auto",
                     snap: bool = False) -> Iterator[Tuple[int, str, Optional[Task], Optional[str]]]:
    """(number, where, answer, refusal) for each record of the reviewed file: a line of Prodigy's JSONL
    (`file:line`), or an annotation of a Label Studio export (`task <id>`), as the same answers."""
    if resolve_format(reviewed_path, fmt) == "labelstudio":
        yield from export_answers(read_export(reviewed_path), (nlp or blank_nlp()).make_doc, snap, report.snapped)
        return
    for line, task, reason in jsonl_lines(reviewed_path):
        yield line, f"{reviewed_path}:{line}", task, reason


def read_answers(reviewed_path: Path, nlp: Optional[Language], report: ImportReport, fmt: str = "auto",
                 snap: bool = False) -> List[Answer]:
    """Every accepted, valid answer; rejected, ignored and refused lines go into the report."""
    answers = []
    for line, where, task, reason in reviewed_records(reviewed_path, nlp, report, fmt, snap):
        if reason is not None:
            report.refused.append({"line": line, "reason": f"{where}: {reason}"})
            continue
        view = task.get("_view_id") or ("review" if "versions" in task else "relations")
        if view not in VIEWS:
            report.refused.append({"line": line, "reason": f"{where}: view {view!r} is not one of {', '.join(VIEWS)}"})
            continue
        answer = task.get("answer")
        if answer in ("reject", "ignore"):
            getattr(report, "rejected" if answer == "reject" else "ignored").append(
                {"line": line, "where": where, "input_hash": task.get("_input_hash"),
                 "annotator": annotator_of(task), "text": str(task.get("text", ""))[:60]})
            continue
        cleaned = _clean(task)
        spans_only = view in SPAN_VIEWS or "relations" not in task
        reasons = validate_task(cleaned, nlp)
        if reasons:
            report.refused.append({"line": line, "reason": f"{where}: {'; '.join(reasons)}"})
            continue
        answers.append(Answer(line, cleaned, annotator_of(task), "spans" if spans_only else view,
                              int(task.get("_timestamp") or 0), "versions" in task or view == "review", where))
    return answers


def resolve(group: List[Answer], policy: str, report: ImportReport) -> Optional[Answer]:
    """The one version of a paragraph to merge, or None when a conflict leaves it as it was."""
    reviews = [a for a in group if a.from_review]
    if reviews:
        return max(reviews, key=lambda a: (a.timestamp, a.line))
    latest: Dict[str, Answer] = {}
    for answer in sorted(group, key=lambda a: (a.timestamp, a.line)):
        latest[answer.annotator] = answer
    versions: Dict[Any, List[Answer]] = {}
    for answer in latest.values():
        versions.setdefault(annotation_key(answer.task), []).append(answer)
    if len(versions) == 1:
        return max(latest.values(), key=lambda a: (a.timestamp, a.line))
    chosen: Optional[Answer] = None
    if policy.startswith("annotator:"):
        chosen = latest.get(policy.split(":", 1)[1])
    report.conflicts.append({
        "input_hash": group[0].task["_input_hash"], "text": group[0].task["text"][:60],
        "annotators": sorted(latest), "lines": sorted(a.line for a in latest.values()),
        "where": sorted({a.where for a in latest.values()}),
        "resolution": f"took {chosen.annotator}'s version" if chosen else "refused: the corpus keeps its version",
    })
    return chosen


def _corpus_meta(answer: Answer, existing: Optional[Task], doc_splits: Dict[str, str], source: str) -> Dict:
    meta = {k: v for k, v in (answer.task.get("meta") or {}).items() if k not in PREDICTION_ONLY_META}
    if existing is not None:
        for key in ("doc_id", "paragraph", "source", "split", "origin"):
            if key in existing.get("meta", {}):
                meta[key] = existing["meta"][key]
    meta.setdefault("origin", ORIGIN_REAL)
    meta.setdefault("doc_id", f"review:{answer.task['_input_hash']}")
    meta.setdefault("paragraph", 0)
    meta.setdefault("source", source)
    meta.setdefault("split", doc_splits.get(meta["doc_id"]) or split_for_document(meta["doc_id"]))
    meta[REVIEW_META_KEY] = {"source": source, "line": answer.line, "view": answer.view,
                             "annotator": answer.annotator, "timestamp": answer.timestamp or None}
    return meta


def merge_reviewed(corpus: Sequence[Task], reviewed_path: Path, nlp: Optional[Language] = None,
                   policy: str = "refuse", fmt: str = "auto", snap: bool = False) -> Tuple[List[Task], ImportReport]:
    """The merged corpus and the report of what happened to every reviewed line.

    `fmt` is `prodigy`, `labelstudio` or `auto` (by the file's shape); `snap` extends Label Studio spans
    that miss token boundaries to the tokens they touch (reported) instead of refusing them.
    """
    if policy != "refuse" and not policy.startswith("annotator:"):
        raise PersianIEError(f"conflict policy must be 'refuse' or 'annotator:NAME', not {policy!r}")
    report = ImportReport(reviewed=str(reviewed_path))
    by_hash: Dict[int, Task] = {t["_input_hash"]: t for t in corpus}
    order = [t["_input_hash"] for t in corpus]
    doc_splits = {t["meta"]["doc_id"]: t["meta"]["split"] for t in corpus if "doc_id" in t.get("meta", {})}
    groups: Dict[int, List[Answer]] = {}
    for answer in read_answers(reviewed_path, nlp, report, fmt, snap):
        existing = by_hash.get(answer.task["_input_hash"])
        if answer.view == "spans":
            answer.task = _keep_relations(answer.task, existing, report, answer.line)
        groups.setdefault(answer.task["_input_hash"], []).append(answer)
    for input_hash, group in groups.items():
        chosen = resolve(group, policy, report)
        if chosen is None:
            continue
        existing = by_hash.get(input_hash)
        if existing is not None and annotation_key(existing) == annotation_key(chosen.task):
            report.unchanged.append(_summary(chosen))
            continue
        task = dict(chosen.task)
        task["meta"] = _corpus_meta(chosen, existing, doc_splits, str(reviewed_path))
        task["answer"] = "accept"
        doc_splits.setdefault(task["meta"]["doc_id"], task["meta"]["split"])
        (report.updated if existing is not None else report.added).append(_summary(chosen))
        if existing is None:
            order.append(input_hash)
        by_hash[input_hash] = set_hashes(task)
    return [by_hash[h] for h in order], report


def import_reviewed(corpus_path: Path, reviewed_path: Path, nlp: Optional[Language] = None,
                    policy: str = "refuse", skip_invalid: bool = False, fmt: str = "auto",
                    snap: bool = False) -> ImportReport:
    """Merge reviewed answers into the corpus file once: backup, atomic write, review log.

    With refused lines and no `skip_invalid`, nothing is written and the report says why.
    """
    corpus = [task for _, task in read_jsonl(corpus_path)]
    merged, report = merge_reviewed(corpus, reviewed_path, nlp, policy, fmt, snap)
    if report.refused and not skip_invalid:
        return report
    if report.changed:
        shutil.copyfile(corpus_path, corpus_path.with_name(corpus_path.name + ".bak"))
        write_jsonl_atomic(corpus_path, merged)
    append_review_log(corpus_path.with_name(REVIEW_LOG), report)
    return report


def append_review_log(path: Path, report: ImportReport) -> None:
    """One line per reviewed line and what became of it, so nothing an annotator did goes unrecorded."""
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    entries = []
    for kind in ("added", "updated", "unchanged", "rejected", "ignored", "refused"):
        for item in getattr(report, kind):
            entries.append({"time": stamp, "file": report.reviewed, "line": item["line"], "outcome": kind,
                            "detail": item.get("reason") or item.get("text")})
    for conflict in report.conflicts:
        entries.append({"time": stamp, "file": report.reviewed, "line": conflict["lines"][0], "outcome": "conflict",
                        "detail": conflict["resolution"]})
    with open(path, "a", encoding="utf-8") as log:
        for entry in sorted(entries, key=lambda e: e["line"]):
            log.write(srsly.json_dumps(entry) + "\n")
