"""Prodigy tasks -> spaCy Docs (entities and `doc._.relations`) -> `.spacy` files per split."""

from pathlib import Path
from typing import Any, Dict, Iterable, List

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from ..io.files import write_bytes_atomic
from ..io.prodigy import Task, doc_from_task
from ..pipeline.relations import Relation, set_relations
from .build import ORIGIN_REAL

# where a converted Doc keeps its task's meta
DOC_META_KEY = "meta"
UNKNOWN_OUTLET = "unknown"


def task_to_doc(vocab: Vocab, task: Task) -> Doc:
    """A Doc with the task's tokens, its spans as entities and its relations (score 1.0)."""
    doc = doc_from_task(vocab, task)
    doc.ents = [Span(doc, s["token_start"], s["token_end"] + 1, label=s["label"]) for s in task.get("spans", [])]
    relations = []
    for rel in task.get("relations", []):
        head, child = rel["head_span"], rel["child_span"]
        relations.append(
            Relation(head["token_start"], head["token_end"] + 1, child["token_start"], child["token_end"] + 1,
                     rel["label"], 1.0)
        )
    set_relations(doc, relations)
    doc.user_data[DOC_META_KEY] = dict(task.get("meta", {}))
    return doc


def doc_meta(doc: Doc) -> Dict[str, Any]:
    """The task meta a converted paragraph carries (origin, doc_id, outlet, ...); empty for other docs."""
    return doc.user_data.get(DOC_META_KEY, {})


def doc_outlet(doc: Doc) -> str:
    """The outlet a converted paragraph came from (`meta.outlet` of real news; authored text has none)."""
    return doc_meta(doc).get("outlet") or UNKNOWN_OUTLET


EVAL_SETS = ("train", "dev", "test", "real_test")


def eval_set(task: Task) -> str:
    """Which .spacy file a task goes to.

    `train` and `dev` hold authored and real paragraphs alike, so the checkpoint and the relation
    thresholds are chosen on real text too. The authored test split stays `test` (comparable with
    earlier rounds) and the real test split is `real_test`.
    """
    meta = task.get("meta", {})
    split = meta.get("split", "train")
    if split == "test" and meta.get("origin") == ORIGIN_REAL:
        return "real_test"
    return split


def split_docs(vocab: Vocab, tasks: Iterable[Task], accepted_only: bool = True) -> Dict[str, List[Doc]]:
    """Docs per evaluation set (see `eval_set`); rejected and ignored tasks are left out."""
    docs: Dict[str, List[Doc]] = {name: [] for name in EVAL_SETS}
    for task in tasks:
        if accepted_only and task.get("answer", "accept") != "accept":
            continue
        docs[eval_set(task)].append(task_to_doc(vocab, task))
    return docs


def write_docbin(docs: Iterable[Doc], path: Path) -> int:
    """Write docs as a .spacy file through a temporary file and a rename."""
    docbin = DocBin(store_user_data=True)
    count = 0
    for doc in docs:
        docbin.add(doc)
        count += 1
    write_bytes_atomic(path, docbin.to_bytes())
    return count


def read_docbin(path: Path, vocab: Vocab) -> List[Doc]:
    return list(DocBin().from_disk(path).get_docs(vocab))
