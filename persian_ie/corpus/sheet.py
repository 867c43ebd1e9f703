"""Review sheets: pre-annotated tasks as editable markup, and the edited sheet back as db-out answers.

A sheet is the plain-text review view for annotators who work without Prodigy: each task is a block
that shows the normalized paragraph in the authoring markup (`[text](LABEL:id)`, `>> id REL id`),
with every span given an id. The annotator corrects the markup and may add an `answer:` line
(`accept` by default, `reject` or `ignore`). Reading the sheet back checks that the text is
unchanged and that every span sits on the task's tokens, and writes what `prodigy db-out` writes
for a `relations` session: the task with `answer`, `_annotator_id`, `_session_id` and `_timestamp`.

    ## 3 input_hash=-12345 doc_id=real-L1402 paragraph=2
    [علی احمدی](PERSON:e1) مدیرعامل [بانک ملت](ORG:e2) گفت: ...
    >> e1 AFFILIATED_WITH e2
    answer: accept
"""

import re
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence, Tuple

from ..errors import PersianIEError
from ..io.prodigy import Task, set_hashes, task_span_key
from .markup import escape_brackets, parse_paragraph, parse_relations

BLOCK_RE = re.compile(r"^##\s+(\d+)\s+input_hash=(-?\d+)(.*)$")
ANSWER_RE = re.compile(r"^answer:\s*(\w+)\s*$")
ANSWERS = ("accept", "reject", "ignore")


def task_markup(task: Task) -> Tuple[str, str]:
    """The task's paragraph with inline markup, and its `>>` relation line (empty when none)."""
    text = task["text"]
    spans = sorted(task.get("spans", []), key=lambda s: s["start"])
    ids: Dict[Tuple[int, int, str], str] = {}
    pieces: List[str] = []
    position = 0
    for number, span in enumerate(spans, start=1):
        span_id = f"e{number}"
        ids[task_span_key(span)] = span_id
        pieces.append(escape_brackets(text[position : span["start"]]))
        pieces.append(f"[{escape_brackets(text[span['start'] : span['end']])}]({span['label']}:{span_id})")
        position = span["end"]
    pieces.append(escape_brackets(text[position:]))
    relations = []
    for rel in task.get("relations", []):
        head = ids[task_span_key(rel["head_span"])]
        child = ids[task_span_key(rel["child_span"])]
        relations.append(f"{head} {rel['label']} {child}")
    return "".join(pieces), (">> " + "; ".join(relations)) if relations else ""


def write_sheet(tasks: Sequence[Task], title: str = "") -> str:
    """The review sheet of `tasks`, in their order."""
    lines = [f"# review sheet: {title}".rstrip(), "# edit the markup only; never change the words", ""]
    for number, task in enumerate(tasks):
        meta = task.get("meta", {})
        where = " ".join(f"{key}={meta[key]}" for key in ("doc_id", "paragraph") if key in meta)
        paragraph, relations = task_markup(task)
        lines.append(f"## {number} input_hash={task['_input_hash']} {where}".rstrip())
        lines.append(paragraph)
        if relations:
            lines.append(relations)
        lines.append("")
    return "\n".join(lines)


@dataclass
class SheetBlock:
    number: int
    input_hash: int
    line: int
    body: List[Tuple[int, str]] = field(default_factory=list)


def _blocks(text: str, path: str) -> List[SheetBlock]:
    blocks: List[SheetBlock] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        match = BLOCK_RE.match(line)
        if match:
            blocks.append(SheetBlock(int(match.group(1)), int(match.group(2)), lineno))
        elif line.strip() and not line.startswith("#"):
            if not blocks:
                raise PersianIEError("text before the first '## N input_hash=...' block", path, lineno)
            blocks[-1].body.append((lineno, line))
    return blocks


def _answer(block: SheetBlock, task: Task, annotator: str, session: str, path: str) -> Task:
    """The db-out answer for one block, or a PersianIEError naming the sheet line."""
    paragraph_lines = [(n, line) for n, line in block.body if not line.lstrip().startswith((">>", "answer:"))]
    if len(paragraph_lines) != 1:
        raise PersianIEError(f"block {block.number} must have exactly one paragraph line", path, block.line)
    lineno, line = paragraph_lines[0]
    paragraph = parse_paragraph(line, path, lineno)
    if paragraph.text != task["text"]:
        raise PersianIEError(f"block {block.number}: the words differ from the task text; edit the markup only",
                             path, lineno)
    answer = "accept"
    for n, body_line in block.body:
        if body_line.lstrip().startswith(">>"):
            paragraph.relations.extend(parse_relations(body_line, paragraph, path, n))
        elif body_line.startswith("answer:"):
            match = ANSWER_RE.match(body_line)
            if not match or match.group(1) not in ANSWERS:
                raise PersianIEError(f"answer must be one of {', '.join(ANSWERS)}", path, n)
            answer = match.group(1)
    starts = {t["start"]: t["id"] for t in task["tokens"]}
    ends = {t["end"]: t["id"] for t in task["tokens"]}
    spans: List[Dict[str, Any]] = []
    for span in paragraph.spans:
        if span.start not in starts or span.end not in ends:
            nearby = " | ".join(t["text"] for t in task["tokens"]
                                if t["end"] > span.start - 3 and t["start"] < span.end + 3)
            raise PersianIEError(f"block {block.number}: [{task['text'][span.start:span.end]}] is not on token "
                                 f"boundaries (tokens: {nearby})", path, lineno)
        spans.append({"start": span.start, "end": span.end, "token_start": starts[span.start],
                      "token_end": ends[span.end], "label": span.label})
    by_id = {span.id: spans[i] for i, span in enumerate(paragraph.spans) if span.id is not None}
    relations = [
        {"head": by_id[r.head]["token_end"], "child": by_id[r.child]["token_end"],
         "head_span": dict(by_id[r.head]), "child_span": dict(by_id[r.child]), "label": r.label}
        for r in paragraph.relations
    ]
    result = {key: value for key, value in task.items() if key not in ("spans", "relations", "answer")}
    result.update({"spans": sorted(spans, key=lambda s: s["start"]), "relations": relations, "answer": answer,
                   "_view_id": "relations", "_annotator_id": session, "_session_id": session,
                   "_timestamp": int(time.time())})
    result["meta"] = dict(task.get("meta", {}))
    result["meta"]["annotator"] = annotator
    return set_hashes(result)


def read_sheet(text: str, tasks: Sequence[Task], annotator: str, dataset: str,
               path: str = "sheet") -> Tuple[List[Task], List[str]]:
    """The db-out answers of an edited sheet, and every problem as `path:line: reason`.

    `tasks` are the exported tasks the sheet was written from; they supply tokens and meta. The
    session id is `<dataset>-<annotator>`, as Prodigy names the sessions of a named annotator.
    """
    by_hash = {task["_input_hash"]: task for task in tasks}
    session = f"{dataset}-{annotator}"
    answers: List[Task] = []
    problems: List[str] = []
    seen = set()
    for block in _blocks(text, path):
        task = by_hash.get(block.input_hash)
        if task is None:
            problems.append(f"{path}:{block.line}: block {block.number}: input_hash {block.input_hash} is not in "
                            "the exported tasks")
            continue
        if block.input_hash in seen:
            problems.append(f"{path}:{block.line}: block {block.number} appears twice")
            continue
        seen.add(block.input_hash)
        try:
            answers.append(_answer(block, task, annotator, session, path))
        except PersianIEError as err:
            problems.append(str(err))
    missing = [t for t in tasks if t["_input_hash"] not in seen]
    if missing:
        problems.append(f"{path}: {len(missing)} exported task(s) have no block (first: {missing[0]['text'][:40]!r})")
    return answers, problems


def write_review_sheet(first: Sequence[Task], second: Sequence[Task], title: str = "") -> Tuple[str, int]:
    """The adjudication sheet: the second pass's version of every paragraph, with the first pass's
    markup as a `# first pass:` comment where the two differ. Returns the sheet and how many differ.
    """
    first_by_hash = {task["_input_hash"]: task for task in first}
    lines = [f"# adjudication sheet: {title}".rstrip(),
             "# the second pass's version; '# first pass:' shows where the first pass differs", ""]
    differ = 0
    for number, task in enumerate(second):
        meta = task.get("meta", {})
        where = " ".join(f"{key}={meta[key]}" for key in ("doc_id", "paragraph") if key in meta)
        lines.append(f"## {number} input_hash={task['_input_hash']} {where}".rstrip())
        other = first_by_hash.get(task["_input_hash"])
        if other is not None and task_markup(other) != task_markup(task):
            differ += 1
            paragraph, relations = task_markup(other)
            lines.append(f"# first pass: {paragraph}")
            if relations:
                lines.append(f"# first pass: {relations}")
        paragraph, relations = task_markup(task)
        lines.append(paragraph)
        if relations:
            lines.append(relations)
        if task.get("answer", "accept") != "accept":
            lines.append(f"answer: {task['answer']}")
        lines.append("")
    return "\n".join(lines), differ


def as_review(answers: Sequence[Task], passes: Sequence[Sequence[Task]]) -> List[Task]:
    """Mark adjudicated answers the way Prodigy's `review` recipe does: `versions`, one per distinct answer
    of the passes, with the sessions that gave it and whether it is the accepted (default) one."""
    by_hash: Dict[int, List[Task]] = {}
    for tasks in passes:
        for task in tasks:
            by_hash.setdefault(task["_input_hash"], []).append(task)
    reviewed = []
    for answer in answers:
        versions: List[Dict[str, Any]] = []
        for version in by_hash.get(answer["_input_hash"], []):
            same = task_markup(version) == task_markup(answer) and version.get("answer") == answer.get("answer")
            for existing in versions:
                if existing["_markup"] == task_markup(version):
                    existing["sessions"].append(version.get("_session_id"))
                    break
            else:
                versions.append({"_markup": task_markup(version), "sessions": [version.get("_session_id")],
                                 "answer": version.get("answer"), "default": same})
        answer = dict(answer)
        answer["versions"] = [{k: v for k, v in version.items() if k != "_markup"} for version in versions]
        reviewed.append(answer)
    return reviewed
