"""Carry the corpus over to a changed normalizer or tokenizer, span by span, without losing a label.

Spans are stored on the normalized text, so a better normalizer (a half-space restored, a glued bracket
separated) changes the text and the tokens the corpus was written on. Authored documents are rebuilt
from their markup by `build-corpus`; every other task (imported reviews) is migrated here, and the relations
follow their spans. A span that no longer lands on token boundaries is reported, never moved silently.

- A task that keeps its raw paragraph (`meta.raw_text`, every real one) is normalized again **from the
  raw text**, so it holds what the pipeline makes of that paragraph today, also where an older normalizer
  deleted something the text cannot get back (a kashida used as a dash). Spans move through a character
  diff of the old and the new text: a span whose first or last character was itself rewritten is reported.
- Any other task is normalized again from its own text, and its spans move through the alignment.
"""

import bisect
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Span

from ..io.prodigy import Task, make_task, task_span_key
from ..normalization import Alignment
from ..pipeline.tokenizer import ALIGNMENT_KEY
from .build import REVIEW_META_KEY


@dataclass
class Migration:
    tasks: List[Task] = field(default_factory=list)
    changed: int = 0
    problems: List[str] = field(default_factory=list)


def _same_tokens(task: Task, doc) -> bool:
    return [(t["start"], t["end"]) for t in task["tokens"]] == [(t.idx, t.idx + len(t.text)) for t in doc]


Offsets = Callable[[int, int], Optional[Tuple[int, int]]]


def diff_offsets(old: str, new: str) -> Offsets:
    """Map a character range of `old` onto `new` through their diff; None when an end was rewritten."""
    blocks = [(i1, i2, j1) for tag, i1, i2, j1, _ in SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
              if tag == "equal"]
    firsts = [i1 for i1, _, _ in blocks]

    def position(offset: int) -> Optional[int]:
        k = bisect.bisect_right(firsts, offset) - 1
        if k < 0 or offset >= blocks[k][1]:
            return None
        return blocks[k][2] + offset - blocks[k][0]

    def to_new(start: int, end: int) -> Optional[Tuple[int, int]]:
        first, last = position(start), position(end - 1)
        return None if first is None or last is None else (first, last + 1)

    return to_new


def migrate_task(nlp: Language, task: Task) -> Tuple[Optional[Task], List[str]]:
    """The task on the current normalizer's text and tokens (the same object when nothing changed)."""
    raw = task.get("meta", {}).get("raw_text")
    doc = nlp.make_doc(raw if raw is not None else task["text"])
    if doc.text == task["text"] and _same_tokens(task, doc):
        return task, []
    if raw is not None:
        to_new: Offsets = diff_offsets(task["text"], doc.text)
    else:
        to_new = Alignment.from_dict(doc.user_data[ALIGNMENT_KEY]).to_normalized
    where = f"{task.get('meta', {}).get('doc_id')} p{task.get('meta', {}).get('paragraph')}"
    by_key: Dict[Tuple[int, int, str], Span] = {}
    problems = []
    for span in task.get("spans", []):
        offsets = to_new(span["start"], span["end"])
        new = doc.char_span(*offsets, label=span["label"]) if offsets is not None else None
        if new is None:
            problems.append(f"{where}: span {task['text'][span['start']:span['end']]!r} ({span['label']}) is not on "
                            "the new token boundaries")
            continue
        by_key[task_span_key(span)] = new
    relations = []
    for rel in task.get("relations", []) or []:
        head = by_key.get(task_span_key(rel["head_span"]))
        child = by_key.get(task_span_key(rel["child_span"]))
        if head is None or child is None:
            problems.append(f"{where}: relation {rel['label']} loses an end")
            continue
        relations.append((head, child, rel["label"]))
    if problems:
        return None, problems
    migrated = make_task(doc, sorted(by_key.values(), key=lambda s: s.start), relations,
                         meta=dict(task.get("meta", {})), answer=task.get("answer", "accept"))
    return migrated, []


def migrate_corpus(nlp: Language, tasks: Sequence[Task]) -> Migration:
    """Every reviewed (non-authored) task migrated; authored tasks are left to `build-corpus`."""
    result = Migration()
    for task in tasks:
        if REVIEW_META_KEY not in task.get("meta", {}):
            result.tasks.append(task)
            continue
        migrated, problems = migrate_task(nlp, task)
        if problems:
            result.problems.extend(problems)
            result.tasks.append(task)
            continue
        result.changed += migrated is not task
        result.tasks.append(migrated)
    return result
