"""The relation model's candidates and its pooling layer, on real corpus paragraphs."""

import numpy
import pytest
import srsly
from spacy.tokens import Doc, Span
from thinc.api import Model

from persian_ie.pipeline.relation_model import candidate_pairs, create_instance_layer, n_features
from persian_ie.pipeline.token_marks import doc_orths, orth_ids, token_marks
from persian_ie.pipeline.tokenizer import blank_nlp
from persian_ie.schema import CANDIDATE_PAIRS

from .helpers import ROOT


@pytest.fixture(scope="module")
def nlp():
    return blank_nlp()


def corpus_doc(nlp, index: int = 0) -> Doc:
    from persian_ie.corpus.convert import task_to_doc

    tasks = [t for t in srsly.read_jsonl(ROOT / "corpus" / "gold.jsonl") if len(t["spans"]) >= 5]
    return task_to_doc(nlp.vocab, tasks[index])


def fixed_tok2vec(vectors: numpy.ndarray, received: dict) -> Model:
    """A stand-in tok2vec: `vectors` for the one doc, and the gradient it gets back in `received["d"]`."""

    def forward(model, docs, is_train):
        def backprop(d_vectors):
            received["d"] = d_vectors
            return []

        return [vectors], backprop

    return Model("fixed", forward)


def test_token_marks_count_marker_tokens_between_any_two_positions(nlp) -> None:
    doc = corpus_doc(nlp, 3)
    marks = token_marks(doc_orths(doc), orth_ids([".", "،"]))
    assert len(marks) == len(doc) + 1 and marks[-1] > 0
    for a in range(0, len(doc), 7):
        for b in range(a, len(doc) + 1, 5):
            assert marks[b] - marks[a] == sum(t.text in {".", "،"} for t in doc[a:b])


def test_candidates_only_allowed_pairs_within_window(nlp) -> None:
    doc = corpus_doc(nlp)
    for max_distance in (0, 5, 40):
        candidates = candidate_pairs(doc, max_distance)
        for cand in candidates:
            assert (cand.head.label_, cand.child.label_) in CANDIDATE_PAIRS
            head, child = cand.head, cand.child
            gap = child.start - head.end if head.start < child.start else head.start - child.end
            assert gap <= max_distance
            assert len(cand.features) == n_features()
    assert len(candidate_pairs(doc, 0)) <= len(candidate_pairs(doc, 40))
    every = {
        (h.start, c.start)
        for h in doc.ents
        for c in doc.ents
        if h is not c and (h.label_, c.label_) in CANDIDATE_PAIRS
        and (c.start - h.end if h.start < c.start else h.start - c.end) <= 40
    }
    assert {(c.head.start, c.child.start) for c in candidate_pairs(doc, 40)} == every


def test_gold_relations_are_candidates(nlp) -> None:
    from persian_ie.pipeline.relations import get_relations

    missed = total = 0
    for i in range(30):
        doc = corpus_doc(nlp, i)
        keys = {(c.head.start, c.child.start) for c in candidate_pairs(doc, 40)}
        for rel in get_relations(doc):
            total += 1
            missed += (rel.head_start, rel.child_start) not in keys
    assert total > 30 and missed == 0




def test_pooling_forward_and_backward(nlp) -> None:
    doc = Doc(nlp.vocab, words=["علی", "رضایی", "مدیرعامل", "شرکت", "فولاد", "گفت"])
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 3, 5, label="ORG")]
    width = 4
    vectors = numpy.arange(len(doc) * width, dtype="float32").reshape(len(doc), width)
    received = {}
    tok2vec = fixed_tok2vec(vectors, received)
    layer = create_instance_layer(tok2vec, lambda d: candidate_pairs(d, 40))
    output, backprop = layer([doc], is_train=True)
    assert output.shape == (1, 3 * width + n_features())
    numpy.testing.assert_allclose(output[0, :width], vectors[0:2].mean(axis=0))
    numpy.testing.assert_allclose(output[0, width : 2 * width], vectors[3:5].mean(axis=0))
    numpy.testing.assert_allclose(output[0, 2 * width : 3 * width], vectors[2])
    d_output = numpy.zeros_like(output)
    d_output[0, : 3 * width] = 1.0
    backprop(d_output)
    expected = numpy.array([0.5, 0.5, 1.0, 0.5, 0.5, 0.0], dtype="float32")[:, None] * numpy.ones(width)
    numpy.testing.assert_allclose(received["d"][0], expected)


def test_context_pools_the_words_before_and_after_the_pair(nlp) -> None:
    """v2: two more segments, up to `context` tokens before the earlier entity and after the later one."""
    words = ["آقای", "علی", "رضایی", "مدیرعامل", "شرکت", "فولاد", "گفت", "."]
    doc = Doc(nlp.vocab, words=words)
    doc.ents = [Span(doc, 1, 3, label="PERSON"), Span(doc, 4, 6, label="ORG")]
    width = 3
    vectors = numpy.arange(len(doc) * width, dtype="float32").reshape(len(doc), width)
    received = {}
    layer = create_instance_layer(fixed_tok2vec(vectors, received), lambda d: candidate_pairs(d, 40), context=3)
    output, backprop = layer([doc], is_train=True)
    assert output.shape == (1, 5 * width + n_features())
    numpy.testing.assert_allclose(output[0, 3 * width : 4 * width], vectors[0])  # clipped at the doc start
    numpy.testing.assert_allclose(output[0, 4 * width : 5 * width], vectors[6:8].mean(axis=0))  # at its end
    d_output = numpy.zeros_like(output)
    d_output[0, 3 * width : 5 * width] = 1.0
    backprop(d_output)
    expected = numpy.array([1.0, 0, 0, 0, 0, 0, 0.5, 0.5], dtype="float32")[:, None] * numpy.ones(width)
    numpy.testing.assert_allclose(received["d"][0], expected)
    plain = create_instance_layer(fixed_tok2vec(vectors, received), lambda d: candidate_pairs(d, 40))
    assert plain([doc], False)[0].shape == (1, 3 * width + n_features())  # context 0 is v1


def gap_doc(nlp) -> Doc:
    """A PERSON (tokens 0-1) and an ORG (6-7) with four words between them (2-5)."""
    words = ["علی", "رضایی", "دیروز", "به", "عنوان", "مدیرعامل", "شرکت", "فولاد", "معرفی", "شد"]
    doc = Doc(nlp.vocab, words=words)
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 6, 8, label="ORG")]
    return doc


def run_instance_layer(doc: Doc, vectors: numpy.ndarray, **settings):
    """The instance layer over fixed token vectors, run for training: its output, backprop and the
    gradient it hands the token vectors (in `received["d"]` once backprop ran)."""
    received = {}
    layer = create_instance_layer(fixed_tok2vec(vectors, received), lambda d: candidate_pairs(d, 40), **settings)
    output, backprop = layer([doc], is_train=True)
    return output, backprop, received


def test_max_gap_keeps_the_strongest_word_between_the_pair(nlp) -> None:
    """v3: the element-wise maximum over the gap, with its gradient on the winning word of each dimension."""
    doc = gap_doc(nlp)
    width = 3
    vectors = numpy.zeros((len(doc), width), dtype="float32")
    vectors[2:6] = [[1, -1, 0], [0, 5, -2], [2, 0, -1], [9, 1, -3]]  # the gap: tokens 2-5
    output, backprop, received = run_instance_layer(doc, vectors, max_gap=True)
    assert output.shape == (1, 4 * width + n_features())
    numpy.testing.assert_allclose(output[0, 2 * width : 3 * width], vectors[2:6].mean(axis=0))
    numpy.testing.assert_allclose(output[0, 3 * width : 4 * width], [9, 5, 0])
    d_output = numpy.zeros_like(output)
    d_output[0, 3 * width : 4 * width] = [1.0, 2.0, 3.0]
    backprop(d_output)
    expected = numpy.zeros((len(doc), width), dtype="float32")
    expected[5, 0], expected[3, 1], expected[2, 2] = 1.0, 2.0, 3.0
    numpy.testing.assert_allclose(received["d"][0], expected)


def test_gap_edges_pool_the_words_next_to_each_end(nlp) -> None:
    """v4: two more mean segments, the first and the last `gap_edges` words between the pair."""
    doc = gap_doc(nlp)
    width = 3
    vectors = numpy.arange(len(doc) * width, dtype="float32").reshape(len(doc), width)
    output, backprop, received = run_instance_layer(doc, vectors, gap_edges=2)
    assert output.shape == (1, 5 * width + n_features())
    numpy.testing.assert_allclose(output[0, 2 * width : 3 * width], vectors[2:6].mean(axis=0))  # the whole gap
    numpy.testing.assert_allclose(output[0, 3 * width : 4 * width], vectors[2:4].mean(axis=0))  # after the PERSON
    numpy.testing.assert_allclose(output[0, 4 * width : 5 * width], vectors[4:6].mean(axis=0))  # before the ORG
    d_output = numpy.zeros_like(output)
    d_output[0, 3 * width : 4 * width] = 1.0
    d_output[0, 4 * width : 5 * width] = 2.0
    backprop(d_output)
    expected = numpy.array([0, 0, 0.5, 0.5, 1.0, 1.0, 0, 0, 0, 0], dtype="float32")[:, None] * numpy.ones(width)
    numpy.testing.assert_allclose(received["d"][0], expected)


def test_gap_edges_of_a_short_gap_are_the_gap_and_of_no_gap_zero(nlp) -> None:
    doc = Doc(nlp.vocab, words=["علی", "رضایی", "مدیرعامل", "شرکت", "فولاد", "و", "حسن", "احمدی"])
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 3, 5, label="ORG"), Span(doc, 6, 8, label="PERSON")]
    width = 2
    vectors = numpy.arange(len(doc) * width, dtype="float32").reshape(len(doc), width) + 1
    layer = create_instance_layer(fixed_tok2vec(vectors, {}), lambda d: candidate_pairs(d, 40), gap_edges=3)
    output, _ = layer([doc], is_train=False)
    pairs = [(c.head.start, c.child.start) for c in candidate_pairs(doc, 40)]
    one_word = output[pairs.index((0, 3))]
    for segment in (2, 3, 4):  # gap, its first words, its last words: all the one word `مدیرعامل`
        numpy.testing.assert_allclose(one_word[segment * width : (segment + 1) * width], vectors[2])
    adjacent = Doc(nlp.vocab, words=["مدیرعامل", "علی", "رضایی", "شرکت", "فولاد"])
    adjacent.ents = [Span(adjacent, 1, 3, label="PERSON"), Span(adjacent, 3, 5, label="ORG")]
    layer = create_instance_layer(fixed_tok2vec(vectors[:5], {}), lambda d: candidate_pairs(d, 40), gap_edges=3)
    output, _ = layer([adjacent], is_train=False)
    assert not output[0, 2 * width : 5 * width].any()


def test_max_gap_of_adjacent_entities_is_zero(nlp) -> None:
    """No word between the pair: the max segment is zeros and sends no gradient."""
    doc = Doc(nlp.vocab, words=["مدیرعامل", "علی", "رضایی", "شرکت", "فولاد"])
    doc.ents = [Span(doc, 1, 3, label="PERSON"), Span(doc, 3, 5, label="ORG")]
    vectors = numpy.arange(len(doc) * 2, dtype="float32").reshape(len(doc), 2) + 1
    received = {}
    layer = create_instance_layer(fixed_tok2vec(vectors, received), lambda d: candidate_pairs(d, 40), max_gap=True)
    output, backprop = layer([doc], is_train=True)
    numpy.testing.assert_allclose(output[0, 6:8], [0, 0])
    d_output = numpy.zeros_like(output)
    d_output[0, 6:8] = 1.0
    backprop(d_output)
    assert not received["d"][0].any()


def test_candidate_cache_does_not_keep_docs_alive(nlp) -> None:
    """The per-doc candidate cache is weak: a 1 GB stream must not accumulate docs."""
    import gc
    import weakref

    from persian_ie.pipeline.relation_model import create_candidate_generator

    get_candidates = create_candidate_generator(40)
    doc = corpus_doc(nlp)
    first = get_candidates(doc)
    assert first and get_candidates(doc) is first  # computed once per doc
    alive = weakref.ref(doc)
    del doc, first
    gc.collect()
    assert alive() is None


def test_list_gap_sees_through_a_line_up_and_a_run_of_names(nlp) -> None:
    """Candidates v2: every member of a line-up is 0 list-gap words from its club, though other players lie
    closer; a run of names before `در تیم X` is 2 words from it for each member; v1 features are unchanged."""
    from spacy.util import registry

    from persian_ie.pipeline.relation_model import LIST_GAP_BUCKETS

    words = ["منچسترسیتی", ":", "ادرسون", "-", "واکر", "-", "کمپانی", ".",
             "جعفری", "،", "رضوانی", "و", "ذاکری", "در", "تیم", "پرسپولیس", "بودند", "."]
    doc = Doc(nlp.vocab, words=words)
    doc.ents = [Span(doc, 0, 1, label="ORG"), Span(doc, 2, 3, label="PERSON"), Span(doc, 4, 5, label="PERSON"),
                Span(doc, 6, 7, label="PERSON"), Span(doc, 8, 9, label="PERSON"), Span(doc, 10, 11, label="PERSON"),
                Span(doc, 12, 13, label="PERSON"), Span(doc, 15, 16, label="ORG")]
    get_candidates = registry.misc.get("persian_ie.RelationCandidates.v2")(max_distance=40)
    assert get_candidates.n_features == n_features(list_runs=True) == n_features() + len(LIST_GAP_BUCKETS)

    def list_gap(head: int, child: int) -> int:
        cand = next(c for c in get_candidates(doc) if (c.head.start, c.child.start) == (head, child))
        return LIST_GAP_BUCKETS[cand.features[n_features():].index(1.0)]

    assert [list_gap(person, 0) for person in (2, 4, 6)] == [0, 0, 0]
    assert [list_gap(person, 15) for person in (8, 10, 12)] == [2, 2, 2]
    assert list_gap(2, 15) == 3  # across the full stop: `.`, `در` and `تیم` are not part of a list
    v1 = {(c.head.start, c.child.start): c.features for c in candidate_pairs(doc, 40)}
    for cand in get_candidates(doc):
        assert cand.features[: n_features()] == v1[cand.head.start, cand.child.start]
    layer = create_instance_layer(
        Model("fixed", lambda model, docs, is_train: ([numpy.zeros((len(doc), 4), "f")], None)), get_candidates)
    assert layer([doc], False)[0].shape == (len(get_candidates(doc)), 3 * 4 + n_features(list_runs=True))
