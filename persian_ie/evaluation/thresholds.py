"""Per-label relation thresholds, chosen on the dev set where they give the best F.

The relation model outputs a probability per candidate pair; the label's threshold decides. The
thresholds are chosen end to end (candidates from the entities the pipeline itself finds), since
that is what users get, and saved in the component's cfg. The precision/recall curve of every
label is kept for the evaluation report.
"""

from typing import Any, Dict, List, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.relation_component import RelationExtractor
from ..pipeline.relations import get_relations, relation_key, relation_keys
from ..schema import RELATION_LABELS

GRID = [round(0.05 * i, 2) for i in range(1, 20)]


Scored = Dict[str, List[Tuple[float, bool]]]


def scored_relations(nlp: Language, gold_docs: Sequence[Doc]) -> Tuple[Scored, Dict[str, int]]:
    """Every candidate's (score, is_gold) per label, and the number of gold relations per label."""
    component: RelationExtractor = nlp.get_pipe("relation_extractor")
    texts = [doc.text for doc in gold_docs]
    with nlp.select_pipes(disable=["relation_extractor"]):
        docs = list(nlp.pipe(texts))
    scores = component.predict(docs)
    per_label: Dict[str, List[Tuple[float, bool]]] = {label: [] for label in RELATION_LABELS}
    gold_counts = {label: 0 for label in RELATION_LABELS}
    for doc, gold, scored in zip(docs, gold_docs, component.scored_candidates(docs, scores)):
        gold_keys = relation_keys(gold)
        for rel in get_relations(gold):
            gold_counts[rel.label] += 1
        for rel in scored:
            key = relation_key(rel.head(doc), rel.child(doc), rel.label)
            per_label[rel.label].append((rel.score, key in gold_keys))
    return per_label, gold_counts


def pr_curve(scored: List[Tuple[float, bool]], n_gold: int, grid: Sequence[float] = GRID) -> List[Dict[str, float]]:
    curve = []
    for threshold in grid:
        tp = sum(1 for score, gold in scored if score >= threshold and gold)
        predicted = sum(1 for score, _ in scored if score >= threshold)
        p = tp / predicted if predicted else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        curve.append({"threshold": threshold, "p": p, "r": r, "f": f})
    return curve


def tune_thresholds(nlp: Language, dev_docs: Sequence[Doc]) -> Dict[str, Any]:
    """Choose and set the best-F threshold per label; returns thresholds and curves."""
    component: RelationExtractor = nlp.get_pipe("relation_extractor")
    per_label, gold_counts = scored_relations(nlp, dev_docs)
    chosen: Dict[str, float] = {}
    curves: Dict[str, List[Dict[str, float]]] = {}
    for label in component.labels:
        curve = pr_curve(per_label[label], gold_counts[label])
        curves[label] = curve
        best = max(curve, key=lambda point: (point["f"], -abs(point["threshold"] - 0.5)))
        chosen[label] = best["threshold"] if best["f"] > 0 else component.cfg["threshold"]
    component.cfg["thresholds"] = chosen
    return {"chosen": chosen, "curves": curves, "gold": gold_counts}
