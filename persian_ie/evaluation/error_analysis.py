"""Where the model goes wrong: entity error types, a confusion matrix, and the worst errors.

An entity prediction is compared with the gold entities of its paragraph:
exact (same extent, same label), `label` (same extent, other label), `boundary` (overlapping,
same label, other extent), `boundary+label` (overlapping, other label and extent), `spurious`
(overlaps nothing) and, from the gold side, `missed` (no prediction overlaps it).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from spacy.tokens import Doc

from ..schema import ENTITY_LABELS

NONE = "(none)"
ERROR_TYPES = ("label", "boundary", "boundary+label", "missed", "spurious")

Ent = Tuple[int, int, str]


@dataclass
class EntityError:
    kind: str
    label: str
    text: str
    paragraph: str
    predicted: Optional[Ent]
    gold: Optional[Ent]
    score: float = 1.0


def _overlaps(a: Ent, b: Ent) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def compare_entities(
    predicted: Sequence[Ent], gold: Sequence[Ent], text: str, scores: Optional[Dict[Ent, float]] = None
) -> Tuple[List[Tuple[str, str]], List[EntityError]]:
    """(gold label, predicted label) pairs for the confusion matrix, and the errors of one paragraph."""
    scores = scores or {}
    pairs: List[Tuple[str, str]] = []
    errors: List[EntityError] = []
    gold_set = set(gold)
    matched_gold = set()
    for pred in predicted:
        if pred in gold_set:
            pairs.append((pred[2], pred[2]))
            matched_gold.add(pred)
            continue
        overlapping = [g for g in gold if _overlaps(pred, g)]
        score = scores.get(pred, 1.0)
        if not overlapping:
            pairs.append((NONE, pred[2]))
            errors.append(EntityError("spurious", pred[2], text[pred[0] : pred[1]], text, pred, None, score))
            continue
        g = overlapping[0]
        matched_gold.update(overlapping)
        same_extent = (g[0], g[1]) == (pred[0], pred[1])
        kind = "label" if same_extent else ("boundary" if g[2] == pred[2] else "boundary+label")
        pairs.append((g[2], pred[2]))
        errors.append(EntityError(kind, g[2], text[pred[0] : pred[1]], text, pred, g, score))
    for g in gold:
        if g not in matched_gold:
            pairs.append((g[2], NONE))
            errors.append(EntityError("missed", g[2], text[g[0] : g[1]], text, None, g, 0.0))
    return pairs, errors


def analyse(predicted_docs: Sequence[Doc], gold_docs: Sequence[Doc],
            scores: Optional[Sequence[Dict[Ent, float]]] = None) -> Dict[str, object]:
    """Confusion matrix, error counts per label and type, and all errors (for the worst list)."""
    matrix: Counter = Counter()
    by_type: Dict[str, Counter] = defaultdict(Counter)
    errors: List[EntityError] = []
    for i, (pred, gold) in enumerate(zip(predicted_docs, gold_docs)):
        pred_ents = [(e.start_char, e.end_char, e.label_) for e in pred.ents]
        gold_ents = [(e.start_char, e.end_char, e.label_) for e in gold.ents]
        char_scores = {}
        if scores is not None:
            char_scores = {
                (pred[s:e].start_char, pred[s:e].end_char, label): value for (s, e, label), value in scores[i].items()
            }
        pairs, doc_errors = compare_entities(pred_ents, gold_ents, gold.text, char_scores)
        matrix.update(pairs)
        for error in doc_errors:
            by_type[error.label][error.kind] += 1
        errors.extend(doc_errors)
    labels = list(ENTITY_LABELS) + [NONE]
    return {
        "labels": labels,
        "matrix": [[matrix[(g, p)] for p in labels] for g in labels],
        "errors_by_type": {label: {kind: by_type[label][kind] for kind in ERROR_TYPES} for label in ENTITY_LABELS},
        "errors": errors,
    }


def worst_errors(errors: Sequence[EntityError], per_label: int = 5) -> Dict[str, List[EntityError]]:
    """Per label: confident wrong predictions first, then misses."""
    grouped: Dict[str, List[EntityError]] = defaultdict(list)
    for error in errors:
        grouped[error.label].append(error)
    return {
        label: sorted(items, key=lambda e: (e.kind == "missed", -e.score))[:per_label]
        for label, items in grouped.items()
    }
