"""The `relation_extractor` pipeline component: a TrainablePipe over the relation model.

Relations live on the Doc as `doc._.relations` (see `persian_ie.relations`).

Training sees the gold entities (every other schema-allowed pair in the window is a negative, as
the annotation is complete); prediction uses whatever entities the doc has, normally those the
`ner` component found. Each label has its own decision threshold, chosen on the dev set by
`tune_thresholds` and saved with the component.
"""

from itertools import islice
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import numpy
import srsly
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example, validate_get_examples
from spacy.util import SimpleFrozenList, from_disk, to_disk
from spacy.vocab import Vocab
from thinc.api import Model, Optimizer
from thinc.types import Floats2d

from .errors import PersianIEError
from .relation_model import Candidate
from .relations import Relation, get_relations, set_relations
from .schema import ALLOWED_PAIRS, RELATION_LABELS

DEFAULT_THRESHOLD = 0.5

DEFAULT_MODEL = """
[model]
@architectures = "persian_ie.RelationModel.v1"
hidden_width = 128
dropout = 0.1

[model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${components.tok2vec.model.encode.width}
upstream = "tok2vec"

[model.get_candidates]
@misc = "persian_ie.RelationCandidates.v1"
max_distance = 40
"""


@Language.factory(
    "relation_extractor",
    requires=["doc.ents"],
    assigns=["doc._.relations"],
    default_config={"model": DEFAULT_MODEL, "threshold": DEFAULT_THRESHOLD, "thresholds": {}},
    default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0},
)
def make_relation_extractor(
    nlp: Language, name: str, model: Model, threshold: float, thresholds: Dict[str, float]
) -> "RelationExtractor":
    return RelationExtractor(nlp.vocab, model, name, threshold=threshold, thresholds=thresholds)


class RelationExtractor(TrainablePipe):
    """Classify schema-allowed entity pairs into relation labels."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "relation_extractor",
        *,
        threshold: float = DEFAULT_THRESHOLD,
        thresholds: Optional[Dict[str, float]] = None,
    ) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg: Dict[str, Any] = {
            "labels": [],
            "threshold": threshold,
            "thresholds": dict(thresholds or {}),
        }

    @property
    def labels(self) -> Tuple[str, ...]:
        return tuple(self.cfg["labels"])

    def threshold_for(self, label: str) -> float:
        return float(self.cfg["thresholds"].get(label, self.cfg["threshold"]))

    def add_label(self, label: str) -> int:
        if label not in RELATION_LABELS:
            raise PersianIEError(f"unknown relation label {label!r} (expected one of {RELATION_LABELS})")
        if label in self.labels:
            return 0
        self._allow_resizing_output()
        self.cfg["labels"].append(label)
        self.vocab.strings.add(label)
        return 1

    def _allow_resizing_output(self) -> None:
        output = self.model.get_ref("output")
        if output.has_dim("nO") is True:
            raise PersianIEError("cannot add a relation label after the model was initialized")

    def _label_mask(self, candidates: List[Candidate]) -> numpy.ndarray:
        """1 where a label may join the candidate's entity types, else 0."""
        mask = numpy.zeros((len(candidates), len(self.labels)), dtype="float32")
        for i, cand in enumerate(candidates):
            pair = (cand.head.label_, cand.child.label_)
            for j, label in enumerate(self.labels):
                if pair in ALLOWED_PAIRS[label]:
                    mask[i, j] = 1.0
        return mask

    def candidates(self, doc: Doc) -> List[Candidate]:
        return self.model.attrs["get_candidates"](doc)

    def predict(self, docs: Iterable[Doc]) -> Floats2d:
        docs = list(docs)
        if not any(len(self.candidates(doc)) for doc in docs):
            return self.model.ops.alloc2f(0, len(self.labels))
        return self.model.predict(docs)

    def scored_candidates(self, docs: List[Doc], scores: Floats2d) -> List[List[Relation]]:
        """Every candidate with every allowed label and its probability, per doc."""
        scores = self.model.ops.to_numpy(scores)
        result = []
        row = 0
        for doc in docs:
            candidates = self.candidates(doc)
            mask = self._label_mask(candidates)
            scored = []
            for i, cand in enumerate(candidates):
                for j, label in enumerate(self.labels):
                    if mask[i, j]:
                        score = float(scores[row + i, j])
                        scored.append(
                            Relation(cand.head.start, cand.head.end, cand.child.start, cand.child.end, label, score)
                        )
            row += len(candidates)
            result.append(scored)
        return result

    def set_annotations(self, docs: Iterable[Doc], scores: Floats2d) -> None:
        docs = list(docs)
        for doc, scored in zip(docs, self.scored_candidates(docs, scores)):
            set_relations(doc, [r for r in scored if r.score >= self.threshold_for(r.label)])

    def _gold_ent_docs(self, examples: Iterable[Example]) -> List[Doc]:
        """The predicted docs with the gold entities (training classifies gold-entity pairs)."""
        docs = []
        for eg in examples:
            doc = eg.predicted.copy()
            ents = []
            for ent in eg.reference.ents:
                span = doc.char_span(ent.start_char, ent.end_char, label=ent.label_)
                if span is not None:
                    ents.append(span)
            doc.ents = ents
            docs.append(doc)
        return docs

    def _truths(self, docs: List[Doc], examples: List[Example]) -> Tuple[Floats2d, Floats2d]:
        rows_truth, rows_mask = [], []
        for doc, eg in zip(docs, examples):
            gold = {
                (
                    eg.reference[r.head_start : r.head_end].start_char,
                    eg.reference[r.head_start : r.head_end].end_char,
                    eg.reference[r.child_start : r.child_end].start_char,
                    eg.reference[r.child_start : r.child_end].end_char,
                    r.label,
                )
                for r in get_relations(eg.reference)
            }
            candidates = self.candidates(doc)
            truth = numpy.zeros((len(candidates), len(self.labels)), dtype="float32")
            for i, cand in enumerate(candidates):
                head, child = doc[cand.head.start : cand.head.end], doc[cand.child.start : cand.child.end]
                key = (head.start_char, head.end_char, child.start_char, child.end_char)
                for j, label in enumerate(self.labels):
                    truth[i, j] = 1.0 if key + (label,) in gold else 0.0
            rows_truth.append(truth)
            rows_mask.append(self._label_mask(candidates))
        n = len(self.labels)
        truths = numpy.vstack(rows_truth) if rows_truth else numpy.zeros((0, n), dtype="float32")
        masks = numpy.vstack(rows_mask) if rows_mask else numpy.zeros((0, n), dtype="float32")
        return self.model.ops.asarray2f(truths), self.model.ops.asarray2f(masks)

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optional[Optimizer] = None,
        losses: Optional[Dict[str, float]] = None,
    ) -> Dict[str, float]:
        examples = list(examples)
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        validate_get_examples(lambda: examples, "RelationExtractor.update")
        docs = self._gold_ent_docs(examples)
        if not any(len(self.candidates(doc)) for doc in docs):
            return losses
        scores, backprop = self.model.begin_update(docs)
        truths, masks = self._truths(docs, examples)
        loss, gradient = self._loss(scores, truths, masks)
        backprop(gradient)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    @staticmethod
    def _loss(scores: Floats2d, truths: Floats2d, masks: Floats2d) -> Tuple[float, Floats2d]:
        """Binary cross-entropy on the labels each pair allows (sigmoid outputs)."""
        gradient = (scores - truths) * masks
        eps = 1e-7
        bce = -(truths * numpy.log(scores + eps) + (1 - truths) * numpy.log(1 - scores + eps)) * masks
        return float(bce.sum()), gradient

    def get_loss(self, examples: Iterable[Example], scores: Floats2d) -> Tuple[float, Floats2d]:
        examples = list(examples)
        docs = [eg.predicted for eg in examples]
        truths, masks = self._truths(docs, examples)
        return self._loss(scores, truths, masks)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        validate_get_examples(get_examples, "RelationExtractor.initialize")
        if labels is None:
            found = {r.label for eg in get_examples() for r in get_relations(eg.reference)}
            labels = [label for label in RELATION_LABELS if label in found] or list(RELATION_LABELS)
        for label in labels:
            self.add_label(label)
        self.model.get_ref("output").set_dim("nO", len(self.labels))
        sample = self._gold_ent_docs(list(islice(get_examples(), 20)))
        self.model.initialize(X=sample)

    def score(self, examples: Iterable[Example], **kwargs: Any) -> Dict[str, Any]:
        from .evaluation import relation_prf

        result = relation_prf(examples)
        return {
            "rel_micro_p": result["p"],
            "rel_micro_r": result["r"],
            "rel_micro_f": result["f"],
            "rel_per_type": result["per_label"],
        }

    def to_disk(self, path: Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        serializers = {
            "cfg": lambda p: srsly.write_json(p, self.cfg),
            "model": lambda p: self.model.to_disk(p),
        }
        to_disk(path, serializers, exclude)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> "RelationExtractor":
        def load_model(p: Path) -> None:
            try:
                self.model.from_disk(p)
            except AttributeError:
                raise PersianIEError(f"cannot load the relation model from {p}") from None

        deserializers = {
            "cfg": lambda p: self.cfg.update(srsly.read_json(p)),
            "model": load_model,
        }
        from_disk(path, deserializers, exclude)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        return srsly.msgpack_dumps({"cfg": self.cfg, "model": self.model.to_bytes()})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()) -> "RelationExtractor":
        msg = srsly.msgpack_loads(data)
        self.cfg.update(msg["cfg"])
        self.model.from_bytes(msg["model"])
        return self
