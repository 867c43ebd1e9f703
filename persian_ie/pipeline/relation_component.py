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
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.scorer import PRFScore
from spacy.tokens import Doc
from spacy.training import Example, validate_get_examples
from spacy.util import SimpleFrozenList, registry
from spacy.vocab import Vocab
from thinc.api import Model, Optimizer
from thinc.types import Floats2d

from ..errors import PersianIEError
from ..schema import ALLOWED_PAIRS, RELATION_LABELS
from .relation_model import Candidate
from .relations import Relation, relation_key, relation_keys, set_relations, with_entities

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
    default_config={
        "model": DEFAULT_MODEL,
        "threshold": DEFAULT_THRESHOLD,
        "thresholds": {},
        "scorer": {"@scorers": "persian_ie.relation_scorer.v1"},
    },
    default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0},
)
def make_relation_extractor(
    nlp: Language,
    name: str,
    model: Model,
    threshold: float,
    thresholds: Dict[str, float],
    scorer: Optional[Callable],
) -> "RelationExtractor":
    """The `relation_extractor` factory: the model, the default and per-label thresholds, the scorer."""
    return RelationExtractor(nlp.vocab, model, name, threshold=threshold, thresholds=thresholds, scorer=scorer)


def score_relations(examples: Iterable[Example], **kwargs: Any) -> Dict[str, Any]:
    """Relations of `eg.predicted` against `eg.reference`, matched by the characters of both ends.

    Returns `rel_micro_p`, `rel_micro_r`, `rel_micro_f` and `rel_per_type` (P/R/F per label), the
    keys `spacy train` reports and weighs.
    """
    micro = PRFScore()
    per_type: Dict[str, PRFScore] = {}
    for eg in examples:
        predicted, gold = relation_keys(eg.predicted), relation_keys(eg.reference)
        for key in predicted | gold:
            score = per_type.setdefault(key[-1], PRFScore())
            for prf in (micro, score):
                if key in predicted and key in gold:
                    prf.tp += 1
                elif key in predicted:
                    prf.fp += 1
                else:
                    prf.fn += 1
    return {
        "rel_micro_p": micro.precision,
        "rel_micro_r": micro.recall,
        "rel_micro_f": micro.fscore,
        "rel_per_type": {label: prf.to_dict() for label, prf in sorted(per_type.items())},
    }


@registry.scorers("persian_ie.relation_scorer.v1")
def make_relation_scorer() -> Callable[..., Dict[str, Any]]:
    """The relation scorer, registered so that a config can name it (`scorer` of the factory)."""
    return score_relations


class RelationExtractor(TrainablePipe):
    """Classify schema-allowed entity pairs into relation labels.

    Serialization (`to_disk`, `from_disk`, `to_bytes`, `from_bytes`, with `exclude`) is
    `TrainablePipe`'s own: `cfg` (labels and thresholds), `vocab` and `model`.
    """

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "relation_extractor",
        *,
        threshold: float = DEFAULT_THRESHOLD,
        thresholds: Optional[Dict[str, float]] = None,
        scorer: Optional[Callable] = score_relations,
    ) -> None:
        """`threshold` applies to every label without its own entry in `thresholds`."""
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg: Dict[str, Any] = {
            "labels": [],
            "threshold": threshold,
            "thresholds": dict(thresholds or {}),
        }
        self.scorer = scorer

    @property
    def labels(self) -> Tuple[str, ...]:
        """The relation labels the model predicts, in output order."""
        return tuple(self.cfg["labels"])

    def threshold_for(self, label: str) -> float:
        """The probability at or above which `label` is assigned."""
        return float(self.cfg["thresholds"].get(label, self.cfg["threshold"]))

    def add_label(self, label: str) -> int:
        """Add a relation label of the schema before initialization; 1 if it was new, else 0."""
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
        """The entity pairs of the doc the model classifies (schema-allowed, within the window)."""
        return self.model.attrs["get_candidates"](doc)

    def predict(self, docs: Iterable[Doc]) -> Floats2d:
        """Label probabilities for every candidate of every doc, one row per candidate."""
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
        """Set `doc._.relations` to the candidates whose probability reaches the label's threshold."""
        docs = list(docs)
        for doc, scored in zip(docs, self.scored_candidates(docs, scores)):
            set_relations(doc, [r for r in scored if r.score >= self.threshold_for(r.label)])

    @staticmethod
    def _gold_entity_docs(examples: Iterable[Example]) -> List[Doc]:
        """The predicted docs with the gold entities: training classifies the gold entities' pairs."""
        return [with_entities(eg.predicted, eg.reference) for eg in examples]

    def _truths(self, docs: List[Doc], examples: List[Example]) -> Tuple[Floats2d, Floats2d]:
        rows_truth, rows_mask = [], []
        for doc, eg in zip(docs, examples):
            gold = relation_keys(eg.reference)
            candidates = self.candidates(doc)
            truth = numpy.zeros((len(candidates), len(self.labels)), dtype="float32")
            for i, cand in enumerate(candidates):
                head, child = doc[cand.head.start : cand.head.end], doc[cand.child.start : cand.child.end]
                for j, label in enumerate(self.labels):
                    truth[i, j] = 1.0 if relation_key(head, child, label) in gold else 0.0
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
        """Learn from a batch: classify the pairs of the gold entities and step on `get_loss`'s gradient."""
        examples = list(examples)
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        validate_get_examples(lambda: examples, "RelationExtractor.update")
        docs = self._gold_entity_docs(examples)
        if not any(len(self.candidates(doc)) for doc in docs):
            return losses
        scores, backprop = self.model.begin_update(docs)
        loss, gradient = self.get_loss(examples, scores, docs=docs)
        backprop(gradient)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples: Iterable[Example], scores: Floats2d,
                 docs: Optional[List[Doc]] = None) -> Tuple[float, Floats2d]:
        """Binary cross-entropy of `scores` (the model's sigmoid outputs for the gold entities' pairs),
        counted only on the labels each pair's entity types allow; returns the loss and its gradient.

        `docs` are the examples' docs with the gold entities when the caller has them already (`update`
        does), so that they and their candidates are not built twice per batch."""
        examples = list(examples)
        docs = self._gold_entity_docs(examples) if docs is None else docs
        truths, masks = self._truths(docs, examples)
        gradient = (scores - truths) * masks
        eps = 1e-7
        bce = -(truths * numpy.log(scores + eps) + (1 - truths) * numpy.log(1 - scores + eps)) * masks
        return float(bce.sum()), gradient

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Optional[Language] = None,
        labels: Optional[List[str]] = None,
    ) -> None:
        """Take the labels from the examples' relations (or `labels`), size the output and
        initialize the model on a sample of the examples with their gold entities."""
        validate_get_examples(get_examples, "RelationExtractor.initialize")
        if labels is None:
            found = {rel[4] for eg in get_examples() for rel in eg.reference._.relations or []}
            labels = [label for label in RELATION_LABELS if label in found] or list(RELATION_LABELS)
        for label in labels:
            self.add_label(label)
        self.model.get_ref("output").set_dim("nO", len(self.labels))
        sample = self._gold_entity_docs(list(islice(get_examples(), 20)))
        self.model.initialize(X=sample)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> "RelationExtractor":
        """Load `cfg`, `vocab` and `model` from a folder written by `to_disk`."""
        try:
            return super().from_disk(path, exclude=exclude)
        except ValueError as err:
            raise PersianIEError(f"cannot load the relation model: {err}", str(path)) from None

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()) -> "RelationExtractor":
        """Load `cfg`, `vocab` and `model` from `to_bytes` output."""
        try:
            return super().from_bytes(bytes_data, exclude=exclude)
        except ValueError as err:
            raise PersianIEError(f"cannot load the relation model: {err}") from None
