"""Re-review batches: paragraphs already in the corpus, sent back through the loop for one relation.

When adjudication settles a rule later than some batches were reviewed (round 6 settled whose
figure a QUANTITY is), the older batches read the rule differently. A re-review batch takes the real
paragraphs that can hold the relation (an ORG and a QUANTITY for HAS_QUANTITY) from the batches
before the decision, with their corpus annotation as the pre-annotation, so the usual two passes,
adjudication and `import-reviewed` update them; `corpus-report` then shows what the re-review
changed. Each batch keeps whole articles together, and a paragraph is re-reviewed for a label once per
pass: a later pass (`meta.rereview_pass` 2, 3, ...) sends paragraphs back again when a blind sample shows
the earlier pass still read the rule loosely.
"""

from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set

from ..errors import PersianIEError
from ..io.prodigy import Task, read_jsonl
from ..schema import RELATION_LABELS
from .build import ORIGIN_REAL
from .review_changes import batch_folders, batch_number, require_span_labels
from .review_import import SESSION_KEYS

REREVIEW_KEY = "rereview"
# which re-review of the label a batch belongs to; batches without the key are the first pass
PASS_KEY = "rereview_pass"
# a re-review task is a fresh, unanswered pre-annotation: no answer, none of the import's session keys
_ANSWER_KEYS = ("answer",) + SESSION_KEYS


def _rereview_label(folder: Path) -> str:
    path = folder / "preannotated.jsonl"
    for _, task in read_jsonl(path) if path.exists() else []:
        return str(task.get("meta", {}).get(REREVIEW_KEY, ""))
    return ""


def first_batches(batches_dir: Path) -> Dict[int, int]:
    """`_input_hash` -> the number of the batch that first brought the paragraph into the corpus."""
    first: Dict[int, int] = {}
    for folder in batch_folders(batches_dir):
        resolved = folder / "resolved.jsonl"
        if _rereview_label(folder) or not resolved.exists():
            continue
        for _, task in read_jsonl(resolved):
            first.setdefault(task["_input_hash"], batch_number(folder))
    return first


def rereviewed(batches_dir: Path, label: str, pass_number: int = 1) -> Set[int]:
    """The paragraphs an earlier re-review batch of pass `pass_number` for `label` already holds."""
    hashes: Set[int] = set()
    for folder in batch_folders(batches_dir):
        if _rereview_label(folder) == label:
            hashes.update(task["_input_hash"] for _, task in read_jsonl(folder / "preannotated.jsonl")
                          if task.get("meta", {}).get(PASS_KEY, 1) == pass_number)
    return hashes


def rereview_tasks(corpus: Iterable[Task], label: str, require: Sequence[str], first_batch: Dict[int, int],
                   before_batch: int = 0, exclude: Set[int] = frozenset(), linked: bool = False,
                   pass_number: int = 1) -> List[Task]:
    """The real corpus paragraphs to re-review for `label`, as unanswered tasks marked `meta.rereview`.

    A paragraph qualifies when it holds every span label in `require`, came in before batch
    `before_batch` (0: any batch; a paragraph no batch folder holds counts as batch 0) and is not in
    `exclude`; with `linked`, only when it also holds a `label` relation (a pass that checks the links
    drawn, where a blind sample found them too loose). A pass after the first is marked `meta.rereview_pass`.
    """
    if pass_number < 1:
        raise PersianIEError(f"a re-review pass is numbered from 1, not {pass_number}")
    if label not in RELATION_LABELS:
        raise PersianIEError(f"unknown relation label {label!r}: expected one of {', '.join(RELATION_LABELS)}")
    require_span_labels(require)
    tasks = []
    for task in corpus:
        meta = task.get("meta", {})
        if meta.get("origin") != ORIGIN_REAL or task.get("answer", "accept") != "accept":
            continue
        labels = {span["label"] for span in task.get("spans", [])}
        if not set(require) <= labels or task["_input_hash"] in exclude:
            continue
        if linked and not any(rel["label"] == label for rel in task.get("relations", [])):
            continue
        if before_batch and first_batch.get(task["_input_hash"], 0) >= before_batch:
            continue
        fresh = {key: value for key, value in task.items() if key not in _ANSWER_KEYS}
        fresh["meta"] = {**meta, REREVIEW_KEY: label}
        if pass_number > 1:
            fresh["meta"][PASS_KEY] = pass_number
        tasks.append(fresh)
    return tasks


def split_by_article(tasks: Sequence[Task], size: int) -> List[List[Task]]:
    """About `size` paragraphs per batch, whole articles together: the largest article goes to the
    smallest batch so far, so the batches come out even."""
    if size < 1:
        raise PersianIEError(f"batch size must be at least 1, not {size}")
    articles: Dict[str, List[Task]] = {}
    for task in tasks:
        meta = task.get("meta", {})
        articles.setdefault(str(meta.get("article") or meta.get("doc_id")), []).append(task)
    count = max(1, round(len(tasks) / size)) if tasks else 0
    batches: List[List[Task]] = [[] for _ in range(count)]
    for _, group in sorted(articles.items(), key=lambda item: -len(item[1])):
        min(batches, key=len).extend(group)
    return batches
