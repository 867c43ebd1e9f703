"""Relations on a Doc: `doc._.relations`, a list of [head_start, head_end, child_start, child_end, label, score].

Token offsets and plain values, so the relations serialize with `DocBin(store_user_data=True)` and
`Doc.to_bytes`. Gold relations (score 1.0), predictions and the baselines' output share the form.
"""

from typing import Iterable, List, NamedTuple

from spacy.tokens import Doc, Span


class Relation(NamedTuple):
    head_start: int
    head_end: int
    child_start: int
    child_end: int
    label: str
    score: float

    def head(self, doc: Doc) -> Span:
        return doc[self.head_start : self.head_end]

    def child(self, doc: Doc) -> Span:
        return doc[self.child_start : self.child_end]


def get_relations(doc: Doc) -> List[Relation]:
    return [Relation(*item) for item in doc._.relations or []]


def set_relations(doc: Doc, relations: Iterable[Relation]) -> None:
    doc._.relations = [list(r) for r in relations]


if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)
