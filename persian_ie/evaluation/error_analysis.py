"""Where the model goes wrong: entity and relation error types, a confusion matrix, and the worst errors.

An entity prediction is compared with the gold entities of its paragraph:
exact (same extent, same label), `label` (same extent, other label), `boundary` (overlapping,
same label, other extent), `boundary+label` (overlapping, other label and extent), `spurious`
(overlaps nothing) and, from the gold side, `missed` (no prediction overlaps it).

Relations are compared between the gold entities, so that their errors are the relation model's own
(entity errors would otherwise hide them). A wrong link is `wrong partner` when one of its ends has a
gold link of that label to another entity (the figure given to the wrong organization, the person to the
wrong club), else `spurious`. A missed link is `outside window` when the candidates never propose its
pair (too far apart), `partner taken` when one of its ends was linked wrongly instead, else `missed`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.relations import RelationKey, get_relations, relation_key, relation_keys
from ..schema import ENTITY_LABELS, RELATION_LABELS
from .scores import PipelineAnnotator

NONE = "(none)"
ERROR_TYPES = ("label", "boundary", "boundary+label", "missed", "spurious")
RELATION_ERROR_TYPES = ("spurious", "wrong partner", "missed", "partner taken", "outside window")

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


# a candidate pair by the character offsets of its head and child
PairKey = Tuple[int, int, int, int]


@dataclass
class RelationError:
    kind: str
    label: str
    head: Tuple[int, int]
    child: Tuple[int, int]
    paragraph: str
    score: float = 1.0

    @property
    def head_text(self) -> str:
        return self.paragraph[self.head[0]: self.head[1]]

    @property
    def child_text(self) -> str:
        return self.paragraph[self.child[0]: self.child[1]]


def _shares_an_end(key: RelationKey, others: Iterable[RelationKey]) -> bool:
    """Another relation of the same label with the same head or the same child."""
    return any(other != key and other[4] == key[4] and (other[:2] == key[:2] or other[2:4] == key[2:4])
               for other in others)


def compare_relations(predicted: Dict[RelationKey, float], gold: Set[RelationKey], text: str,
                      candidates: Optional[Set[PairKey]] = None) -> Tuple[Dict[str, int], List[RelationError]]:
    """Correct links per label, and the errors of one paragraph (see the module docstring for the kinds).

    `candidates` are the pairs the relation model was shown; without them no miss is `outside window`.
    """
    correct: Dict[str, int] = Counter()
    errors: List[RelationError] = []
    wrong = [key for key in predicted if key not in gold]
    for key, score in predicted.items():
        if key in gold:
            correct[key[4]] += 1
            continue
        kind = "wrong partner" if _shares_an_end(key, gold) else "spurious"
        errors.append(RelationError(kind, key[4], key[:2], key[2:4], text, score))
    for key in gold:
        if key in predicted:
            continue
        if candidates is not None and key[:4] not in candidates:
            kind = "outside window"
        elif _shares_an_end(key, wrong):
            kind = "partner taken"
        else:
            kind = "missed"
        errors.append(RelationError(kind, key[4], key[:2], key[2:4], text, 0.0))
    return dict(correct), errors


def analyse_relations(related_docs: Sequence[Doc], gold_docs: Sequence[Doc],
                      candidates: Optional[Sequence[Set[PairKey]]] = None) -> Dict[str, object]:
    """Correct links and error counts per label and kind, and all errors, for relations predicted between the
    gold entities (`related_docs`: the gold texts with the gold entities, through the relation component)."""
    correct: Counter = Counter()
    by_type: Dict[str, Counter] = defaultdict(Counter)
    errors: List[RelationError] = []
    for i, (related, gold) in enumerate(zip(related_docs, gold_docs)):
        predicted = {relation_key(rel.head(related), rel.child(related), rel.label): rel.score
                     for rel in get_relations(related)}
        doc_correct, doc_errors = compare_relations(predicted, relation_keys(gold), gold.text,
                                                    None if candidates is None else candidates[i])
        correct.update(doc_correct)
        for error in doc_errors:
            by_type[error.label][error.kind] += 1
        errors.extend(doc_errors)
    labels = [label for label in RELATION_LABELS if correct[label] or by_type[label]]
    return {
        "labels": labels,
        "correct": {label: correct[label] for label in labels},
        "errors_by_type": {label: {kind: by_type[label][kind] for kind in RELATION_ERROR_TYPES} for label in labels},
        "errors": errors,
    }


def pipeline_relation_errors(nlp: Language, gold_docs: Sequence[Doc]) -> Dict[str, object]:
    """`analyse_relations` for a trained pipeline: its relations between the gold entities, as `evaluate` scores
    them (`rel_gold_ents`), and the candidate pairs its relation component was shown."""
    related = PipelineAnnotator(nlp).relate(gold_docs)
    component = nlp.get_pipe("relation_extractor")
    candidates = [{(doc[c.head.start: c.head.end].start_char, doc[c.head.start: c.head.end].end_char,
                    doc[c.child.start: c.child.end].start_char, doc[c.child.start: c.child.end].end_char)
                   for c in component.candidates(doc)} for doc in related]
    return analyse_relations(related, gold_docs, candidates)


def worst_relation_errors(errors: Sequence[RelationError], per_label: int = 5) -> Dict[str, List[RelationError]]:
    """Per label: the `per_label` most confident wrong links, then `per_label` missed ones (a link given to
    another partner first, then plain misses, then pairs outside the window), so both sides are shown."""
    grouped: Dict[str, List[RelationError]] = defaultdict(list)
    for error in errors:
        grouped[error.label].append(error)
    miss_order = {"partner taken": 0, "missed": 1, "outside window": 2}
    worst = {}
    for label, items in grouped.items():
        wrong = sorted((e for e in items if e.kind not in miss_order), key=lambda e: -e.score)
        missed = sorted((e for e in items if e.kind in miss_order), key=lambda e: miss_order[e.kind])
        worst[label] = wrong[:per_label] + missed[:per_label]
    return worst
