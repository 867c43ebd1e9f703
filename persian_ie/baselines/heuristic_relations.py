"""The nearest-pair relation rule as a pipeline component, for the baselines' saved pipelines."""

from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.nearest_pair import nearest_pair_relations
from ..pipeline.relations import set_relations


@Language.component("persian_ie_nearest_relations", assigns=["doc._.relations"], requires=["doc.ents"])
def nearest_relations_component(doc: Doc) -> Doc:
    """Set `doc._.relations` by the nearest compatible pair of the doc's entities."""
    set_relations(doc, nearest_pair_relations(doc))
    return doc
