"""Label Studio tasks, their labeling config, and annotations read back as Prodigy-shaped answers.

Label Studio is the licence-free alternative to Prodigy. A task it imports is

    {"data": {"text", "meta", "_input_hash", "_task_hash"},
     "predictions": [{"model_version", "score", "result": [...]}]}

where a `labels` result holds code-point offsets into `data.text` (Python's str indices: a ZWNJ is one
character) and a `relation` result joins two region ids with `from_id`, `to_id`, `direction` and a label.
Its full JSON export returns the same `data` with `annotations`, each with `completed_by`, `was_cancelled`
and a `result` list in that format.

Label Studio stores whatever offsets, labels and relations it is sent, without checking them against a
tokenizer or a schema, so every annotation read back here is checked: labels and relation labels in the
schema, relation directions and label pairs the schema allows, `from_id`/`to_id` naming regions of the same
annotation, offsets inside the text and matching `value.text`, spans on the project tokenizer's token
boundaries (or snapped to them when asked), and `data.text` unchanged since the export (its hash). What
passes becomes a Prodigy `relations` answer, so the import applies the same validation and merge rules to
both tools.
"""

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import srsly
from spacy.tokens import Doc, Span

from ..errors import PersianIEError
from ..schema import ALLOWED_PAIRS, ENTITY_LABELS, RELATION_LABELS
from .files import write_text_atomic
from .prodigy import INPUT_KEYS, VIEW_ID, Task, get_hash, make_task, set_hashes, task_confidence
from .review_page import COLORS

FORMATS = ("auto", "prodigy", "labelstudio")
# the names the labeling config gives its tags: results refer to them as from_name / to_name
TEXT_NAME = "text"
LABELS_NAME = "label"
# Label Studio's relation directions: "right" is from_id -> to_id, "left" is to_id -> from_id
DIRECTIONS = ("right", "left", "bi")
RESULT_TYPES = ("labels", "relation")
CORPUS_MODEL_VERSION = "corpus"
NO_ANNOTATOR = "(not annotated)"

LabelStudioTask = Dict[str, Any]
# (ordinal of the annotation in the file, "task <id>", Prodigy-shaped answer or None, refusal reason or None)
AnswerRecord = Tuple[int, str, Optional[Task], Optional[str]]


def labeling_config() -> str:
    """The labeling config XML: the schema's entity labels in the review page's colours, its relation
    labels, and the text shown right to left (Persian) with the labels above it."""
    view = ET.Element("View")
    relations = ET.SubElement(view, "Relations")
    for label in RELATION_LABELS:
        ET.SubElement(relations, "Relation", value=label)
    labels = ET.SubElement(view, "Labels", name=LABELS_NAME, toName=TEXT_NAME)
    for label in ENTITY_LABELS:
        ET.SubElement(labels, "Label", value=label, background=COLORS[label])
    text_view = ET.SubElement(view, "View", style="direction: rtl; text-align: right; unicode-bidi: plaintext")
    ET.SubElement(text_view, "Text", name=TEXT_NAME, value=f"${TEXT_NAME}")
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _model_version(task: Task) -> str:
    meta = task.get("meta") or {}
    if meta.get("model"):
        return "-".join(str(part) for part in (meta["model"], meta.get("model_version")) if part)
    return CORPUS_MODEL_VERSION


def region_id(index: int) -> str:
    return f"e{index}"


def task_result(task: Task) -> List[Dict[str, Any]]:
    """A task's spans and relations as Label Studio results (scores kept where the task has them).

    A relation end that is not among the spans (a labelled span only the relation names) becomes a
    region too, so no relation is lost; an unlabelled end cannot be shown and is an error.
    """
    text = task["text"]
    result: List[Dict[str, Any]] = []
    ids: Dict[Tuple[int, int, str], str] = {}

    def region(span: Dict[str, Any]) -> str:
        key = (span["start"], span["end"], span["label"])
        if key not in ids:
            if span["label"] not in ENTITY_LABELS:
                raise PersianIEError(f"a relation end {text[key[0]:key[1]]!r} has label {key[2]!r}, not one of "
                                     f"{', '.join(ENTITY_LABELS)}")
            ids[key] = region_id(len(ids))
            item: Dict[str, Any] = {
                "id": ids[key], "from_name": LABELS_NAME, "to_name": TEXT_NAME, "type": "labels",
                "value": {"start": key[0], "end": key[1], "text": text[key[0]:key[1]], "labels": [key[2]]},
            }
            if "score" in span:
                item["score"] = span["score"]
            result.append(item)
        return ids[key]

    for span in task.get("spans", []) or []:
        region(span)
    for rel in task.get("relations", []) or []:
        item = {"from_id": region(rel["head_span"]), "to_id": region(rel["child_span"]),
                "type": "relation", "direction": "right", "labels": [rel["label"]]}
        if "score" in rel:
            item["score"] = rel["score"]
        result.append(item)
    return result


def to_labelstudio(task: Task, model_version: Optional[str] = None) -> LabelStudioTask:
    """One Label Studio task: the text, meta (with the raw offsets) and hashes under `data`, and the
    task's spans and relations as one prediction scored by its least confident item."""
    data = {"text": task["text"], "meta": task.get("meta") or {}, "_input_hash": task.get("_input_hash"),
            "_task_hash": task.get("_task_hash")}
    if data["_input_hash"] is None:
        data["_input_hash"] = get_hash(task, INPUT_KEYS)
    prediction = {"model_version": model_version or _model_version(task), "score": task_confidence(task),
                  "result": task_result(task)}
    return {"data": data, "predictions": [prediction]}


def write_labelstudio(records: Iterable[LabelStudioTask], output: Union[str, Path],
                      config_path: Union[str, Path]) -> int:
    """Write Label Studio tasks as one JSON import file, and the labeling config."""
    records = list(records)
    write_text_atomic(output, srsly.json_dumps(records, indent=1) + "\n")
    write_text_atomic(config_path, labeling_config())
    return len(records)


def default_config_path(output: Union[str, Path]) -> Path:
    """OUT.json -> OUT.config.xml."""
    output = Path(output)
    return output.with_name(output.stem + ".config.xml")


def is_labelstudio_export(path: Union[str, Path]) -> bool:
    """A Label Studio export is one JSON array; Prodigy's db-out is JSONL, one object per line."""
    with open(path, "rb") as file:
        head = file.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def resolve_format(path: Union[str, Path], fmt: str = "auto") -> str:
    if fmt not in FORMATS:
        raise PersianIEError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt != "auto":
        return fmt
    return "labelstudio" if is_labelstudio_export(path) else "prodigy"


def read_export(path: Union[str, Path]) -> List[LabelStudioTask]:
    """The tasks of a Label Studio JSON export (Export -> JSON, with annotations)."""
    try:
        records = srsly.read_json(path)
    except ValueError as err:
        raise PersianIEError(f"not a Label Studio JSON export: {err}", str(path)) from err
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise PersianIEError("not a Label Studio JSON export: expected a list of tasks (Export -> JSON)", str(path))
    return records


def annotator_of(annotation: Dict[str, Any]) -> str:
    """`completed_by` is a user id, or an object with the user's email, depending on the export."""
    user = annotation.get("completed_by")
    if isinstance(user, dict):
        user = user.get("email") or user.get("username") or user.get("id")
    return "unknown" if user is None else str(user)


def _timestamp(annotation: Dict[str, Any]) -> int:
    stamp = annotation.get("updated_at") or annotation.get("created_at")
    try:
        return int(datetime.datetime.fromisoformat(str(stamp)).timestamp())
    except ValueError:
        return 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _one_label(item: Dict[str, Any], labels: Any, allowed: Tuple[str, ...], what: str) -> Tuple[Optional[str], str]:
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str):
        return None, f"{what} {item.get('id', '')!s} must have exactly one label, has {labels!r}"
    if labels[0] not in allowed:
        return None, f"{what} label {labels[0]!r} is not one of {', '.join(allowed)}"
    return labels[0], ""


def _spans(result: List[Any], doc: Doc, snap: bool, snapped: List[Dict[str, Any]],
           where: str) -> Tuple[Dict[str, Span], List[str]]:
    """The annotation's regions as spans of the project tokenizer's doc, by region id."""
    text = doc.text
    regions: Dict[str, Span] = {}
    reasons: List[str] = []
    for item in result:
        if not isinstance(item, dict) or item.get("type") not in RESULT_TYPES:
            kind = item.get("type") if isinstance(item, dict) else type(item).__name__
            reasons.append(f"result type {kind!r} is not in the labeling config (only labels and relation)")
            continue
        if item["type"] != "labels":
            continue
        rid, value = item.get("id"), item.get("value")
        if not isinstance(rid, str) or not rid or rid in regions:
            reasons.append(f"region id {rid!r} is missing or used twice")
            continue
        if not isinstance(value, dict):
            reasons.append(f"region {rid} has no value")
            continue
        start, end = value.get("start"), value.get("end")
        if not (_is_int(start) and _is_int(end)) or not 0 <= start < end <= len(text):
            reasons.append(f"region {rid} ({start!r}, {end!r}) is out of bounds of the text (0, {len(text)})")
            continue
        label, reason = _one_label(item, value.get("labels"), ENTITY_LABELS, "region")
        if label is None:
            reasons.append(reason)
            continue
        if "text" in value and value["text"] != text[start:end]:
            reasons.append(f"region {rid} says {value['text']!r} but the text at ({start}, {end}) is "
                           f"{text[start:end]!r}")
            continue
        span = doc.char_span(start, end, label=label)
        if span is None:
            # spaCy's "expand" is the snap: the tokens the offsets touch (none when they cover only spaces)
            span = doc.char_span(start, end, label=label, alignment_mode="expand") if snap else None
            if span is None or not len(span):
                hint = "" if snap else " (--snap extends it to the tokens it touches)"
                reasons.append(f"span {text[start:end]!r} ({start}, {end}) is not on token boundaries{hint}")
                continue
            snapped.append({"where": where, "label": label, "from": [start, end],
                            "to": [span.start_char, span.end_char], "text": span.text})
        regions[rid] = span
    return regions, reasons


def _relations(result: List[Any], regions: Dict[str, Span]) -> Tuple[List[Tuple[Span, Span, str]], List[str]]:
    """The annotation's relations as (head, child, label), in the schema's direction."""
    relations: List[Tuple[Span, Span, str]] = []
    reasons: List[str] = []
    for item in result:
        if not isinstance(item, dict) or item.get("type") != "relation":
            continue
        from_id, to_id = item.get("from_id"), item.get("to_id")
        if from_id not in regions or to_id not in regions:
            reasons.append(f"relation {from_id!r} -> {to_id!r} does not join two regions of this annotation")
            continue
        label, reason = _one_label(item, item.get("labels"), RELATION_LABELS, "relation")
        if label is None:
            reasons.append(f"{reason} ({from_id} -> {to_id}; pick one in the relation's panel)")
            continue
        direction = item.get("direction", "right")
        if direction not in ("right", "left"):
            reasons.append(f"relation {label} {from_id} -> {to_id} has direction {direction!r}; the schema's "
                           "relations go one way (right: from -> to)")
            continue
        head, child = (regions[from_id], regions[to_id]) if direction == "right" else (regions[to_id], regions[from_id])
        pair = (head.label_, child.label_)
        if pair not in ALLOWED_PAIRS[label]:
            said = f"{head.text!r} -> {child.text!r}"
            if pair[::-1] in ALLOWED_PAIRS[label]:
                reasons.append(f"relation {label} {said} points {pair[0]} -> {pair[1]}; draw it from the "
                               f"{pair[1]} to the {pair[0]} (or flip its direction)")
            else:
                reasons.append(f"relation {label} cannot join {pair[0]} -> {pair[1]} ({said})")
            continue
        relations.append((head, child, label))
    return relations, reasons


def annotation_to_task(data: Dict[str, Any], annotation: Dict[str, Any], make_doc: Callable[[str], Doc],
                       snap: bool = False, snapped: Optional[List[Dict[str, Any]]] = None,
                       where: str = "") -> Tuple[Optional[Task], List[str]]:
    """One submitted annotation as a Prodigy `relations` answer, or the reasons it is refused."""
    result = annotation.get("result")
    if not isinstance(result, list):
        return None, ["the annotation's result is not a list"]
    doc = make_doc(data["text"])
    regions, reasons = _spans(result, doc, snap, [] if snapped is None else snapped, where)
    relations, more = _relations(result, regions)
    reasons += more
    if reasons:
        return None, reasons
    spans = sorted(regions.values(), key=lambda s: (s.start_char, s.end_char, s.label_))
    task = make_task(doc, spans, relations, meta=data.get("meta"))
    task.update({"_annotator_id": annotator_of(annotation), "_timestamp": _timestamp(annotation)})
    return task, []


def _text_problem(data: Any) -> Optional[str]:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"].strip():
        return "data.text is missing or empty"
    exported = data.get("_input_hash")
    if exported is not None and exported != get_hash({"text": data["text"]}, INPUT_KEYS):
        return ("data.text is not the text that was exported (its _input_hash differs); the text of a task "
                "must not be edited in Label Studio")
    return None


def export_answers(records: List[LabelStudioTask], make_doc: Callable[[str], Doc], snap: bool = False,
                   snapped: Optional[List[Dict[str, Any]]] = None) -> Iterator[AnswerRecord]:
    """Every annotation of every task as a Prodigy-shaped answer (or a refusal), numbered in file order.

    A cancelled (skipped) annotation, and a task nobody annotated, become `ignore` answers: reported,
    never imported.
    """
    number = 0
    for index, record in enumerate(records):
        where = f"task {record.get('id', f'#{index + 1}')}"
        data = record.get("data")
        annotations = record.get("annotations") or []
        problem = _text_problem(data)
        if not isinstance(annotations, list):
            problem = problem or "annotations is not a list"
        if problem is not None:
            number += 1
            yield number, where, None, problem
            continue
        base = {"text": data["text"], "meta": dict(data.get("meta") or {}), "_view_id": VIEW_ID}
        if not annotations:
            number += 1
            yield number, where, set_hashes({**base, "answer": "ignore", "_annotator_id": NO_ANNOTATOR}), None
            continue
        for annotation in annotations:
            number += 1
            who = f" (annotation {annotation.get('id', '?')} by {annotator_of(annotation)})"
            if annotation.get("was_cancelled"):
                yield number, where, set_hashes({**base, "answer": "ignore", "_annotator_id": annotator_of(annotation),
                                                "_timestamp": _timestamp(annotation)}), None
                continue
            task, reasons = annotation_to_task(data, annotation, make_doc, snap, snapped, where)
            yield number, where, task, "; ".join(reasons) + who if reasons else None
