"""The relation model: candidate entity pairs -> features -> one probability per relation label.

explosion/projects `tutorials/rel_component` pools the two entities' vectors for every ordered pair
of entities. This model is built for the schema instead:

- candidates are only the pairs whose label pair some relation allows (PERSON->ORG, CLUSTER->STATUS,
  ORG/CLUSTER->QUANTITY, ORG->CLUSTER), and only within a window of tokens, so the cost grows with
  the number of candidate pairs, not with the square of the entities;
- each candidate is described by the mean vectors of the head, the child and the words between
  them (`مدیرعامل`, `با حمایت`, `عضو`); in v2 also of the few words before the pair and after it
  (the role before a name, the verb after an amount: `پرداخت کرد`, `جذب شد`). Then come the entity
  types, the distance, the order, the entities in between, whether a sentence boundary or another
  compatible entity lies closer, and whether the nearest-pair rule (the baselines' relation
  heuristic) would link the pair: the network learns when to trust the rule instead of having to
  rediscover it. Candidates v2 add how many words of the gap are not part of a list: in a line-up
  (`منچسترسیتی: ادرسون- واکر- کمپانی`) or a run of names (`الف، ب و ج در تیم X`) every member is as
  close to the body as the first one, though other entities of its kind lie closer. Model v3 adds the
  element-wise maximum over the words between the pair beside their mean, and v4 the mean of the first
  and of the last few words between them, the words next to each end (`X، سرمربی ... Y`).

Pooling uses prefix sums, so the forward and backward passes are linear in tokens plus candidates.
"""

import bisect
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, Relu, Sigmoid, chain
from thinc.types import Floats2d

from ..punctuation import LIST_SEPARATORS, SENTENCE_END
from ..schema import CANDIDATE_PAIRS, ENTITY_LABELS
from .nearest_pair import nearest_pair_relations
from .token_marks import doc_orths, orth_ids, prefix_counts, token_marks

DISTANCE_BUCKETS = (0, 1, 2, 3, 5, 8, 12, 20, 30)
BETWEEN_BUCKETS = (0, 1, 2, 3)
SENTENCE_END_IDS = orth_ids(SENTENCE_END)
COMMA_IDS = orth_ids(["،"])
LIST_SEPARATOR_IDS = orth_ids(LIST_SEPARATORS)
# words of the gap outside any list run: 0 is a line-up, 1-2 a short frame (`در تیم`, `از`)
LIST_GAP_BUCKETS = (0, 1, 2, 3, 5)
# entities longer than this many tokens may be missed at the far edge of a window
MAX_ENTITY_TOKENS = 16


class EntityRef(NamedTuple):
    """An entity by token offsets and label: no reference to its Doc, so caches cannot keep docs alive."""

    start: int
    end: int
    label_: str


@dataclass(frozen=True)
class Candidate:
    """An ordered (head, child) entity pair of one doc, with its hand-made features."""

    head: EntityRef
    child: EntityRef
    features: Tuple[float, ...]


def _bucket(value: int, edges: Sequence[int]) -> List[float]:
    onehot = [0.0] * len(edges)
    onehot[max(bisect.bisect_right(edges, value) - 1, 0)] = 1.0
    return onehot


def _gap(a: Any, b: Any) -> Tuple[int, int]:
    """Token range strictly between two non-overlapping spans."""
    return (a.end, b.start) if a.start < b.start else (b.end, a.start)


def n_features(list_runs: bool = False) -> int:
    """Hand-made features per candidate (v1; v2 adds the list-gap buckets with `list_runs`)."""
    base = 2 * len(ENTITY_LABELS) + len(DISTANCE_BUCKETS) + len(BETWEEN_BUCKETS) + 6
    return base + (len(LIST_GAP_BUCKETS) if list_runs else 0)


def list_token_marks(orths: List[int], ents: Sequence[EntityRef], labels: Tuple[str, ...]) -> List[int]:
    """Prefix counts of list tokens: separators, and tokens of entities labelled one of `labels`.

    For a pair of those labels, the gap's length minus its list tokens is the number of words that
    are not part of a run of names (`الف، ب و ج`) between the two.
    """
    flags = [orth in LIST_SEPARATOR_IDS for orth in orths]
    for ent in ents:
        if ent.label_ in labels:
            flags[ent.start:ent.end] = [True] * (ent.end - ent.start)
    return prefix_counts(flags)


def _nearest_by_label(starts: List[int], labels: List[str]) -> dict:
    """For each entity i and label L: the token distance to the nearest other entity labelled L."""
    nearest = {}
    for label in set(labels):
        positions = [s for s, lab in zip(starts, labels) if lab == label]
        for i, start in enumerate(starts):
            k = bisect.bisect_left(positions, start)
            best = None
            for j in (k - 1, k, k + 1):
                if 0 <= j < len(positions) and not (positions[j] == start and labels[i] == label):
                    d = abs(positions[j] - start)
                    best = d if best is None else min(best, d)
            nearest[i, label] = best
    return nearest


def _onehot(value: str, labels: Sequence[str]) -> Tuple[float, ...]:
    return tuple(1.0 if value == label else 0.0 for label in labels)


# feature blocks are looked up, not rebuilt per pair: the candidate loop runs for every pair at inference
LABEL_ONEHOT = {label: _onehot(label, ENTITY_LABELS) for label in ENTITY_LABELS}


@lru_cache(maxsize=1024)
def _bucket_onehot(value: int, edges: Tuple[int, ...]) -> Tuple[float, ...]:
    return tuple(_bucket(value, edges))


def candidate_pairs(doc: Doc, max_distance: int, list_runs: bool = False) -> List[Candidate]:
    """Every allowed (head, child) pair of `doc.ents` at most `max_distance` tokens apart.

    Entities are sorted by position, so each head looks only at the entities inside its window:
    the cost is linear in the number of candidate pairs (plus a sort), not quadratic in entities.
    With `list_runs`, each pair also gets the bucketed count of gap words outside list runs.
    """
    ents = [EntityRef(e.start, e.end, e.label_) for e in doc.ents]
    labels = [e.label_ for e in ents]
    present = set(labels)
    if len(ents) < 2 or not any(h in present and c in present for h, c in CANDIDATE_PAIRS):
        return []
    starts = [e.start for e in ents]
    nearest = _nearest_by_label(starts, labels)
    rule_links = {(r.head_start, r.child_start) for r in nearest_pair_relations(doc)}
    orths = doc_orths(doc)
    breaks = token_marks(orths, SENTENCE_END_IDS)
    commas = token_marks(orths, COMMA_IDS)
    list_marks: dict = {}
    candidates = []
    for hi, head in enumerate(ents):
        first = bisect.bisect_left(starts, head.start - max_distance - MAX_ENTITY_TOKENS)
        last = bisect.bisect_right(starts, head.end + max_distance)
        head_onehot = LABEL_ONEHOT[head.label_]
        for ci in range(first, last):
            child = ents[ci]
            if ci == hi or (head.label_, child.label_) not in CANDIDATE_PAIRS:
                continue
            lo, up = _gap(head, child)
            distance = up - lo
            if distance > max_distance:
                continue
            between = bisect.bisect_left(starts, up) - bisect.bisect_left(starts, lo)
            separation = abs(head.start - child.start)
            features = (
                head_onehot
                + LABEL_ONEHOT[child.label_]
                + _bucket_onehot(distance, DISTANCE_BUCKETS)
                + _bucket_onehot(between, BETWEEN_BUCKETS)
                + (
                    1.0 if head.start < child.start else 0.0,
                    1.0 if breaks[up] - breaks[lo] > 0 else 0.0,
                    1.0 if (nearest[ci, head.label_] or separation) < separation else 0.0,
                    1.0 if (nearest[hi, child.label_] or separation) < separation else 0.0,
                    1.0 if commas[up] - commas[lo] > 0 else 0.0,
                    1.0 if (head.start, child.start) in rule_links else 0.0,
                )
            )
            if list_runs:
                pair = (head.label_, child.label_)
                if pair not in list_marks:
                    list_marks[pair] = list_token_marks(orths, ents, pair)
                marks = list_marks[pair]
                features += _bucket_onehot(distance - (marks[up] - marks[lo]), LIST_GAP_BUCKETS)
            candidates.append(Candidate(head, child, features))
    return candidates


@registry.misc("persian_ie.RelationCandidates.v1")
def create_candidate_generator(max_distance: int = 40) -> Callable[[Doc], List[Candidate]]:
    """Candidates: schema-allowed entity pairs at most `max_distance` tokens apart.

    The model and the component both ask for a doc's candidates; they are computed once per doc
    and entity set (a weak cache, so docs are not kept alive).
    """
    return _cached_candidates(max_distance, list_runs=False)


@registry.misc("persian_ie.RelationCandidates.v2")
def create_candidate_generator_v2(max_distance: int = 40) -> Callable[[Doc], List[Candidate]]:
    """v1 plus the list-gap features: how many words between the pair are not part of a run of names."""
    return _cached_candidates(max_distance, list_runs=True)


def _cached_candidates(max_distance: int, list_runs: bool) -> Callable[[Doc], List[Candidate]]:
    cache: weakref.WeakKeyDictionary[Doc, Tuple[tuple, List[Candidate]]] = weakref.WeakKeyDictionary()

    def get_candidates(doc: Doc) -> List[Candidate]:
        signature = tuple((e.start, e.end, e.label) for e in doc.ents)
        cached = cache.get(doc)
        if cached is not None and cached[0] == signature:
            return cached[1]
        candidates = candidate_pairs(doc, max_distance, list_runs)
        cache[doc] = (signature, candidates)
        return candidates

    get_candidates.n_features = n_features(list_runs)  # type: ignore[attr-defined]
    return get_candidates


@registry.architectures("persian_ie.RelationModel.v1")
def create_relation_model(
    tok2vec: Model[List[Doc], List[Floats2d]],
    get_candidates: Callable[[Doc], List[Candidate]],
    hidden_width: int = 128,
    dropout: float = 0.1,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """tok2vec -> candidate features -> ReLU layer -> one sigmoid per relation label."""
    return create_relation_model_v2(tok2vec, get_candidates, hidden_width, dropout, context=0, nO=nO)


@registry.architectures("persian_ie.RelationModel.v2")
def create_relation_model_v2(
    tok2vec: Model[List[Doc], List[Floats2d]],
    get_candidates: Callable[[Doc], List[Candidate]],
    hidden_width: int = 128,
    dropout: float = 0.1,
    context: int = 3,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """v1 plus the mean vectors of up to `context` tokens before the pair and after it (0: v1)."""
    return create_relation_model_v3(tok2vec, get_candidates, hidden_width, dropout, context=context, max_gap=False,
                                    nO=nO)


@registry.architectures("persian_ie.RelationModel.v3")
def create_relation_model_v3(
    tok2vec: Model[List[Doc], List[Floats2d]],
    get_candidates: Callable[[Doc], List[Candidate]],
    hidden_width: int = 128,
    dropout: float = 0.1,
    context: int = 0,
    max_gap: bool = True,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """v2 plus, with `max_gap`, the element-wise maximum over the words between the pair.

    A mean over a long gap dilutes the one word that decides the pair (`مدیرعامل`, `سرمربی`, `عضو`);
    the maximum keeps it, as the piecewise max pooling of PCNN relation extractors does (Zeng et al.
    2015). v3 with `max_gap = false` is v2.
    """
    return create_relation_model_v4(tok2vec, get_candidates, hidden_width, dropout, context=context, max_gap=max_gap,
                                    gap_edges=0, nO=nO)


@registry.architectures("persian_ie.RelationModel.v4")
def create_relation_model_v4(
    tok2vec: Model[List[Doc], List[Floats2d]],
    get_candidates: Callable[[Doc], List[Candidate]],
    hidden_width: int = 128,
    dropout: float = 0.1,
    context: int = 0,
    max_gap: bool = False,
    gap_edges: int = 2,
    nO: Optional[int] = None,
) -> Model[List[Doc], Floats2d]:
    """v3 plus, with `gap_edges`, the mean of the first and of the last `gap_edges` words between the pair.

    The word that decides a pair usually stands next to one of its ends (`X، سرمربی تیم Y`, `Y با
    سرمایه X`); a mean over a long gap blurs it, and a maximum loses which end it stood by. v4 with
    `gap_edges = 0` is v3.
    """
    instances = create_instance_layer(tok2vec, get_candidates, context, max_gap, gap_edges)
    output = Sigmoid(nO=nO)
    model = chain(instances, Relu(nO=hidden_width, dropout=dropout), output)
    model.set_ref("output", output)
    model.attrs["get_candidates"] = get_candidates
    return model


def create_instance_layer(
    tok2vec: Model[List[Doc], List[Floats2d]],
    get_candidates: Callable[[Doc], List[Candidate]],
    context: int = 0,
    max_gap: bool = False,
    gap_edges: int = 0,
) -> Model[List[Doc], Floats2d]:
    return Model(
        "relation_instances",
        _instances_forward,
        layers=[tok2vec],
        refs={"tok2vec": tok2vec},
        attrs={"get_candidates": get_candidates, "context": context, "max_gap": max_gap, "gap_edges": gap_edges},
        init=_instances_init,
    )


def _instances_init(model: Model, X: Optional[List[Doc]] = None, Y: Optional[Floats2d] = None) -> Model:
    tok2vec = model.get_ref("tok2vec")
    if X is not None:
        tok2vec.initialize(X)
    return model


def n_segments(context: int, gap_edges: int = 0) -> int:
    """Mean-pooled segments per candidate: head, child, between; with context the words before and after the
    pair; with gap_edges the first and the last words between it."""
    return 3 + (2 if context > 0 else 0) + (2 if gap_edges > 0 else 0)


def _segments(candidates: List[Candidate], context: int, n_tokens: int,
              gap_edges: int = 0) -> Tuple[numpy.ndarray, numpy.ndarray]:
    """Start and end token indices of each pooled segment (n_segments x n each); an empty segment pools to 0."""
    shape = (n_segments(context, gap_edges), len(candidates))
    starts = numpy.zeros(shape, dtype="int64")
    ends = numpy.zeros(shape, dtype="int64")
    edge_row = n_segments(context)
    for i, cand in enumerate(candidates):
        lo, up = _gap(cand.head, cand.child)
        starts[:3, i] = (cand.head.start, cand.child.start, lo)
        ends[:3, i] = (cand.head.end, cand.child.end, max(lo, up))
        if context:
            first = min(cand.head.start, cand.child.start)
            last = max(cand.head.end, cand.child.end)
            starts[3:5, i] = (max(first - context, 0), last)
            ends[3:5, i] = (first, min(last + context, n_tokens))
        if gap_edges:
            up = max(lo, up)
            starts[edge_row:, i] = (lo, max(up - gap_edges, lo))
            ends[edge_row:, i] = (min(lo + gap_edges, up), up)
    return starts, ends


def _gap_max(ops: Any, tokvec: Floats2d, starts: numpy.ndarray, ends: numpy.ndarray) -> Tuple[Floats2d, Callable]:
    """Element-wise maximum of `tokvec` over each [start, end) range (zeros for an empty range), and its backprop."""
    lengths = numpy.asarray(ends - starts, dtype="int32")
    filled = lengths > 0
    width = tokvec.shape[1]
    pooled = ops.alloc2f(len(lengths), width)
    if not filled.any():
        return pooled, lambda d_pooled: ops.alloc2f(*tokvec.shape)
    index = numpy.concatenate([numpy.arange(s, e) for s, e in zip(starts[filled], ends[filled])])
    filled_lengths = ops.asarray1i(lengths[filled])
    maxes, which = ops.reduce_max(tokvec[index], filled_lengths)
    pooled[filled] = maxes

    def backprop(d_pooled: Floats2d) -> Floats2d:
        d_rows = ops.backprop_reduce_max(ops.xp.ascontiguousarray(d_pooled[filled]), which, filled_lengths)
        d_tokvec = ops.alloc2f(*tokvec.shape)
        ops.xp.add.at(d_tokvec, index, d_rows)
        return d_tokvec

    return pooled, backprop


def _instances_forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[Floats2d, Callable]:
    tok2vec = model.get_ref("tok2vec")
    get_candidates = model.attrs["get_candidates"]
    context = model.attrs["context"]
    max_gap = model.attrs["max_gap"]
    gap_edges = model.attrs["gap_edges"]
    k_segments = n_segments(context, gap_edges)
    ops = model.ops
    tokvecs, backprop_tok2vec = tok2vec(docs, is_train)
    all_candidates = [get_candidates(doc) for doc in docs]
    width = tokvecs[0].shape[1] if tokvecs else 0
    outputs = []
    saved = []
    for tokvec, candidates in zip(tokvecs, all_candidates):
        if not candidates:
            saved.append(None)
            continue
        starts, ends = _segments(candidates, context, tokvec.shape[0], gap_edges)
        prefix = ops.xp.concatenate([ops.alloc2f(1, width), ops.xp.cumsum(tokvec, axis=0)])
        lengths = ops.xp.asarray(ends - starts, dtype="float32")
        safe = ops.xp.maximum(lengths, 1.0)[..., None]
        pooled = [(prefix[ends[k]] - prefix[starts[k]]) / safe[k] for k in range(k_segments)]
        gap_backprop = None
        if max_gap:
            gap_max, gap_backprop = _gap_max(ops, tokvec, starts[2], ends[2])
            pooled.append(gap_max)
        features = ops.asarray2f(numpy.array([c.features for c in candidates], dtype="float32"))
        outputs.append(ops.xp.hstack(pooled + [features]))
        saved.append((starts, ends, safe, tokvec.shape[0], gap_backprop))
    n_out = (k_segments + int(max_gap)) * width + getattr(get_candidates, "n_features", n_features())
    output = ops.xp.vstack(outputs) if outputs else ops.alloc2f(0, n_out)

    def backprop(d_output: Floats2d) -> List[Floats2d]:
        d_tokvecs = []
        row = 0
        for tokvec, record in zip(tokvecs, saved):
            if record is None:
                d_tokvecs.append(ops.alloc2f(*tokvec.shape))
                continue
            starts, ends, safe, n_tokens, gap_backprop = record
            n = starts.shape[1]
            block = d_output[row : row + n]
            row += n
            diff = ops.alloc2f(n_tokens + 1, width)
            for k in range(k_segments):
                grad = block[:, k * width : (k + 1) * width] / safe[k]
                ops.xp.add.at(diff, starts[k], grad)
                ops.xp.add.at(diff, ends[k], -grad)
            d_tokvec = ops.xp.cumsum(diff, axis=0)[:-1]
            if gap_backprop is not None:
                d_tokvec += gap_backprop(block[:, k_segments * width : (k_segments + 1) * width])
            d_tokvecs.append(d_tokvec)
        return backprop_tok2vec(d_tokvecs)

    return output, backprop
