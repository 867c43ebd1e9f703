"""The corpus validator: every rule of the annotation contract, reported as file:line: reason.

Used by `validate-corpus`, by `import-reviewed` before anything enters the corpus, and by the
tests. It checks one task at a time (`validate_task`) and the corpus as a whole
(`validate_corpus`: duplicates, disjoint splits).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from spacy.language import Language

from ..errors import PersianIEError
from ..io.prodigy import INPUT_KEYS, SPAN_KEYS, TASK_KEYS, Task, get_hash, read_jsonl
from ..schema import ALLOWED_PAIRS, ENTITY_LABELS, RELATION_LABELS
from .build import SPLITS

ANSWERS = ("accept", "reject", "ignore")
# a copula or auxiliary written as its own token (the tokenizer splits a fused «ست» off its word)
COPULAS = frozenset({"است", "ست", "هست", "هستند", "بود", "بودند", "باشد", "می‌باشد", "می‌باشند"})


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_task(
    task: Task,
    nlp: Optional[Language] = None,
    check_hashes: bool = True,
    require_answer: bool = True,
) -> List[str]:
    """The reasons a task breaks the contract (empty when it is sound)."""
    text = task.get("text")
    if not isinstance(text, str):
        return ["'text' is missing or not a string"]
    if not text.strip():
        return ["'text' is empty"]
    reasons: List[str] = []
    tokens = task.get("tokens")
    if not isinstance(tokens, list) or not tokens:
        return ["'tokens' is missing or empty"]
    for i, token in enumerate(tokens):
        if not isinstance(token, dict) or not all(k in token for k in ("text", "start", "end", "id")):
            return [f"token {i} lacks text/start/end/id"]
        if not (_is_int(token["start"]) and _is_int(token["end"])) or token["id"] != i:
            return [f"token {i} has bad offsets or id"]
        if text[token["start"] : token["end"]] != token["text"]:
            return [f"token {i} does not match the text at its offsets"]
    if nlp is not None:
        expected = [(t.idx, t.idx + len(t.text)) for t in nlp.make_doc(text)]
        if expected != [(t["start"], t["end"]) for t in tokens]:
            reasons.append("tokens differ from the project tokenizer on this text (re-tokenize it)")
    starts = {t["start"]: t["id"] for t in tokens}
    ends = {t["end"]: t["id"] for t in tokens}
    spans = task.get("spans", [])
    if not isinstance(spans, list):
        return reasons + ["'spans' is not a list"]
    occupied: Dict[int, Tuple[int, int]] = {}
    span_keys = set()
    for span in spans:
        if not isinstance(span, dict) or not all(k in span for k in SPAN_KEYS):
            reasons.append(f"span {span!r} lacks one of {', '.join(SPAN_KEYS)}")
            continue
        start, end, label = span["start"], span["end"], span["label"]
        if not (_is_int(start) and _is_int(end)) or not 0 <= start < end <= len(text):
            reasons.append(f"span ({start!r}, {end!r}) is out of bounds of the text (0, {len(text)})")
            continue
        if not isinstance(label, str) or label not in ENTITY_LABELS:
            reasons.append(f"span {text[start:end]!r} has unknown label {label!r}")
            continue
        if start not in starts or end not in ends:
            reasons.append(f"span {text[start:end]!r} ({start}, {end}) is not on token boundaries")
            continue
        if span["token_start"] != starts[start] or span["token_end"] != ends[end] or starts[start] > ends[end]:
            reasons.append(f"span {text[start:end]!r} has token_start/token_end that disagree with its offsets")
            continue
        if label == "STATUS" and tokens[span["token_end"]]["text"] in COPULAS:
            reasons.append(f"STATUS {text[start:end]!r} ends in a copula; the schema keeps it outside the span")
        for i in range(span["token_start"], span["token_end"] + 1):
            if i in occupied:
                reasons.append(f"span {text[start:end]!r} overlaps span at {occupied[i]}")
                break
            occupied[i] = (start, end)
        span_keys.add((start, end, label))
    relations = task.get("relations", []) or []
    if not isinstance(relations, list):
        return reasons + ["'relations' is not a list"]
    for rel in relations:
        reasons.extend(_relation_problems(rel, text, span_keys))
    answer = task.get("answer")
    if require_answer and answer not in ANSWERS:
        reasons.append(f"'answer' is {answer!r}, expected one of {', '.join(ANSWERS)}")
    if check_hashes:
        if task.get("_input_hash") != get_hash(task, INPUT_KEYS):
            reasons.append("'_input_hash' does not match the text (set_hashes)")
        elif task.get("_task_hash") != get_hash(task, TASK_KEYS, prefix=str(task["_input_hash"])):
            reasons.append("'_task_hash' does not match the spans (set_hashes)")
    return reasons


def _relation_problems(rel: Any, text: str, span_keys: set) -> List[str]:
    if not isinstance(rel, dict) or not all(k in rel for k in ("head", "child", "head_span", "child_span", "label")):
        return [f"relation {rel!r} lacks head/child/head_span/child_span/label"]
    label = rel["label"]
    if not isinstance(label, str) or label not in RELATION_LABELS:
        return [f"relation has unknown label {label!r}"]
    ends = []
    for role in ("head_span", "child_span"):
        span = rel[role]
        key = (span.get("start"), span.get("end"), span.get("label")) if isinstance(span, dict) else None
        if key is None or not all(isinstance(k, (int, str)) for k in key) or key not in span_keys:
            return [f"relation {label}: its {role} {span!r} is not an annotated span"]
        if rel[role.split("_")[0]] != span.get("token_end"):
            return [f"relation {label}: '{role.split('_')[0]}' must equal the token_end of its {role}"]
        ends.append(span)
    pair = (ends[0]["label"], ends[1]["label"])
    if pair not in ALLOWED_PAIRS[label]:
        head_text = text[ends[0]["start"] : ends[0]["end"]]
        return [f"relation {label} cannot join {pair[0]} -> {pair[1]} ({head_text!r})"]
    return []


def validate_corpus(path: Path, nlp: Optional[Language] = None) -> Tuple[List[Task], List[Problem]]:
    """Validate a corpus JSONL file: each task, then duplicates and split leakage."""
    tasks: List[Task] = []
    problems: List[Problem] = []
    seen_hashes: Dict[int, int] = {}
    split_of_text: Dict[str, Tuple[str, int]] = {}
    for lineno, task in read_jsonl(path):
        for reason in validate_task(task, nlp):
            problems.append(Problem(str(path), lineno, reason))
        tasks.append(task)
        input_hash = task.get("_input_hash")
        if input_hash in seen_hashes:
            problems.append(Problem(str(path), lineno, f"duplicate of line {seen_hashes[input_hash]} (same text)"))
        else:
            seen_hashes[input_hash] = lineno
        meta = task.get("meta", {})
        if not isinstance(meta, dict):
            problems.append(Problem(str(path), lineno, "'meta' is not an object"))
            continue
        split = meta.get("split")
        if split not in SPLITS:
            problems.append(Problem(str(path), lineno, f"meta.split is {split!r}, expected one of {SPLITS}"))
            continue
        for key in ("doc_id", "paragraph", "source"):
            if key not in meta:
                problems.append(Problem(str(path), lineno, f"meta.{key} is missing"))
        text = task.get("text")
        if isinstance(text, str):
            other = split_of_text.setdefault(text, (split, lineno))
            if other[0] != split:
                problems.append(
                    Problem(str(path), lineno, f"the same text is in {other[0]} (line {other[1]}) and {split}")
                )
    if not tasks:
        problems.append(Problem(str(path), 0, "the corpus is empty"))
    problems.extend(_doc_split_problems(tasks, str(path)))
    return tasks, problems


def _doc_split_problems(tasks: Iterable[Task], path: str) -> List[Problem]:
    """A document's paragraphs must all be in one split."""
    splits: Dict[str, set] = {}
    for task in tasks:
        meta = task.get("meta", {})
        if isinstance(meta, dict) and "doc_id" in meta:
            splits.setdefault(meta["doc_id"], set()).add(meta.get("split"))
    return [
        Problem(path, 0, f"document {doc_id} is split across {sorted(map(str, s))}")
        for doc_id, s in sorted(splits.items())
        if len(s) > 1
    ]


def require_valid(path: Path, nlp: Optional[Language] = None) -> List[Task]:
    """Read a corpus and raise on the first problem (for commands that train on it)."""
    tasks, problems = validate_corpus(path, nlp)
    if problems:
        raise PersianIEError(f"{len(problems)} problem(s) in the corpus; first: {problems[0]}")
    return tasks
