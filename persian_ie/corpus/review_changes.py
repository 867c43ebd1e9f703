"""What a review round changed, and how far two annotators agreed, per label.

A batch folder (`corpus/real/batch-NN/`) keeps the round: `preannotated.jsonl` (what the model
proposed), `answers-annotator.jsonl` (first pass), `answers-checker.jsonl` (second pass),
`resolved.jsonl` (the version that was imported) and the import report. Comparing the pre-annotation
with the resolved version says how much an honest review changed; comparing the two passes gives
their agreement. A batch where almost nothing changed needs a second look.
"""

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import srsly

from ..errors import PersianIEError
from ..io.prodigy import Task, read_jsonl, task_relation_key, task_span_key
from ..schema import ENTITY_LABELS, RELATION_LABELS

SpanKey = Tuple[int, int, str]
SPAN_CHANGES = ("kept", "added", "removed", "relabelled", "rebounded")
RELATION_CHANGES = ("kept", "added", "removed")
PRE = "preannotated.jsonl"
FIRST = "answers-annotator.jsonl"
SECOND = "answers-checker.jsonl"
RESOLVED = "resolved.jsonl"
ROUNDS = "rounds.json"
"""Beside the batch folders: which batches each annotation round drew, `{"round": "1-8,51-82"}`."""


@dataclass
class BatchChanges:
    """Per label, what review did to the pre-annotation of one batch."""

    name: str
    paragraphs: int = 0
    spans: Dict[str, Counter] = field(default_factory=dict)
    relations: Dict[str, Counter] = field(default_factory=dict)
    rereview: str = ""
    """The relation a re-review batch re-decided (its pre-annotation is the corpus, not the model)."""

    def span_total(self, change: str) -> int:
        return sum(counter[change] for counter in self.spans.values())

    @property
    def changed_share(self) -> float:
        """Share of the resolved and removed spans that are not exactly as the model proposed them."""
        changed = sum(self.span_total(c) for c in SPAN_CHANGES if c != "kept")
        total = changed + self.span_total("kept")
        return changed / total if total else 0.0

    @property
    def rereview_share(self) -> float:
        """Share of the re-reviewed relation's links (before or after) that the re-review added or removed."""
        counts = self.relations.get(self.rereview, Counter())
        total = counts["kept"] + counts["added"] + counts["removed"]
        return (counts["added"] + counts["removed"]) / total if total else 0.0


def _spans(task: Task) -> Set[SpanKey]:
    return {task_span_key(s) for s in task.get("spans", [])}


def _relations(task: Task) -> Set[Tuple]:
    return {task_relation_key(r) for r in task.get("relations", []) or []}


def span_changes(before: Task, after: Task) -> Counter:
    """(label, change) counts: kept, added, removed, relabelled (same offsets), rebounded (overlap, same label)."""
    counts: Counter = Counter()
    old, new = _spans(before), _spans(after)
    matched: Set[SpanKey] = set()
    for key in sorted(new):
        start, end, label = key
        if key in old:
            counts[(label, "kept")] += 1
            matched.add(key)
            continue
        same_place = [o for o in old if o[:2] == (start, end) and o not in matched]
        overlapping = [o for o in old if o[2] == label and o[0] < end and start < o[1] and o not in matched]
        if same_place:
            counts[(label, "relabelled")] += 1
            matched.add(same_place[0])
        elif overlapping:
            counts[(label, "rebounded")] += 1
            matched.add(overlapping[0])
        else:
            counts[(label, "added")] += 1
    for key in old - matched - new:
        counts[(key[2], "removed")] += 1
    return counts


def relation_changes(before: Task, after: Task) -> Counter:
    old, new = _relations(before), _relations(after)
    counts: Counter = Counter()
    for key in new:
        counts[(key[2], "kept" if key in old else "added")] += 1
    for key in old - new:
        counts[(key[2], "removed")] += 1
    return counts


def compare_versions(name: str, before: Iterable[Task], after: Iterable[Task]) -> BatchChanges:
    """Changes from `before` to `after`, paired by `_input_hash`."""
    result = BatchChanges(name, spans={label: Counter() for label in ENTITY_LABELS},
                          relations={label: Counter() for label in RELATION_LABELS})
    by_hash = {task["_input_hash"]: task for task in before}
    for task in after:
        previous = by_hash.get(task["_input_hash"])
        if previous is None:
            continue
        result.paragraphs += 1
        result.rereview = result.rereview or str(previous.get("meta", {}).get("rereview", ""))
        for (label, change), count in span_changes(previous, task).items():
            result.spans.setdefault(label, Counter())[change] += count
        for (label, change), count in relation_changes(previous, task).items():
            result.relations.setdefault(label, Counter())[change] += count
    return result


def agreement(first: Iterable[Task], second: Iterable[Task]) -> Dict[str, Dict[str, float]]:
    """Per label F1 between two passes over the same paragraphs (exact spans, exact relations)."""
    by_hash = {task["_input_hash"]: task for task in first}
    counts: Dict[str, List[int]] = {label: [0, 0, 0] for label in ENTITY_LABELS + RELATION_LABELS}
    for task in second:
        other = by_hash.get(task["_input_hash"])
        if other is None:
            continue
        for keys_a, keys_b in ((_spans(other), _spans(task)), (_relations(other), _relations(task))):
            for key in keys_a | keys_b:
                label = key[-1]
                slot = counts.setdefault(label, [0, 0, 0])
                slot[0 if key in keys_a and key in keys_b else 1 if key in keys_a else 2] += 1
    return _agreement_f1(counts)


def _agreement_f1(counts: Dict[str, List[int]]) -> Dict[str, Dict[str, float]]:
    result = {}
    for label, (both, only_first, only_second) in counts.items():
        total = 2 * both + only_first + only_second
        result[label] = {"f1": (2 * both / total) if total else 1.0, "both": both, "only_first": only_first,
                         "only_second": only_second}
    return result


def pooled_agreement(agreements: Iterable[Dict[str, Dict[str, float]]]) -> Dict[str, Dict[str, float]]:
    """Agreement over several batches: their span and relation counts summed, then one F1 per label.

    Pooling the counts, not averaging the F1s, weighs each batch by how many spans it has, so a batch with two
    STATUS spans does not count as much as one with forty.
    """
    counts: Dict[str, List[int]] = {label: [0, 0, 0] for label in ENTITY_LABELS + RELATION_LABELS}
    for batch in agreements:
        for label, scores in batch.items():
            slot = counts.setdefault(label, [0, 0, 0])
            for i, key in enumerate(("both", "only_first", "only_second")):
                slot[i] += int(scores[key])
    return _agreement_f1(counts)


def read_tasks(path: Path) -> List[Task]:
    return [task for _, task in read_jsonl(path)] if path.exists() else []


@dataclass
class BatchAudit:
    """One batch folder's audit: what review changed, and how far its two passes agreed, per label."""

    name: str
    number: int
    changes: Optional[BatchChanges]
    agreement: Dict[str, Dict[str, float]]


_BATCH_NUMBER = re.compile(r"batch-(\d+)$")


def batch_number(folder: Path) -> int:
    match = _BATCH_NUMBER.search(Path(folder).name)
    if match is None:
        raise PersianIEError(f"{folder} is not a batch folder (batch-NN)")
    return int(match.group(1))


def batch_folders(batches_dir: Path) -> List[Path]:
    """The batch folders under `batches_dir` in batch order (batch-100 after batch-99, not after batch-10)."""
    return sorted((p for p in Path(batches_dir).glob("batch-*") if _BATCH_NUMBER.search(p.name)), key=batch_number)


def parse_batch_ranges(text: str) -> Set[int]:
    """`"39-46,51-82"` -> the batch numbers of those ranges (a lone `"47"` is one batch)."""
    numbers: Set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if match is None:
            raise PersianIEError(f"{part!r} is not a batch range: write FIRST-LAST or one number, e.g. '39-46,51-82'")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first:
            raise PersianIEError(f"batch range {part!r} ends before it starts")
        numbers.update(range(first, last + 1))
    return numbers


def read_rounds(path: Path) -> Dict[str, Set[int]]:
    """The annotation rounds and their batch numbers, in file order; no file means no rounds.

    A batch in two rounds would be counted twice in the round rows, so it is an error.
    """
    if not Path(path).exists():
        return {}
    raw = srsly.read_json(path)
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise PersianIEError(f"{path}: expected an object of round name -> batch ranges, e.g. {{\"first\": \"1-8\"}}")
    rounds = {name: parse_batch_ranges(ranges) for name, ranges in raw.items()}
    seen: Dict[int, str] = {}
    for name, numbers in rounds.items():
        for number in sorted(numbers):
            if number in seen:
                raise PersianIEError(f"{path}: batch {number} is in round {seen[number]!r} and in round {name!r}")
            seen[number] = name
    return rounds


def round_agreement(audits: Iterable["BatchAudit"], rounds: Dict[str, Set[int]]) -> List[Tuple[str, Dict]]:
    """Agreement pooled over each round's batches (rounds with no batch of two passes are left out)."""
    by_number = {audit.number: audit.agreement for audit in audits if audit.agreement}
    rows = []
    for name, numbers in rounds.items():
        scores = [by_number[n] for n in sorted(numbers) if n in by_number]
        if scores:
            rows.append((name, pooled_agreement(scores)))
    return rows


def audit_batches(folder: Path) -> List[BatchAudit]:
    """The audit of every batch folder under `folder` that has a pre-annotation, in batch order."""
    audits = []
    for batch in (p for p in batch_folders(folder) if (p / PRE).exists()):
        resolved = read_tasks(batch / RESOLVED)
        changes = compare_versions(batch.name, read_tasks(batch / PRE), resolved) if resolved else None
        first, second = read_tasks(batch / FIRST), read_tasks(batch / SECOND)
        audits.append(BatchAudit(batch.name, batch_number(batch), changes,
                                 agreement(first, second) if first and second else {}))
    return audits


AGREEMENT_SAMPLES = "agreement*"
"""Folders beside the batches, each a blind sample: `preannotated.jsonl`, the blind pass and `sample.json`."""
SAMPLE_FILE = "sample.json"


@dataclass
class BlindSample:
    """One blind sample's agreement with the resolved corpus, per label, and what the sample was drawn from."""

    name: str
    description: str
    scores: Dict[str, Dict[str, float]]


def require_span_labels(labels: Iterable[str]) -> None:
    """Refuse a selection by span labels the schema does not have, before anything is drawn or written."""
    unknown = [label for label in labels if label not in ENTITY_LABELS]
    if unknown:
        raise PersianIEError(f"unknown span labels {unknown}: expected some of {', '.join(ENTITY_LABELS)}")


def parse_span_labels(values: Iterable[str]) -> List[str]:
    """The span labels of repeated and comma-separated `--with` options (`--with ORG --with QUANTITY` or
    `--with ORG,QUANTITY`; a project var passes one string, empty for none), checked against the schema."""
    labels = [label.strip() for value in values for label in value.split(",") if label.strip()]
    require_span_labels(labels)
    return labels


def draw_blind_sample(batches_dir: Path, batches: Iterable[int], per_batch: int, seed: int = 0,
                      require: Sequence[str] = ()) -> List[Task]:
    """`per_batch` pre-annotated paragraphs with at least one span from each of `batches`, drawn at random.

    A third annotator corrects them from the pre-annotation without seeing either pass; `blind_agreement`
    then compares that with what was imported. Paragraphs with no proposed span are left out: on health
    pages half the paragraphs are empty and would agree trivially. With `require`, only paragraphs whose
    pre-annotation holds every one of those span labels are drawn (ORG and QUANTITY for a sample that
    measures HAS_QUANTITY): the filter reads the proposal, never the imported version it is compared with.
    """
    require_span_labels(require)
    rng = random.Random(seed)
    folders = {batch_number(folder): folder for folder in batch_folders(batches_dir)}
    sample: List[Task] = []
    for number in sorted(set(batches)):
        if number not in folders:
            raise PersianIEError(f"no folder batch-{number} under {batches_dir}")
        path = folders[number] / PRE
        tasks = [task for task in read_tasks(path)
                 if task.get("spans") and set(require) <= {span["label"] for span in task["spans"]}]
        if len(tasks) < per_batch:
            holding = f"with {' and '.join(require)}" if require else "with a span"
            raise PersianIEError(f"{path} has {len(tasks)} pre-annotated paragraphs {holding}, "
                                 f"fewer than the {per_batch} asked for: lower --per-batch or pick other batches")
        picked = set(rng.sample(range(len(tasks)), per_batch))
        sample += [task for i, task in enumerate(tasks) if i in picked]
    return sample


def blind_agreement(folder: Path) -> List[BlindSample]:
    """Per label F1 between each blind, independent annotation of a sample (`agreement*/answers-annotator.jsonl`)
    and the resolved versions of the batches the sample was drawn from: the inter-annotator agreement
    that the checked passes (the checker edits the first pass) cannot show."""
    samples = []
    resolved: Optional[List[Task]] = None
    for sample in sorted(p for p in Path(folder).glob(AGREEMENT_SAMPLES) if (p / FIRST).exists()):
        if resolved is None:
            resolved = [task for batch in batch_folders(folder) for task in read_tasks(batch / RESOLVED)]
        meta = srsly.read_json(sample / SAMPLE_FILE) if (sample / SAMPLE_FILE).exists() else {}
        samples.append(BlindSample(sample.name, meta.get("description", sample.name),
                                   agreement(resolved, read_tasks(sample / FIRST))))
    return samples
