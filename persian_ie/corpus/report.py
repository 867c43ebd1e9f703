"""The corpus report: what the corpus holds, and the inconsistencies an annotator should look at."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

from ..prodigy_io import Task
from ..schema import ENTITY_LABELS, RELATION_LABELS
from .build import SPLITS

MAX_NGRAM = 8


@dataclass
class CorpusStats:
    documents: Dict[str, int] = field(default_factory=dict)
    paragraphs: Dict[str, int] = field(default_factory=dict)
    entities: Dict[str, Dict[str, int]] = field(default_factory=dict)
    relations: Dict[str, Dict[str, int]] = field(default_factory=dict)


def corpus_stats(tasks: List[Task]) -> CorpusStats:
    """Documents, paragraphs, entity and relation counts per split."""
    stats = CorpusStats()
    docs: Dict[str, set] = defaultdict(set)
    for split in SPLITS:
        stats.paragraphs[split] = 0
        stats.entities[split] = {label: 0 for label in ENTITY_LABELS}
        stats.relations[split] = {label: 0 for label in RELATION_LABELS}
    for task in tasks:
        split = task.get("meta", {}).get("split", "train")
        docs[split].add(task.get("meta", {}).get("doc_id"))
        stats.paragraphs[split] += 1
        for span in task.get("spans", []):
            stats.entities[split][span["label"]] += 1
        for rel in task.get("relations", []):
            stats.relations[split][rel["label"]] += 1
    stats.documents = {split: len(docs[split]) for split in SPLITS}
    return stats


def _token_key(task: Task, start: int, end: int) -> Tuple[str, ...]:
    return tuple(t["text"] for t in task["tokens"][start : end + 1])


def label_conflicts(tasks: List[Task]) -> List[Tuple[str, Dict[str, int]]]:
    """Surface strings annotated with more than one label."""
    labels: Dict[Tuple[str, ...], Counter] = defaultdict(Counter)
    for task in tasks:
        for span in task.get("spans", []):
            labels[_token_key(task, span["token_start"], span["token_end"])][span["label"]] += 1
    return sorted(
        ((" ".join(key), dict(counter)) for key, counter in labels.items() if len(counter) > 1),
        key=lambda item: -sum(item[1].values()),
    )


def missed_mentions(tasks: List[Task]) -> List[Tuple[str, str, int, int, List[str]]]:
    """Surfaces annotated somewhere but left unannotated elsewhere (not inside any other span).

    Returns (surface, majority label, annotated count, unannotated count, example doc ids).
    """
    annotated: Dict[Tuple[str, ...], Counter] = defaultdict(Counter)
    for task in tasks:
        for span in task.get("spans", []):
            annotated[_token_key(task, span["token_start"], span["token_end"])][span["label"]] += 1
    missed: Counter = Counter()
    examples: Dict[Tuple[str, ...], List[str]] = defaultdict(list)
    for task in tasks:
        words = [t["text"] for t in task["tokens"]]
        covered = set()
        for span in task.get("spans", []):
            covered.update(range(span["token_start"], span["token_end"] + 1))
        for n in range(1, MAX_NGRAM + 1):
            for i in range(len(words) - n + 1):
                key = tuple(words[i : i + n])
                if key in annotated and not covered.intersection(range(i, i + n)):
                    missed[key] += 1
                    doc_id = str(task.get("meta", {}).get("doc_id"))
                    if len(examples[key]) < 3 and doc_id not in examples[key]:
                        examples[key].append(doc_id)
    rows = []
    for key, count in missed.items():
        label, n_annotated = annotated[key].most_common(1)[0]
        rows.append((" ".join(key), label, sum(annotated[key].values()), count, examples[key]))
    return sorted(rows, key=lambda row: (-row[3], row[0]))


def render_report(tasks: List[Task], max_rows: int = 60) -> str:
    """The Markdown report."""
    stats = corpus_stats(tasks)
    lines = ["# Corpus report", ""]
    lines += ["## Size", "", "| split | documents | paragraphs |", "|---|---|---|"]
    for split in SPLITS:
        lines.append(f"| {split} | {stats.documents[split]} | {stats.paragraphs[split]} |")
    lines.append(
        f"| all | {sum(stats.documents.values())} | {sum(stats.paragraphs.values())} |"
    )
    for title, table, labels in (
        ("Entities", stats.entities, ENTITY_LABELS),
        ("Relations", stats.relations, RELATION_LABELS),
    ):
        lines += ["", f"## {title} per split", "", "| label | " + " | ".join(SPLITS) + " | all |"]
        lines.append("|---" * (len(SPLITS) + 2) + "|")
        for label in labels:
            counts = [table[split][label] for split in SPLITS]
            lines.append(f"| {label} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    conflicts = label_conflicts(tasks)
    lines += ["", "## Same surface, different labels", ""]
    if conflicts:
        lines += ["| surface | labels |", "|---|---|"]
        for surface, labels_count in conflicts[:max_rows]:
            lines.append(f"| {surface} | " + ", ".join(f"{k} {v}" for k, v in sorted(labels_count.items())) + " |")
    else:
        lines.append("None.")
    missed = missed_mentions(tasks)
    lines += [
        "",
        "## Annotated in one place, not in another",
        "",
        "Occurrences of an annotated surface that carry no annotation and are not inside another span.",
        "Some are correct (a generic mention, a sector not presented as a cluster); each deserves a look.",
        "",
    ]
    if missed:
        lines += ["| surface | label | annotated | unannotated | e.g. in |", "|---|---|---|---|---|"]
        for surface, label, n_annotated, n_missed, docs in missed[:max_rows]:
            lines.append(f"| {surface} | {label} | {n_annotated} | {n_missed} | {', '.join(docs)} |")
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
