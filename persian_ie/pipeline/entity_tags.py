"""Token vectors that know the entities: a learned vector per entity tag added to each token's vector.

The shared tok2vec runs before NER, so its vectors cannot say where the entities are. The relation
model pools them over a pair's head, child and gap, and an encoder above them reads a window of words
either side; without tags that window cannot tell `سهم شرکت` inside an ORG from the same words outside
one, nor see that another QUANTITY or ORG stands between the pair. Typed entity markers are the
cheapest strong signal of relation extractors (Zhong and Chen 2021, "A Frustratingly Easy Approach
for Entity and Relation Extraction"); a pair-independent version costs one row lookup per token, so
the encoder still runs once per doc, not once per pair.

Tags are read from `doc.ents`: the gold entities in training (the relation component copies them onto
the predicted doc) and the NER's entities at inference.
"""

from typing import Callable, List, Optional, Tuple

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model
from thinc.types import Floats2d, Ints1d

from ..schema import ENTITY_LABELS

OUTSIDE = 0


def n_tags(labels: Tuple[str, ...] = ENTITY_LABELS) -> int:
    """Outside, plus the first token and a later token of each label."""
    return 1 + 2 * len(labels)


def entity_tags(doc: Doc, labels: Tuple[str, ...] = ENTITY_LABELS) -> numpy.ndarray:
    """One tag per token: 0 outside an entity, 1 + 2k on the first token of label k, 2 + 2k on its others.

    An entity whose label is not in `labels` is tagged outside, as if the NER had not found it.
    """
    index = {label: k for k, label in enumerate(labels)}
    tags = numpy.zeros(len(doc), dtype="int32")
    for ent in doc.ents:
        k = index.get(ent.label_)
        if k is None:
            continue
        tags[ent.start] = 1 + 2 * k
        tags[ent.start + 1 : ent.end] = 2 + 2 * k
    return tags


@registry.architectures("persian_ie.EntityTagged.v1")
def create_entity_tagged(tok2vec: Model[List[Doc], List[Floats2d]], width: int) -> Model[List[Doc], List[Floats2d]]:
    """`tok2vec`'s vectors (of `width` columns) plus a learned vector for each token's entity tag.

    The tag vectors start at zero, so an untrained model computes exactly `tok2vec`.
    """
    return Model(
        "entity_tagged",
        _forward,
        layers=[tok2vec],
        refs={"tok2vec": tok2vec},
        params={"E": None},
        dims={"nO": width, "nT": n_tags()},
        init=_init,
    )


def _init(model: Model, X: Optional[List[Doc]] = None, Y: Optional[List[Floats2d]] = None) -> Model:
    model.get_ref("tok2vec").initialize(X)
    model.set_param("E", model.ops.alloc2f(model.get_dim("nT"), model.get_dim("nO")))
    return model


def _forward(model: Model, docs: List[Doc], is_train: bool) -> Tuple[List[Floats2d], Callable]:
    vectors, backprop_tok2vec = model.get_ref("tok2vec")(docs, is_train)
    table = model.get_param("E")
    ops = model.ops
    tags: List[Ints1d] = [ops.asarray1i(entity_tags(doc)) for doc in docs]
    output = [vec + table[doc_tags] for vec, doc_tags in zip(vectors, tags)]

    def backprop(d_output: List[Floats2d]) -> List[Floats2d]:
        d_table = ops.alloc2f(*table.shape)
        for d_vec, doc_tags in zip(d_output, tags):
            ops.xp.add.at(d_table, doc_tags, d_vec)
        model.inc_grad("E", d_table)
        return backprop_tok2vec(d_output)

    return output, backprop
