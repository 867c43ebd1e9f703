"""Build the gold corpus: authored markup -> raw articles -> normalized Prodigy tasks with splits.

Spans are written on the raw text and mapped onto the normalized text through the normalizer's
alignment, then onto the project tokenizer's tokens. A span that does not land on token
boundaries is an error to fix in the markup, never silently moved.
"""

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import srsly
from spacy.language import Language
from spacy.tokens import Span

from ..errors import PersianIEError
from ..io.files import write_json_atomic
from ..io.prodigy import Task, make_task
from ..normalization import Alignment
from ..pipeline.tokenizer import ALIGNMENT_KEY
from .markup import MarkedDocument, read_document

SPLITS = ("train", "dev", "test")
SPLIT_SHARES = {"train": 0.70, "dev": 0.15, "test": 0.15}
SEED_DOC_ID = "000_seed_north_khorasan_clusters"
REVIEW_META_KEY = "review"
# meta.origin: "authored" for documents written for the corpus, "real" for published news
ORIGIN_AUTHORED = "authored"
ORIGIN_REAL = "real"


@dataclass
class BuildResult:
    tasks: List[Task] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)


def read_documents(folder: Path) -> List[MarkedDocument]:
    paths = sorted(Path(folder).glob("*.txt"))
    if not paths:
        raise PersianIEError("no authored documents (*.txt) found", str(folder))
    return [read_document(path) for path in paths]


def read_splits(path: Path) -> Dict[str, str]:
    """doc_id -> split, from the recorded `splits.json` ({"train": [...], "dev": [...], ...})."""
    if not Path(path).exists():
        return {}
    data = srsly.read_json(path)
    return {doc_id: split for split in SPLITS for doc_id in data.get(split, [])}


def assign_splits(doc_ids: Iterable[str], recorded: Dict[str, str], seed: int = 13) -> Dict[str, str]:
    """Keep recorded splits; give new documents the split furthest below its share (seed in train)."""
    assignment = dict(recorded)
    new = sorted(d for d in doc_ids if d not in assignment)
    random.Random(seed).shuffle(new)
    if SEED_DOC_ID in new:
        new.remove(SEED_DOC_ID)
        assignment[SEED_DOC_ID] = "train"
    for doc_id in new:
        counts = {split: 0 for split in SPLITS}
        for split in assignment.values():
            counts[split] += 1
        total = sum(counts.values()) + 1
        assignment[doc_id] = max(SPLITS, key=lambda s: SPLIT_SHARES[s] * total - counts[s])
    return assignment


def write_splits(path: Path, assignment: Dict[str, str]) -> None:
    write_json_atomic(path, {split: sorted(d for d, s in assignment.items() if s == split) for split in SPLITS})


def document_tasks(nlp: Language, document: MarkedDocument, split: str) -> BuildResult:
    """One Prodigy task per paragraph of an authored document."""
    result = BuildResult()
    source = document.header.get("source", "authored")
    for index, paragraph in enumerate(document.paragraphs):
        where = f"{document.path}:{paragraph.line}"
        doc = nlp(paragraph.text)
        alignment = Alignment.from_dict(doc.user_data[ALIGNMENT_KEY])
        by_id: Dict[str, Span] = {}
        spans: List[Span] = []
        for marked in paragraph.spans:
            start, end = alignment.to_normalized(marked.start, marked.end)
            span = doc.char_span(start, end, label=marked.label)
            surface = paragraph.text[marked.start : marked.end]
            if span is None:
                result.problems.append(
                    f"{where}: span [{surface}]({marked.label}) -> {doc.text[start:end]!r} does not fall "
                    "on token boundaries after normalization"
                )
                continue
            spans.append(span)
            if marked.id:
                by_id[marked.id] = span
        relations: List[Tuple[Span, Span, str]] = []
        for rel in paragraph.relations:
            if rel.head in by_id and rel.child in by_id:
                relations.append((by_id[rel.head], by_id[rel.child], rel.label))
        meta = {"doc_id": document.doc_id, "paragraph": index, "source": source, "split": split,
                "origin": ORIGIN_AUTHORED}
        result.tasks.append(make_task(doc, spans, relations, meta=meta))
    return result


def build_corpus(
    nlp: Language,
    documents: List[MarkedDocument],
    assignment: Dict[str, str],
    existing: Optional[List[Task]] = None,
) -> BuildResult:
    """Tasks for every document; reviewed tasks already in the corpus replace authored ones."""
    result = BuildResult()
    for document in documents:
        built = document_tasks(nlp, document, assignment[document.doc_id])
        result.tasks.extend(built.tasks)
        result.problems.extend(built.problems)
    reviewed = {t["_input_hash"]: t for t in existing or [] if REVIEW_META_KEY in t.get("meta", {})}
    if reviewed:
        authored = {t["_input_hash"] for t in result.tasks}
        result.tasks = [reviewed.get(t["_input_hash"], t) for t in result.tasks]
        result.tasks.extend(t for h, t in reviewed.items() if h not in authored)
    return result


def write_raw_articles(documents: List[MarkedDocument], folder: Path) -> None:
    """The raw article texts, as received: markup stripped, paragraphs separated by a blank line."""
    folder.mkdir(parents=True, exist_ok=True)
    for document in documents:
        (folder / f"{document.doc_id}.txt").write_text(document.raw_text, encoding="utf-8")
