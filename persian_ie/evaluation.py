"""Scoring: NER and relations by exact character offsets, per label, for any annotator.

An annotator is anything with `annotate(texts) -> docs` (entities and `doc._.relations`) and
`relate(docs) -> docs` (relations for docs that already carry entities): the trained pipeline,
the rule-based annotator and the CRF tagger are all scored by the same code on the same split.
"""

from typing import Any, Dict, Iterable, List, Protocol, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from .relations import get_relations
from .schema import ENTITY_LABELS, RELATION_LABELS

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


def score_keys(pairs: Iterable[Tuple[Set[Key], Set[Key]]], labels: Sequence[str]) -> Dict[str, Any]:
    """Micro P/R/F and per-label P/R/F; the label is the last element of every key."""
    counts = {label: [0, 0, 0] for label in labels}
    for predicted, gold in pairs:
        for key in predicted | gold:
            label = key[-1]
            if label not in counts:
                counts[label] = [0, 0, 0]
            if key in predicted and key in gold:
                counts[label][0] += 1
            elif key in predicted:
                counts[label][1] += 1
            else:
                counts[label][2] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    result = prf(*total)
    result["per_label"] = {label: prf(*c) for label, c in counts.items()}
    return result


def entity_keys(doc: Doc) -> Set[Key]:
    return {(e.start_char, e.end_char, e.label_) for e in doc.ents}


def relation_keys(doc: Doc) -> Set[Key]:
    keys = set()
    for rel in get_relations(doc):
        head, child = rel.head(doc), rel.child(doc)
        keys.add((head.start_char, head.end_char, child.start_char, child.end_char, rel.label))
    return keys


def raw_entity_keys(doc: Doc) -> Set[Key]:
    return {(e._.raw_start, e._.raw_end, e.label_) for e in doc.ents}


def raw_relation_keys(doc: Doc) -> Set[Key]:
    keys = set()
    for rel in get_relations(doc):
        head, child = rel.head(doc), rel.child(doc)
        keys.add((head._.raw_start, head._.raw_end, child._.raw_start, child._.raw_end, rel.label))
    return keys


def relation_prf(examples: Iterable[Example]) -> Dict[str, Any]:
    """Relations of `eg.predicted` against `eg.reference` (used by the component's `score`)."""
    return score_keys(((relation_keys(eg.predicted), relation_keys(eg.reference)) for eg in examples), RELATION_LABELS)


def with_gold_entities(nlp: Language, gold_docs: Sequence[Doc]) -> List[Doc]:
    """Fresh docs of the gold texts carrying the gold entities (for relations given gold entities)."""
    docs = []
    for gold in gold_docs:
        doc = nlp.make_doc(gold.text)
        doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in gold.ents]
        docs.append(doc)
    return docs


def evaluate_annotator(annotator: Annotator, nlp: Language, gold_docs: Sequence[Doc]) -> Dict[str, Any]:
    """`ner`, `rel_gold_ents` and `rel_end_to_end` of one annotator on one split."""
    predicted = annotator.annotate([doc.text for doc in gold_docs])
    related = annotator.relate(with_gold_entities(nlp, gold_docs))
    return {
        "ner": score_keys(((entity_keys(p), entity_keys(g)) for p, g in zip(predicted, gold_docs)), ENTITY_LABELS),
        "rel_gold_ents": score_keys(
            ((relation_keys(p), relation_keys(g)) for p, g in zip(related, gold_docs)), RELATION_LABELS
        ),
        "rel_end_to_end": score_keys(
            ((relation_keys(p), relation_keys(g)) for p, g in zip(predicted, gold_docs)), RELATION_LABELS
        ),
    }


def evaluate_raw(annotator: Annotator, records: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """Score on raw, un-normalized paragraphs whose gold offsets point into the raw text."""
    predicted = annotator.annotate([record["text"] for record in records])
    ner_pairs, rel_pairs = [], []
    for doc, record in zip(predicted, records):
        gold_ents = {(s["start"], s["end"], s["label"]) for s in record.get("spans", [])}
        gold_rels = {
            (r["head_span"]["start"], r["head_span"]["end"], r["child_span"]["start"], r["child_span"]["end"],
             r["label"])
            for r in record.get("relations", [])
        }
        ner_pairs.append((raw_entity_keys(doc), gold_ents))
        rel_pairs.append((raw_relation_keys(doc), gold_rels))
    return {
        "ner": score_keys(ner_pairs, ENTITY_LABELS),
        "rel_end_to_end": score_keys(rel_pairs, RELATION_LABELS),
    }


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
