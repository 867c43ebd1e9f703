"""Scoring: NER and relations by exact character offsets, per label, for any annotator.

An annotator is anything with `annotate(texts) -> docs` (entities and `doc._.relations`) and
`relate(docs) -> docs` (relations for docs that already carry entities): the trained pipeline,
the rule-based annotator and the CRF tagger are all scored by the same code on the same split.
"""

from typing import Any, Callable, Dict, Iterable, List, Optional, Protocol, Sequence, Set, Tuple

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..io.prodigy import task_span_key
from ..normalization import Alignment
from ..pipeline.relations import Relation, relation_keys, set_relations, with_entities
from ..pipeline.tokenizer import ALIGNMENT_KEY
from ..schema import ENTITY_LABELS, RELATION_LABELS

Key = Tuple[Any, ...]


class Annotator(Protocol):
    name: str

    def annotate(self, texts: Sequence[str]) -> List[Doc]: ...

    def relate(self, docs: Sequence[Doc]) -> List[Doc]: ...


def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "tp": tp, "fp": fp, "fn": fn}


BOOTSTRAP_SAMPLES = 1000


def score_keys(pairs: Iterable[Tuple[Set[Key], Set[Key]]], labels: Sequence[str], ci: bool = False) -> Dict[str, Any]:
    """Micro P/R/F and per-label P/R/F; the label is the last element of every key.

    With `ci`, every F gets `f_ci95`: the 2.5th and 97.5th percentiles of F over paragraphs resampled
    with replacement (each pair is one paragraph), so a small move on a small set is read as noise.
    """
    pairs = list(pairs)
    labels = list(dict.fromkeys([*labels, *(key[-1] for predicted, gold in pairs for key in predicted | gold)]))
    column = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(pairs), len(labels), 3), dtype=np.int64)  # paragraphs x labels x (tp, fp, fn)
    for row, (predicted, gold) in enumerate(pairs):
        for key in predicted | gold:
            counts[row, column[key[-1]], 0 if key in predicted and key in gold else 1 if key in predicted else 2] += 1
    per_label = counts.sum(axis=0)
    result = prf(*(int(v) for v in per_label.sum(axis=0)))
    result["per_label"] = {label: prf(*(int(v) for v in per_label[i])) for i, label in enumerate(labels)}
    if ci:
        low, high = bootstrap_f(counts)
        result["f_ci95"] = [float(low[-1]), float(high[-1])]
        for i, label in enumerate(labels):
            result["per_label"][label]["f_ci95"] = [float(low[i]), float(high[i])]
    return result


def bootstrap_f(counts: np.ndarray, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """95% percentile intervals of F per label (and micro, last) from (paragraphs, labels, tp/fp/fn) counts."""
    n = counts.shape[0]
    if n == 0:
        zeros = np.zeros(counts.shape[1] + 1)
        return zeros, zeros
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(samples, n))
    summed = counts[draws].sum(axis=1)  # (samples, labels, 3)
    summed = np.concatenate([summed, summed.sum(axis=1, keepdims=True)], axis=1)
    tp, fp, fn = summed[..., 0], summed[..., 1], summed[..., 2]
    denominator = 2 * tp + fp + fn
    f = np.divide(2 * tp, denominator, out=np.zeros(tp.shape, dtype=float), where=denominator > 0)
    return np.percentile(f, 2.5, axis=0), np.percentile(f, 97.5, axis=0)


def canonical_surface(text: str) -> str:
    """A span's surface with half-spaces and runs of spaces folded, for "seen in train" checks."""
    return " ".join(text.replace("\u200c", " ").split())


def unseen_prf(pairs: Sequence[Tuple[Set[Key], Set[Key]]], texts: Sequence[str], seen: Set[str],
               surface: Callable[[str], str] = canonical_surface) -> Dict[str, Any]:
    """NER P/R/F restricted to spans whose canonical surface never occurs in the training split."""
    restricted = []
    for (predicted, gold), text in zip(pairs, texts):
        restricted.append(tuple({k for k in keys if surface(text[k[0]:k[1]]) not in seen}
                                for keys in (predicted, gold)))
    result = score_keys(restricted, ENTITY_LABELS, ci=True)
    result["gold_spans"] = sum(len(g) for _, g in restricted)
    return result


def entity_keys(doc: Doc, raw: bool = False) -> Set[Key]:
    """Entities by character offsets (of the raw text with `raw`) and label."""
    if raw:
        return {(e._.raw_start, e._.raw_end, e.label_) for e in doc.ents}
    return {(e.start_char, e.end_char, e.label_) for e in doc.ents}


def with_gold_entities(nlp: Language, gold_docs: Sequence[Doc]) -> List[Doc]:
    """Fresh docs of the gold texts in `nlp`'s vocab, carrying the gold entities."""
    return [with_entities(nlp.make_doc(gold.text), gold) for gold in gold_docs]


def train_surfaces(train_docs: Iterable[Doc]) -> Set[str]:
    """Canonical surfaces of every entity of the training split."""
    return {canonical_surface(ent.text) for doc in train_docs for ent in doc.ents}


def evaluate_annotator(annotator: Annotator, nlp: Language, gold_docs: Sequence[Doc],
                       seen: Set[str] = frozenset(), group_by: Optional[Callable[[Doc], str]] = None,
                       group_key: str = "by_group") -> Dict[str, Any]:
    """`ner`, `ner_unseen`, `rel_gold_ents` and `rel_end_to_end` of one annotator on one split.

    With `group_by`, `group_key` holds the same scores for each group of gold docs (an outlet, say), with
    its paragraph count: a split pooled from several sources can hide that one of them got worse.
    """
    predicted = annotator.annotate([doc.text for doc in gold_docs])
    related = annotator.relate(with_gold_entities(nlp, gold_docs))
    result = _split_scores(predicted, related, gold_docs, seen)
    if group_by is not None:
        groups: Dict[str, List[int]] = {}
        for i, doc in enumerate(gold_docs):
            groups.setdefault(group_by(doc), []).append(i)
        result[group_key] = {
            group: {**_split_scores([predicted[i] for i in indices], [related[i] for i in indices],
                                    [gold_docs[i] for i in indices], seen),
                    "paragraphs": len(indices)}
            for group, indices in sorted(groups.items())
        }
    return result


def _split_scores(predicted: Sequence[Doc], related: Sequence[Doc], gold_docs: Sequence[Doc],
                  seen: Set[str]) -> Dict[str, Any]:
    ner_pairs = [(entity_keys(p), entity_keys(g)) for p, g in zip(predicted, gold_docs)]
    return {
        "ner": score_keys(ner_pairs, ENTITY_LABELS, ci=True),
        "ner_unseen": unseen_prf(ner_pairs, [doc.text for doc in gold_docs], seen),
        "rel_gold_ents": score_keys(
            ((relation_keys(p), relation_keys(g)) for p, g in zip(related, gold_docs)), RELATION_LABELS, ci=True
        ),
        "rel_end_to_end": score_keys(
            ((relation_keys(p), relation_keys(g)) for p, g in zip(predicted, gold_docs)), RELATION_LABELS, ci=True
        ),
    }


def raw_gold_docs(nlp: Language, records: Sequence[Dict[str, Any]]) -> Tuple[List[Doc], int]:
    """Normalized docs of raw records with their gold entities and relations mapped through the alignment.

    Returns the docs and how many gold spans could not be mapped onto whole tokens (they stay out of
    the gold docs, so scores on these docs are over the mappable spans).
    """
    docs, dropped = [], 0
    for record in records:
        doc = nlp.make_doc(record["text"])
        alignment = Alignment.from_dict(doc.user_data[ALIGNMENT_KEY])
        by_raw: Dict[Tuple[int, int, str], Any] = {}
        for span in record.get("spans", []):
            start, end = alignment.to_normalized(span["start"], span["end"])
            ent = doc.char_span(start, end, label=span["label"])
            if ent is None:
                dropped += 1
                continue
            by_raw[task_span_key(span)] = ent
        doc.ents = sorted(by_raw.values(), key=lambda e: e.start)
        relations = []
        for rel in record.get("relations", []):
            head = by_raw.get(task_span_key(rel["head_span"]))
            child = by_raw.get(task_span_key(rel["child_span"]))
            if head is not None and child is not None:
                relations.append(Relation(head.start, head.end, child.start, child.end, rel["label"], 1.0))
        set_relations(doc, relations)
        docs.append(doc)
    return docs, dropped


def evaluate_raw(annotator: Annotator, records: Sequence[Dict[str, Any]], nlp: Optional[Language] = None,
                 seen: Set[str] = frozenset()) -> Dict[str, Any]:
    """Score on raw, un-normalized paragraphs whose gold offsets point into the raw text.

    NER and end-to-end relations compare raw offsets, so every gold span counts. With `nlp` (the
    project tokenizer), relations from gold entities and NER on unseen surfaces are scored too, on the
    normalized docs the gold maps onto.
    """
    predicted = annotator.annotate([record["text"] for record in records])
    ner_pairs, rel_pairs = [], []
    for doc, record in zip(predicted, records):
        gold_ents = {task_span_key(s) for s in record.get("spans", [])}
        gold_rels = {
            (r["head_span"]["start"], r["head_span"]["end"], r["child_span"]["start"], r["child_span"]["end"],
             r["label"])
            for r in record.get("relations", [])
        }
        ner_pairs.append((entity_keys(doc, raw=True), gold_ents))
        rel_pairs.append((relation_keys(doc, raw=True), gold_rels))
    result = {
        "ner": score_keys(ner_pairs, ENTITY_LABELS, ci=True),
        "rel_end_to_end": score_keys(rel_pairs, RELATION_LABELS, ci=True),
    }
    if nlp is not None:
        gold_docs, dropped = raw_gold_docs(nlp, records)
        related = annotator.relate(with_gold_entities(nlp, gold_docs))
        result["rel_gold_ents"] = score_keys(
            ((relation_keys(p), relation_keys(g)) for p, g in zip(related, gold_docs)), RELATION_LABELS, ci=True)
        result["rel_gold_ents"]["gold_spans_unmapped"] = dropped
        result["ner_unseen"] = unseen_prf(ner_pairs, [record["text"] for record in records], seen,
                                          surface=lambda raw: canonical_surface(nlp.make_doc(raw).text))
    return result


class PipelineAnnotator:
    """The trained pipeline as an Annotator."""

    def __init__(self, nlp: Language, name: str = "pipeline", batch_size: int = 64) -> None:
        self.nlp = nlp
        self.name = name
        self.batch_size = batch_size

    def annotate(self, texts: Sequence[str]) -> List[Doc]:
        return list(self.nlp.pipe(texts, batch_size=self.batch_size))

    def relate(self, docs: Sequence[Doc]) -> List[Doc]:
        # the pipeline's own vocab holds its vectors: rebuild the docs in it, entities included
        docs = with_gold_entities(self.nlp, docs)
        for name, component in self.nlp.pipeline:
            if name == "ner":
                continue
            docs = list(component.pipe(docs, batch_size=self.batch_size))
        return docs
