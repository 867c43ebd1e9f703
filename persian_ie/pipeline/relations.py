"""Relations on a Doc: `doc._.relations`, a list of [head_start, head_end, child_start, child_end, label, score].

Token offsets and plain values, so the relations serialize with `DocBin(store_user_data=True)` and
`Doc.to_bytes`. Gold relations (score 1.0), predictions and the baselines' output share the form.
"""

from typing import Iterable, List, NamedTuple, Set, Tuple

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


RelationKey = Tuple[int, int, int, int, str]


def relation_key(head: Span, child: Span, label: str, raw: bool = False) -> RelationKey:
    """A relation by the character offsets of its two ends: the same key for gold and predicted docs.

    With `raw`, the offsets are those of the raw text the normalizing tokenizer aligned the doc to.
    """
    if raw:
        return (head._.raw_start, head._.raw_end, child._.raw_start, child._.raw_end, label)
    return (head.start_char, head.end_char, child.start_char, child.end_char, label)


def relation_keys(doc: Doc, raw: bool = False) -> Set[RelationKey]:
    """The keys of every relation on the doc (see `relation_key`)."""
    return {relation_key(rel.head(doc), rel.child(doc), rel.label, raw) for rel in get_relations(doc)}


def with_entities(doc: Doc, source: Doc) -> Doc:
    """A copy of `doc` carrying the entities of `source` (matched by characters; a span that does not
    fall on `doc`'s tokens is left out). Relations are classified between gold entities this way in
    training, and scored so in evaluation."""
    doc = doc.copy()
    spans = (doc.char_span(ent.start_char, ent.end_char, label=ent.label_) for ent in source.ents)
    doc.ents = [span for span in spans if span is not None]
    return doc
