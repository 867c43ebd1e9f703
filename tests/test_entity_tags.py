"""The entity-tag layer of the relation encoder: tags from doc.ents, tag vectors added and trained."""

import numpy
import pytest
from spacy.tokens import Doc, Span

from persian_ie.pipeline.entity_tags import create_entity_tagged, entity_tags, n_tags
from persian_ie.pipeline.tokenizer import blank_nlp
from persian_ie.schema import ENTITY_LABELS

from .test_relation_model import fixed_tok2vec

WORDS = ["علی", "رضایی", "مدیرعامل", "شرکت", "فولاد", "مبارکه", "۲۰", "میلیارد", "ریال", "گفت"]


@pytest.fixture()
def doc() -> Doc:
    doc = Doc(blank_nlp().vocab, words=WORDS)
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 3, 6, label="ORG"), Span(doc, 6, 9, label="QUANTITY")]
    return doc


def tag(label: str, first: bool) -> int:
    return 1 + 2 * ENTITY_LABELS.index(label) + (0 if first else 1)


def test_tags_mark_each_entitys_first_and_later_tokens(doc) -> None:
    expected = [tag("PERSON", True), tag("PERSON", False), 0, tag("ORG", True), tag("ORG", False),
                tag("ORG", False), tag("QUANTITY", True), tag("QUANTITY", False), tag("QUANTITY", False), 0]
    assert entity_tags(doc).tolist() == expected
    assert n_tags() == 1 + 2 * len(ENTITY_LABELS) and max(expected) < n_tags()


def test_a_label_outside_the_schema_is_tagged_outside(doc) -> None:
    doc.ents = [Span(doc, 0, 2, label="LOC")]
    assert entity_tags(doc).tolist() == [0] * len(doc)


def test_untrained_layer_is_the_tok2vec_and_tag_vectors_add_per_token(doc) -> None:
    width = 3
    vectors = numpy.arange(len(doc) * width, dtype="float32").reshape(len(doc), width)
    received: dict = {}
    layer = create_entity_tagged(fixed_tok2vec(vectors, received), width)
    layer.initialize([doc])
    output, _ = layer([doc], is_train=False)
    numpy.testing.assert_array_equal(output[0], vectors)

    table = numpy.arange(n_tags() * width, dtype="float32").reshape(n_tags(), width) * 100
    layer.set_param("E", table)
    output, backprop = layer([doc], is_train=True)
    numpy.testing.assert_array_equal(output[0], vectors + table[entity_tags(doc)])

    d_output = numpy.ones_like(vectors)
    backprop([d_output])
    numpy.testing.assert_array_equal(received["d"][0], d_output)
    counts = numpy.bincount(entity_tags(doc), minlength=n_tags()).astype("float32")
    numpy.testing.assert_array_equal(layer.get_grad("E"), counts[:, None] * numpy.ones(width))
