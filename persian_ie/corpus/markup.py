"""The corpus authoring format: inline `[text](LABEL:id)` markup turned into raw-text offsets.

Annotators write documents with inline markup because it is quick to read and to diff; the build
step turns each paragraph into raw text plus character offsets, and the Prodigy JSONL built from
it is the source of truth. The format is described in `corpus/GUIDELINES.md`, section 6.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..errors import PersianIEError
from ..schema import ALLOWED_PAIRS, ENTITY_LABELS, RELATION_LABELS

ENTITY_RE = re.compile(r"\[([^\[\]\n]+)\]\(([A-Z_]+)(?::([A-Za-z0-9]+))?\)")
RELATION_RE = re.compile(r"^\s*([A-Za-z0-9]+)\s+([A-Z_]+)\s+([A-Za-z0-9]+)\s*$")
HEADER_RE = re.compile(r"^#\s*([a-z_]+)\s*:\s*(.*?)\s*$")
# a bracket of the text itself is written `\[` / `\]`; parsing holds it as a private-use character
_ESCAPED = {"\\[": "\ue000", "\\]": "\ue001"}
_UNESCAPE = str.maketrans({"\ue000": "[", "\ue001": "]"})


def escape_brackets(text: str) -> str:
    """Text as markup writes it: its own square brackets escaped, so they are not read as spans."""
    return text.replace("[", "\\[").replace("]", "\\]")


@dataclass
class MarkedSpan:
    start: int
    end: int
    label: str
    id: Optional[str] = None


@dataclass
class MarkedRelation:
    head: str
    label: str
    child: str


@dataclass
class MarkedParagraph:
    text: str
    spans: List[MarkedSpan] = field(default_factory=list)
    relations: List[MarkedRelation] = field(default_factory=list)
    line: int = 0

    def span_by_id(self) -> Dict[str, MarkedSpan]:
        return {span.id: span for span in self.spans if span.id is not None}


@dataclass
class MarkedDocument:
    doc_id: str
    header: Dict[str, str]
    paragraphs: List[MarkedParagraph]
    path: str = ""

    @property
    def raw_text(self) -> str:
        """The raw article: paragraphs separated by one blank line."""
        return "\n\n".join(p.text for p in self.paragraphs) + "\n"


def parse_paragraph(line: str, path: str = "", lineno: int = 0) -> MarkedParagraph:
    """Strip the inline markup of one paragraph line and record its spans in raw offsets."""
    pieces: List[str] = []
    spans: List[MarkedSpan] = []
    position = 0
    length = 0
    for escaped, placeholder in _ESCAPED.items():
        line = line.replace(escaped, placeholder)
    for match in ENTITY_RE.finditer(line):
        before = line[position : match.start()]
        pieces.append(before)
        length += len(before)
        surface, label, span_id = match.group(1), match.group(2), match.group(3)
        if label not in ENTITY_LABELS:
            raise PersianIEError(
                f"unknown entity label {label!r} (expected one of {', '.join(ENTITY_LABELS)})",
                path,
                lineno,
            )
        if surface != surface.strip():
            raise PersianIEError(f"span [{surface}] starts or ends with a space", path, lineno)
        spans.append(MarkedSpan(length, length + len(surface), label, span_id))
        pieces.append(surface)
        length += len(surface)
        position = match.end()
    pieces.append(line[position:])
    text = "".join(pieces)
    if "[" in text or "]" in text:
        raise PersianIEError(
            "unbalanced or malformed markup: a '[' or ']' is left after parsing "
            "(write a bracket of the text itself as \\[ or \\])", path, lineno
        )
    text = text.translate(_UNESCAPE)
    ids = [span.id for span in spans if span.id is not None]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PersianIEError(f"span id used twice in a paragraph: {duplicates}", path, lineno)
    return MarkedParagraph(text=text, spans=spans, line=lineno)


def parse_relations(
    line: str, paragraph: MarkedParagraph, path: str = "", lineno: int = 0
) -> List[MarkedRelation]:
    """Parse a `>> head REL child; ...` line against the spans of its paragraph."""
    by_id = paragraph.span_by_id()
    relations = []
    for chunk in line.lstrip()[2:].split(";"):
        if not chunk.strip():
            continue
        match = RELATION_RE.match(chunk)
        if not match:
            raise PersianIEError(
                f"malformed relation {chunk.strip()!r}: expected 'head RELATION child'", path, lineno
            )
        head, label, child = match.groups()
        if label not in RELATION_LABELS:
            raise PersianIEError(
                f"unknown relation {label!r} (expected one of {', '.join(RELATION_LABELS)})",
                path,
                lineno,
            )
        for end in (head, child):
            if end not in by_id:
                raise PersianIEError(f"relation end {end!r} is not a span id in its paragraph", path, lineno)
        pair = (by_id[head].label, by_id[child].label)
        if pair not in ALLOWED_PAIRS[label]:
            raise PersianIEError(
                f"{label} cannot join {pair[0]} -> {pair[1]} ({head} -> {child})", path, lineno
            )
        relations.append(MarkedRelation(head, label, child))
    return relations


def parse_document(text: str, path: str = "") -> MarkedDocument:
    """Parse one authored document: `#` header lines, then paragraphs separated by blank lines."""
    header: Dict[str, str] = {}
    paragraphs: List[MarkedParagraph] = []
    current: Optional[MarkedParagraph] = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            current = None
            continue
        header_match = HEADER_RE.match(line)
        if header_match and not paragraphs:
            header[header_match.group(1)] = header_match.group(2)
            continue
        if line.lstrip().startswith(">>"):
            if current is None:
                raise PersianIEError("a '>>' relation line must follow its paragraph", path, lineno)
            current.relations.extend(parse_relations(line, current, path, lineno))
            continue
        if current is not None:
            raise PersianIEError(
                "a paragraph must be one line; separate paragraphs with a blank line", path, lineno
            )
        current = parse_paragraph(line, path, lineno)
        paragraphs.append(current)
    if "doc_id" not in header:
        raise PersianIEError("missing '# doc_id: ...' header", path, 1)
    if path and Path(path).stem != header["doc_id"]:
        raise PersianIEError(
            f"doc_id {header['doc_id']!r} does not match the file name {Path(path).name!r}", path, 1
        )
    if not paragraphs:
        raise PersianIEError("the document has no paragraphs", path, 1)
    return MarkedDocument(header["doc_id"], header, paragraphs, path)


def read_document(path: Path) -> MarkedDocument:
    """Read and parse an authored document file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise PersianIEError(f"not UTF-8: {err.reason}", str(path), offset=err.start) from None
    except OSError as err:
        raise PersianIEError(f"cannot read: {err.strerror}", str(path)) from None
    return parse_document(text, str(path))


def count_labels(documents: List[MarkedDocument]) -> Tuple[Dict[str, int], Dict[str, int]]:
    """Entity and relation label counts over documents."""
    entities = {label: 0 for label in ENTITY_LABELS}
    relations = {label: 0 for label in RELATION_LABELS}
    for doc in documents:
        for paragraph in doc.paragraphs:
            for span in paragraph.spans:
                entities[span.label] += 1
            for rel in paragraph.relations:
                relations[rel.label] += 1
    return entities, relations
