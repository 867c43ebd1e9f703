"""The CRF baseline: a BILOU sequence tagger (python-crfsuite) with the usual hand-made features.

Features per token: the word, its prefixes and suffixes (1-3 characters), shape, digit and
half-space flags, and the same for a window of two tokens on each side. Relations over its
entities come from the nearest compatible pair, as for the rules.
"""

from pathlib import Path
from typing import Dict, List, Sequence

import pycrfsuite
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import biluo_tags_to_spans, offsets_to_biluo_tags

from ..normalization.chars import ZWNJ
from ..pipeline.nearest_pair import relate_all

WINDOW = 2


def token_features(doc: Doc, i: int) -> Dict[str, float]:
    features: Dict[str, float] = {"bias": 1.0}
    for offset in range(-WINDOW, WINDOW + 1):
        j = i + offset
        if j < 0:
            features[f"{offset}:BOS"] = 1.0
            continue
        if j >= len(doc):
            features[f"{offset}:EOS"] = 1.0
            continue
        text = doc[j].text
        features[f"{offset}:word={text}"] = 1.0
        features[f"{offset}:shape={doc[j].shape_}"] = 1.0
        if abs(offset) <= 1:
            for n in (1, 2, 3):
                features[f"{offset}:pre{n}={text[:n]}"] = 1.0
                features[f"{offset}:suf{n}={text[-n:]}"] = 1.0
            features[f"{offset}:digit"] = float(doc[j].like_num)
            features[f"{offset}:punct"] = float(doc[j].is_punct)
            features[f"{offset}:zwnj"] = float(ZWNJ in text)
    return features


def doc_features(doc: Doc) -> List[Dict[str, float]]:
    return [token_features(doc, i) for i in range(len(doc))]


class CrfTagger:
    """Train, save, load and apply the CRF; an evaluation Annotator over a tokenizer pipeline."""

    name = "crf"

    def __init__(self, nlp: Language, model_path: Path) -> None:
        self.nlp = nlp
        self.model_path = Path(model_path)
        self._tagger = None

    def train(self, docs: Sequence[Doc], c1: float = 0.05, c2: float = 0.05, max_iterations: int = 150) -> None:
        trainer = pycrfsuite.Trainer(verbose=False)
        for doc in docs:
            offsets = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            tags = [tag if tag != "-" else "O" for tag in offsets_to_biluo_tags(doc, offsets)]
            trainer.append(doc_features(doc), tags)
        trainer.set_params(
            {"c1": c1, "c2": c2, "max_iterations": max_iterations, "feature.possible_transitions": True}
        )
        self.model_path.parent.mkdir(parents=True, exist_ok=True)
        trainer.train(str(self.model_path))
        self._tagger = None

    @property
    def tagger(self) -> pycrfsuite.Tagger:
        if self._tagger is None:
            self._tagger = pycrfsuite.Tagger()
            self._tagger.open(str(self.model_path))
        return self._tagger

    def tag(self, doc: Doc) -> Doc:
        tags = list(self.tagger.tag(doc_features(doc))) if len(doc) else []
        try:
            doc.ents = biluo_tags_to_spans(doc, tags)
        except ValueError:
            doc.ents = biluo_tags_to_spans(doc, _repair(tags))
        return doc

    def annotate(self, texts: Sequence[str]) -> List[Doc]:
        return relate_all(self.tag(self.nlp.make_doc(text)) for text in texts)

    def relate(self, docs: Sequence[Doc]) -> List[Doc]:
        return relate_all(docs)


def _repair(tags: List[str]) -> List[str]:
    """Make a tag sequence valid BILOU: broken entities become single or cut spans."""
    repaired = list(tags)
    open_label = None
    for i, tag in enumerate(repaired):
        prefix, _, label = tag.partition("-")
        if prefix in ("I", "L") and open_label != label:
            repaired[i] = ("B-" if prefix == "I" else "U-") + label
            prefix = repaired[i][0]
        if prefix in ("B", "I"):
            following = repaired[i + 1] if i + 1 < len(repaired) else "O"
            if following[:1] not in ("I", "L") or following[2:] != label:
                repaired[i] = ("U-" if prefix == "B" else "L-") + label
                prefix = repaired[i][0]
        open_label = label if prefix in ("B", "I") else None
    return repaired
