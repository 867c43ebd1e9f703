"""Where the model goes wrong: entity and relation error types, a confusion matrix, and the worst errors.

An entity prediction is compared with the gold entities of its paragraph:
exact (same extent, same label), `label` (same extent, other label), `boundary` (overlapping,
same label, other extent), `boundary+label` (overlapping, other label and extent), `spurious`
(overlaps nothing) and, from the gold side, `missed` (no prediction overlaps it).

Relations are compared between the gold entities, so that their errors are the relation model's own
(entity errors would otherwise hide them). Some labels give one end a single partner: a person is
AFFILIATED_WITH one body in a paragraph, a figure is one body's own (HAS_QUANTITY), a status one cluster's
(HAS_STATUS). A wrong link is `wrong partner` when that end has a gold link of the label to another entity
(the figure given to the wrong organization, the player to the wrong club), else `spurious`. A missed
link is `outside window` when the candidates never propose its pair (too far apart), `partner taken` when
its single-partner end was linked wrongly instead, else `missed`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.relations import RelationKey, get_relations, relation_key, relation_keys
from ..schema import ENTITY_LABELS, RELATION_LABELS
from .scores import PipelineAnnotator

NONE = "(none)"
ERROR_TYPES = ("label", "boundary", "boundary+label", "missed", "spurious")
RELATION_ERROR_TYPES = ("spurious", "wrong partner", "missed", "partner taken", "outside window")
MISSED_KINDS = ("partner taken", "missed", "outside window")
# the end of a relation that takes one partner (a slice of the relation key); SUPPORTS has none
SINGLE_PARTNER_END = {"AFFILIATED_WITH": slice(0, 2), "HAS_QUANTITY": slice(2, 4), "HAS_STATUS": slice(2, 4)}

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


def _other_partner(key: RelationKey, others: Iterable[RelationKey]) -> bool:
    """Another relation of the same label on the same single-partner end (see `SINGLE_PARTNER_END`)."""
    end = SINGLE_PARTNER_END.get(key[4])
    return end is not None and any(other != key and other[4] == key[4] and other[end] == key[end] for other in others)


def compare_relations(predicted: Dict[RelationKey, float], gold: Set[RelationKey], text: str,
                      candidates: Optional[Set[PairKey]] = None) -> Tuple[Dict[str, int], List[RelationError]]:
    """Correct links per label, and the errors of one paragraph (see the module docstring for the kinds).

    `candidates` are the pairs the relation model was shown; without them no miss is `outside window`.
    """
    correct: Dict[str, int] = Counter()
    errors: List[RelationError] = []
    wrong = [key for key in sorted(predicted) if key not in gold]
    for key in sorted(predicted):
        if key in gold:
            correct[key[4]] += 1
            continue
        kind = "wrong partner" if _other_partner(key, gold) else "spurious"
        errors.append(RelationError(kind, key[4], key[:2], key[2:4], text, predicted[key]))
    for key in sorted(gold):
        if key in predicted:
            continue
        if candidates is not None and key[:4] not in candidates:
            kind = "outside window"
        elif _other_partner(key, wrong):
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
    for i, (related, gold) in enumerate(zip(related_docs, gold_docs, strict=True)):
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


def _char_pair(doc: Doc, head: Any, child: Any) -> PairKey:
    """A candidate's (head, child) token ranges as character offsets."""
    head_span, child_span = doc[head.start: head.end], doc[child.start: child.end]
    return head_span.start_char, head_span.end_char, child_span.start_char, child_span.end_char


def pipeline_relation_errors(nlp: Language, gold_docs: Sequence[Doc]) -> Optional[Dict[str, object]]:
    """`analyse_relations` for a trained pipeline: its relations between the gold entities, as `evaluate` scores
    them (`rel_gold_ents`), and the candidate pairs its relation component was shown. None for a pipeline
    without a relation component."""
    if "relation_extractor" not in nlp.pipe_names:
        return None
    related = PipelineAnnotator(nlp).relate(gold_docs)
    component = nlp.get_pipe("relation_extractor")
    candidates = [{_char_pair(doc, c.head, c.child) for c in component.candidates(doc)} for doc in related]
    return analyse_relations(related, gold_docs, candidates)


def worst_relation_errors(errors: Sequence[RelationError], per_label: int = 5) -> Dict[str, List[RelationError]]:
    """Per label: the `per_label` most confident wrong links, then `per_label` missed ones (a link given to
    another partner first, then plain misses, then pairs outside the window), so both sides are shown."""
    grouped: Dict[str, List[RelationError]] = defaultdict(list)
    for error in errors:
        grouped[error.label].append(error)
    worst = {}
    for label, items in grouped.items():
        wrong = sorted((e for e in items if e.kind not in MISSED_KINDS), key=lambda e: -e.score)
        missed = sorted((e for e in items if e.kind in MISSED_KINDS), key=lambda e: MISSED_KINDS.index(e.kind))
        worst[label] = wrong[:per_label] + missed[:per_label]
    return worst
