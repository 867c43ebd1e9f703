"""Prodigy tasks: build them from Docs, hash them the way Prodigy does, read and write JSONL.

A task is what `prodigy rel.manual` shows and `prodigy db-out` writes:

    {"text", "tokens": [{text, start, end, id, ws}],
     "spans": [{start, end, token_start, token_end, label}],
     "relations": [{head, child, head_span, child_span, label}],   # head/child = token_end
     "_input_hash", "_task_hash", "_view_id": "relations", "answer", "meta"}

Predictions carry a `score` on spans and relations and no `answer`.
"""

from pathlib import Path
from typing import Any, BinaryIO, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import srsly
from murmurhash.mrmr import hash as murmurhash
from spacy.tokens import Doc, Span

from ..errors import PersianIEError
from .files import write_text_atomic

Task = Dict[str, Any]

VIEW_ID = "relations"
INPUT_KEYS = ("text", "image", "html", "input")
TASK_KEYS = ("spans", "label", "options")
# keys Prodigy leaves out of the task hash: model output and bookkeeping, not the annotation
HASH_IGNORE = ("score", "rank", "model", "source", "_view_id", "_session_id", "_annotator_id")
SPAN_KEYS = ("start", "end", "token_start", "token_end", "label")


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in HASH_IGNORE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def get_hash(task: Task, keys: Sequence[str], prefix: str = "") -> int:
    """A 32-bit MurmurHash3 (mmh3's `hash`) of the task's values under `keys`, as Prodigy uses."""
    values = [prefix]
    for key in keys:
        if key in task:
            values.append(srsly.json_dumps(_strip(task[key]), sort_keys=True))
    return murmurhash("".join(values))


def set_hashes(task: Task, overwrite: bool = True) -> Task:
    """Set `_input_hash` (from `text`) and `_task_hash` (input hash + spans/label/options)."""
    if overwrite or "_input_hash" not in task:
        task["_input_hash"] = get_hash(task, INPUT_KEYS)
    if overwrite or "_task_hash" not in task:
        task["_task_hash"] = get_hash(task, TASK_KEYS, prefix=str(task["_input_hash"]))
    return task


def doc_tokens(doc: Doc) -> List[Dict[str, Any]]:
    return [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
        for t in doc
    ]


def span_dict(span: Span, score: Optional[float] = None) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "start": span.start_char,
        "end": span.end_char,
        "token_start": span.start,
        "token_end": span.end - 1,
        "label": span.label_,
    }
    if score is not None:
        data["score"] = float(score)
    return data


def relation_dict(head: Span, child: Span, label: str, score: Optional[float] = None) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "head": head.end - 1,
        "child": child.end - 1,
        "head_span": span_dict(head),
        "child_span": span_dict(child),
        "label": label,
    }
    if score is not None:
        data["score"] = float(score)
    return data


def make_task(
    doc: Doc,
    spans: Sequence[Span],
    relations: Sequence[Tuple[Span, Span, str]],
    meta: Optional[Dict[str, Any]] = None,
    answer: Optional[str] = "accept",
    span_scores: Optional[Sequence[float]] = None,
    relation_scores: Optional[Sequence[float]] = None,
) -> Task:
    """A Prodigy relations task for `doc` with the given spans and (head, child, label) relations."""
    task: Task = {
        "text": doc.text,
        "tokens": doc_tokens(doc),
        "spans": [
            span_dict(span, None if span_scores is None else span_scores[i]) for i, span in enumerate(spans)
        ],
        "relations": [
            relation_dict(head, child, label, None if relation_scores is None else relation_scores[i])
            for i, (head, child, label) in enumerate(relations)
        ],
        "_view_id": VIEW_ID,
        "meta": dict(meta or {}),
    }
    if answer is not None:
        task["answer"] = answer
    return set_hashes(task)


def jsonl_lines(path: Union[str, Path]) -> Iterator[Tuple[int, Optional[Task], Optional[str]]]:
    """(line number, record, None) for each good line, (line number, None, reason) for each bad one.

    A bad line is not UTF-8 (the reason names the byte offset in the file), not JSON, or not an
    object. Blank lines are skipped.
    """
    path = Path(path)
    if not path.exists():
        raise PersianIEError("file not found", str(path))
    if path.is_dir():
        raise PersianIEError("expected a JSONL file, found a folder", str(path))
    with path.open("rb") as file:
        yield from jsonl_stream(file)


def jsonl_stream(file: BinaryIO) -> Iterator[Tuple[int, Optional[Task], Optional[str]]]:
    """`jsonl_lines` of an open binary file: a local file, or an fsspec URL's file on a cluster run."""
    offset = 0
    for lineno, raw_line in enumerate(file, start=1):
        start = offset
        offset += len(raw_line)
        try:
            line = raw_line.decode("utf-8")
        except UnicodeDecodeError as err:
            yield lineno, None, f"not UTF-8 ({err.reason}) at byte {start + err.start}"
            continue
        if not line.strip():
            continue
        try:
            record = srsly.json_loads(line)
        except ValueError as err:
            yield lineno, None, f"malformed JSON: {err}"
            continue
        if not isinstance(record, dict):
            yield lineno, None, "the line is not a JSON object"
            continue
        yield lineno, record, None


def read_jsonl(path: Union[str, Path]) -> Iterator[Tuple[int, Task]]:
    """Yield (line number, record); the first bad line stops with an error naming file and line."""
    for lineno, record, reason in jsonl_lines(path):
        if reason is not None:
            raise PersianIEError(reason, str(path), lineno)
        yield lineno, record


def write_jsonl_atomic(path: Union[str, Path], records: Iterable[Task]) -> int:
    """Write records as JSONL through a temporary file and a rename: never a half-written file."""
    lines = [srsly.json_dumps(record) + "\n" for record in records]
    write_text_atomic(path, "".join(lines))
    return len(lines)


SpanKey = Tuple[int, int, str]
RelationKey = Tuple[SpanKey, SpanKey, str]


def task_span_key(span: Dict[str, Any]) -> SpanKey:
    """A task span by its characters and label: how spans are matched across answers and versions."""
    return (span["start"], span["end"], span["label"])


def task_relation_key(rel: Dict[str, Any]) -> RelationKey:
    """A task relation by its two ends' span keys and its label."""
    return (task_span_key(rel["head_span"]), task_span_key(rel["child_span"]), rel["label"])


def doc_from_task(vocab: Any, task: Task) -> Doc:
    """A Doc with exactly the task's tokens."""
    tokens = task["tokens"]
    return Doc(vocab, words=[t["text"] for t in tokens], spaces=[bool(t.get("ws", True)) for t in tokens])


def task_confidence(task: Dict[str, Any]) -> float:
    """The least confident item of a task (1.0 when it has none): low values need review first."""
    scores = [s.get("score", 1.0) for s in task.get("spans", [])]
    scores += [r.get("score", 1.0) for r in task.get("relations", [])]
    return min(scores) if scores else 1.0
