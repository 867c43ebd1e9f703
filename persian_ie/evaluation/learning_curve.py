"""The learning curve: test F of NER and relations when training on a share of the training documents.

Each subset model is trained with the same config (fewer steps, to keep the curve affordable) and
gets its relation thresholds tuned on dev like the full model. Subsets are whole documents (a
paragraph never travels without its article), nested (the 50% subset contains the 25% one) and
drawn with a fixed seed. A curve still rising at 100% says more annotation will pay.
"""

import random
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from ..corpus.convert import doc_meta, read_docbin, write_docbin
from ..pipeline.loading import load_pipeline
from ..pipeline.tokenizer import blank_nlp
from .scores import PipelineAnnotator, evaluate_annotator
from .thresholds import tune_thresholds

FRACTIONS = (0.25, 0.5, 0.75, 1.0)
# real training paragraphs; -1 is all of them. 1,000 and 2,000 since the fifth round: with 2,855 real
# paragraphs in train, 400 -> all alone cannot say whether the curve has flattened
REAL_COUNTS = (0, 200, 400, 1000, 2000, -1)


def document_subsets(docs: Sequence[Doc], fractions: Sequence[float], seed: int = 0) -> Dict[float, List[Doc]]:
    """Nested subsets of the docs by document id (`doc.user_data['meta']['doc_id']`)."""
    doc_ids = sorted({doc_meta(doc).get("doc_id", str(i)) for i, doc in enumerate(docs)})
    random.Random(seed).shuffle(doc_ids)
    subsets = {}
    for fraction in fractions:
        keep = set(doc_ids[: max(1, round(fraction * len(doc_ids)))])
        subsets[fraction] = [
            doc for i, doc in enumerate(docs) if doc_meta(doc).get("doc_id", str(i)) in keep
        ]
    return subsets


def train_subset(config: Path, corpus_dir: Path, folder: Path, docs: Sequence[Doc], dev_docs: Sequence[Doc],
                 overrides: Optional[Dict[str, Any]] = None) -> Language:
    """Train `config` on `docs` (the full dev set picks the checkpoint) and tune its thresholds on dev, as the
    full model is tuned, so the points of a curve compare; the tuned pipeline is also saved as model-final."""
    from spacy.cli.train import train

    write_docbin(docs, folder / "train.spacy")
    settings = {"paths.train": str(folder / "train.spacy"), "paths.dev": str(Path(corpus_dir) / "dev.spacy")}
    settings.update(overrides or {})
    train(config, folder / "model", overrides=settings)
    pipeline = load_pipeline(folder / "model" / "model-best")
    tune_thresholds(pipeline, dev_docs)
    pipeline.to_disk(folder / "model-final")
    return pipeline


def learning_curve(
    config: Path,
    corpus_dir: Path,
    work_dir: Path,
    fractions: Sequence[float] = FRACTIONS,
    overrides: Dict[str, Any] = None,
) -> List[Dict[str, Any]]:
    """Train on each subset with `config`, score on the test split; one point per fraction."""
    nlp = blank_nlp()
    train_docs = read_docbin(Path(corpus_dir) / "train.spacy", nlp.vocab)
    dev_docs = read_docbin(Path(corpus_dir) / "dev.spacy", nlp.vocab)
    test_docs = read_docbin(Path(corpus_dir) / "test.spacy", nlp.vocab)
    points = []
    for fraction, docs in document_subsets(train_docs, fractions).items():
        pipeline = train_subset(config, corpus_dir, Path(work_dir) / f"{int(fraction * 100)}", docs, dev_docs,
                                overrides)
        scores = evaluate_annotator(PipelineAnnotator(pipeline), nlp, test_docs)
        points.append(
            {
                "fraction": fraction,
                "documents": len({doc_meta(d).get("doc_id") for d in docs}),
                "paragraphs": len(docs),
                "ner_f": scores["ner"]["f"],
                "rel_end_to_end_f": scores["rel_end_to_end"]["f"],
                "rel_gold_ents_f": scores["rel_gold_ents"]["f"],
            }
        )
    return points


def is_real(doc: Doc) -> bool:
    return doc_meta(doc).get("origin") == "real"


def real_subsets(docs: Sequence[Doc], counts: Sequence[int], seed: int = 0) -> Dict[int, List[Doc]]:
    """The authored training docs plus about `count` real paragraphs, in whole articles (nested, fixed seed)."""
    authored = [doc for doc in docs if not is_real(doc)]
    articles: Dict[str, List[Doc]] = {}
    for doc in docs:
        if is_real(doc):
            articles.setdefault(doc_meta(doc)["doc_id"], []).append(doc)
    order = sorted(articles)
    random.Random(seed).shuffle(order)
    subsets = {}
    for count in counts:
        chosen: List[Doc] = []
        for doc_id in order:
            if count >= 0 and len(chosen) >= count:
                break
            chosen.extend(articles[doc_id])
        subsets[count] = authored + chosen
    return subsets


def real_data_curve(config: Path, corpus_dir: Path, work_dir: Path, realdev: Path,
                    counts: Sequence[int] = REAL_COUNTS, overrides: Dict[str, Any] = None) -> List[Dict[str, Any]]:
    """Train with the authored corpus plus `counts` real paragraphs (-1: all); score on real text."""
    from .experiments import score_pipeline

    nlp = blank_nlp()
    train_docs = read_docbin(Path(corpus_dir) / "train.spacy", nlp.vocab)
    dev_docs = read_docbin(Path(corpus_dir) / "dev.spacy", nlp.vocab)
    points = []
    for count, docs in real_subsets(train_docs, counts).items():
        folder = Path(work_dir) / f"real-{'all' if count < 0 else count}"
        train_subset(config, corpus_dir, folder, docs, dev_docs, overrides)
        scores = score_pipeline(folder / "model-final", corpus_dir, realdev)
        points.append({
            "real_paragraphs": sum(is_real(doc) for doc in docs),
            "paragraphs": len(docs),
            "real_dev_ner_f": scores["real_dev"]["ner"], "real_dev_rel_f": scores["real_dev"]["rel_end_to_end"],
            "real_test_ner_f": scores["real_test"]["ner"], "real_test_rel_f": scores["real_test"]["rel_end_to_end"],
            "test_ner_f": scores["test"]["ner"],
        })
    return points
