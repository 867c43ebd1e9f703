"""Relations by the nearest compatible pair: a feature of the relation model and the relation half
of both baselines.

Persian news states most relations locally: a name is followed by its role and organization
(`[PERSON] مدیرعامل [ORG]`), a status follows its cluster (`[CLUSTER] ... [STATUS] است`), a quantity
follows what it counts. Each rule links an entity to the nearest entity of the compatible type
inside its clause.
"""

from typing import Iterable, List, Optional, Sequence

from spacy.tokens import Doc, Span

from ..punctuation import CLAUSE_END
from .relations import Relation, set_relations
from .token_marks import doc_orths, orth_ids, token_marks

SUPPORT_CUES = {
    "حمایت", "کارگزار", "همکاری", "تسهیلات", "مطالعات", "مطالعه", "تایید", "پرداخت", "اعتبار", "بررسی",
    "راه‌اندازی", "تصویب", "پشتیبانی", "توسعه", "برعهده", "عهده", "سوی", "توسط", "وام",
}
CLAUSE_END_IDS = orth_ids(CLAUSE_END)
SUPPORT_CUE_IDS = orth_ids(SUPPORT_CUES)
AFFILIATION_WINDOW = 10
QUANTITY_WINDOW = 25
SUPPORT_WINDOW = 25


def _nearest(candidates: Sequence[Span], target: Span, before: Optional[bool], window: int) -> Optional[Span]:
    best, best_distance = None, window + 1
    for span in candidates:
        if before is True and span.end > target.start:
            continue
        if before is False and span.start < target.end:
            continue
        distance = target.start - span.end if span.end <= target.start else span.start - target.end
        if distance < best_distance:
            best, best_distance = span, distance
    return best


def nearest_pair_relations(doc: Doc) -> List[Relation]:
    """The heuristic relations of a doc with entities."""
    orths = doc_orths(doc)
    clause = token_marks(orths, CLAUSE_END_IDS)  # clause index of each token
    cues = token_marks(orths, SUPPORT_CUE_IDS)
    by_clause: dict = {}
    for ent in doc.ents:
        by_clause.setdefault(clause[ent.start], []).append(ent)
    relations = []

    def add(head: Span, child: Span, label: str) -> None:
        relations.append(Relation(head.start, head.end, child.start, child.end, label, 1.0))

    for ents in by_clause.values():
        orgs = [e for e in ents if e.label_ == "ORG"]
        clusters = [e for e in ents if e.label_ == "CLUSTER"]
        for person in (e for e in ents if e.label_ == "PERSON"):
            org = _nearest(orgs, person, False, AFFILIATION_WINDOW) or _nearest(orgs, person, True, 6)
            if org is not None:
                add(person, org, "AFFILIATED_WITH")
        for status in (e for e in ents if e.label_ == "STATUS"):
            cluster = _nearest(clusters, status, True, QUANTITY_WINDOW)
            while cluster is not None:
                add(cluster, status, "HAS_STATUS")
                previous = _nearest([c for c in clusters if c.end <= cluster.start], cluster, True, 2)
                gap = doc[previous.end : cluster.start] if previous is not None else []
                cluster = previous if previous is not None and all(t.text in {"و", "،"} for t in gap) else None
        for quantity in (e for e in ents if e.label_ == "QUANTITY"):
            head = _nearest(orgs + clusters, quantity, True, QUANTITY_WINDOW)
            if head is not None:
                add(head, quantity, "HAS_QUANTITY")
        if cues[ents[-1].end] - cues[ents[0].start] > 0:
            for cluster in clusters:
                org = _nearest(orgs, cluster, None, SUPPORT_WINDOW)
                if org is not None:
                    add(org, cluster, "SUPPORTS")
    return relations


def relate_all(docs: Iterable[Doc]) -> List[Doc]:
    """Each doc with the nearest-pair relations of its entities."""
    result = []
    for doc in docs:
        set_relations(doc, nearest_pair_relations(doc))
        result.append(doc)
    return result
