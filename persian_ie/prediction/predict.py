"""Predictions as Prodigy tasks: read raw inputs, split paragraphs, annotate, stream tasks out.

Input is a .txt file, a folder of them, or JSONL records with `text` and optional `meta`. Every
paragraph becomes one `relations` task with scored spans and relations and no `answer`, ready for
`prodigy rel.manual` as pre-annotated input. `meta` keeps the source, the paragraph index, the
model, and the raw paragraph with the raw offsets of every span (`raw_text`, `raw_spans`).

Entity scores come from a beam search over the NER model's transitions (the probability mass of
the parses that contain the entity); relation scores are the relation model's probabilities.
"""

import multiprocessing
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Deque, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from ..errors import PersianIEError
from ..io.inputs import InputFile, input_files, split_paragraphs
from ..io.prodigy import jsonl_stream, make_task
from ..pipeline.relations import get_relations

BEAM_WIDTH = 8
# paragraphs per partition of a cluster run (`distributed.py`): a multiple of the batch size, so that a
# part's batches are the batches of a single-process run
DEFAULT_PARTITION_LINES = 4096
# where the project's own meta values go when the input's meta already has a key of that name
PREDICTION_META_KEY = "persian_ie"


@dataclass
class Record:
    """One input document: an id and the meta it came with."""

    record_id: str
    meta: Dict[str, Any] = field(default_factory=dict)


@dataclass
class Unit:
    """One paragraph to annotate: its record, its index in the record and its raw offset there."""

    record: Record
    index: int
    raw_start: int
    text: str


@dataclass
class Rejected:
    record_id: str
    reason: str
    line: Optional[int] = None


def iter_units(path: Union[str, Path]) -> Iterator[Any]:
    """Paragraphs (Units) and Rejected entries, streaming: a 1 GB input is never held in memory.

    A .txt file is read line by line (a paragraph per non-empty line); a .jsonl file record by
    record, each record's `text` split into paragraphs. `path` may be an fsspec URL (a cluster run).
    """
    for file in input_files(path):
        if file.suffix == ".jsonl":
            for item in _jsonl_records(file):
                if isinstance(item, Rejected):
                    yield item
                    continue
                record, text = item
                for index, (start, _end, paragraph) in enumerate(split_paragraphs(text)):
                    yield Unit(record, index, start, paragraph)
        else:
            yield from _text_units(file)


def accepted_units(path: Union[str, Path], skip_invalid: bool, rejected: List[Dict[str, Any]]) -> Iterator[Unit]:
    """The input's paragraphs. A bad record stops the run with a message naming its line, or, with
    `skip_invalid`, is added to `rejected` (what `<output>.rejected.jsonl` holds) and skipped."""
    for item in iter_units(path):
        if isinstance(item, Rejected):
            if not skip_invalid:
                where = f" line {item.line}" if item.line else ""
                raise PersianIEError(f"bad record{where}: {item.reason} (use --skip-invalid to set it aside)",
                                     str(path))
            rejected.append({"record": item.record_id, "line": item.line, "reason": item.reason})
            continue
        yield item


def _text_units(file: InputFile) -> Iterator[Any]:
    record_id = file.relative
    record = Record(record_id, {})
    index = chars = offset = 0
    with file.open() as handle:
        for lineno, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as err:
                yield Rejected(record_id, f"not UTF-8 ({err.reason}) at byte {offset + err.start}", lineno)
                offset += len(raw)
                continue
            offset += len(raw)
            stripped = line.strip()
            if stripped:
                yield Unit(record, index, chars + line.index(stripped[0]), stripped)
                index += 1
            chars += len(line)


def _jsonl_records(file: InputFile) -> Iterator[Any]:
    """(Record, text) pairs, or Rejected entries that say what is wrong with the line."""
    with file.open() as handle:
        for lineno, data, reason in jsonl_stream(handle):
            record_id = f"{file.name}:{lineno}"
            if reason is not None:
                yield Rejected(record_id, reason, lineno)
            elif not isinstance(data.get("text"), str):
                yield Rejected(record_id, "the record has no string 'text'", lineno)
            elif data.get("meta") is not None and not isinstance(data["meta"], dict):
                yield Rejected(record_id, "'meta' must be an object", lineno)
            else:
                meta = dict(data.get("meta") or {})
                yield Record(str(meta.get("id", record_id)), meta), data["text"]


EntityScores = Dict[Tuple[int, int, str], float]


def entity_scores(nlp: Language, docs: List[Doc], beam_width: int = BEAM_WIDTH) -> List[EntityScores]:
    """Beam-search probability of every entity the `ner` component could assign."""
    if "ner" not in nlp.pipe_names or not docs:
        return [{} for _ in docs]
    ner = nlp.get_pipe("ner")
    beams = ner.beam_parse(docs, beam_width=beam_width)
    return [dict(scores) for scores in ner.scored_ents(beams)]


def doc_task(
    doc: Doc,
    record: Record,
    index: int,
    raw_start: int,
    model_meta: Dict[str, Any],
    ent_scores: Optional[Dict[Tuple[int, int, str], float]] = None,
) -> Dict[str, Any]:
    """One pre-annotated Prodigy task for a predicted paragraph."""
    spans = list(doc.ents)
    if ent_scores is None:
        span_scores = [1.0] * len(spans)
    else:
        span_scores = [float(ent_scores.get((e.start, e.end, e.label_), 0.0)) for e in spans]
    relations = get_relations(doc)
    ents = {(ent.start, ent.end): ent for ent in doc.ents}  # relation ends as Prodigy writes them: labelled
    triples = [(ents.get((r.head_start, r.head_end), doc[r.head_start:r.head_end]),
                ents.get((r.child_start, r.child_end), doc[r.child_start:r.child_end]), r.label) for r in relations]
    own = {
        "source": record.meta.get("source", record.record_id),
        "record": record.record_id,
        "paragraph": index,
        "model": model_meta.get("name"),
        "model_version": model_meta.get("version"),
        "raw_text": doc._.raw_text,
        "raw_start": raw_start,
        "raw_spans": [
            {"start": e._.raw_start, "end": e._.raw_end, "label": e.label_, "text": e._.raw_text} for e in spans
        ],
    }
    meta = dict(record.meta)
    clashes = {key: value for key, value in own.items() if key in meta and meta[key] != value}
    for key, value in own.items():
        meta.setdefault(key, value)
    if clashes:
        meta[PREDICTION_META_KEY] = clashes
    return make_task(
        doc,
        spans,
        triples,
        meta=meta,
        answer=None,
        span_scores=span_scores,
        relation_scores=[float(r.score) for r in relations],
    )


def annotate_batch(nlp: Language, units: List[Unit], with_scores: bool = True) -> List[Dict[str, Any]]:
    """Tasks for one batch of paragraphs, in order."""
    model_meta = {"name": nlp.meta.get("name"), "version": nlp.meta.get("version")}
    docs = list(nlp.pipe([unit.text for unit in units], batch_size=len(units) or 1))
    scores = entity_scores(nlp, docs) if with_scores else [None] * len(docs)
    return [
        doc_task(doc, unit.record, unit.index, unit.raw_start, model_meta, ent_scores)
        for doc, unit, ent_scores in zip(docs, units, scores)
    ]


def predict_tasks(
    nlp: Language,
    units: Iterable[Unit],
    batch_size: int = 64,
    n_process: int = 1,
    with_scores: bool = True,
    model_path: Optional[Path] = None,
) -> Iterator[List[Dict[str, Any]]]:
    """Yield the tasks of each batch of paragraphs, in input order, holding only a few batches.

    With `n_process` > 1, worker processes (each loading the pipeline from `model_path`) do
    everything, normalization and task building included, and only finished tasks travel back:
    spaCy's own `pipe(n_process=...)` tokenizes in the main process, which for a normalizing
    tokenizer leaves the workers waiting.
    """
    if n_process <= 1 or model_path is None:
        for batch in minibatch(units, batch_size):
            yield annotate_batch(nlp, batch, with_scores)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(n_process, initializer=_init_worker, initargs=(str(model_path), with_scores)) as pool:
        in_flight: Deque[Any] = deque()
        for batch in minibatch(units, batch_size):
            in_flight.append(pool.apply_async(_work, (batch,)))
            if len(in_flight) >= 2 * n_process:
                yield in_flight.popleft().get()
        while in_flight:
            yield in_flight.popleft().get()


_WORKER: Dict[str, Any] = {}


def _init_worker(model_path: str, with_scores: bool) -> None:
    from ..pipeline.loading import load_pipeline

    _WORKER["nlp"] = load_pipeline(model_path)
    _WORKER["with_scores"] = with_scores


def _work(units: List[Unit]) -> List[Dict[str, Any]]:
    return annotate_batch(_WORKER["nlp"], units, _WORKER["with_scores"])
