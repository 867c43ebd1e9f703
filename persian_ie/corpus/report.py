"""The corpus report: what the corpus holds, and the inconsistencies an annotator should look at."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ..io.prodigy import Task
from ..schema import ALLOWED_PAIRS, ENTITY_LABELS, RELATION_LABELS
from .build import SPLITS
from .review_changes import RELATION_CHANGES, SPAN_CHANGES, BatchAudit, BlindSample, pooled_agreement, round_agreement

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


def frame_inconsistencies(tasks: List[Task], label: str = "STATUS") -> List[Tuple[str, int, int, str]]:
    """Surfaces of `label` annotated in one place and left bare in another with the same neighbouring words.

    Returns (frame, annotated count, bare count, example doc id). The same words between the same
    neighbours are the same decision, so both counts above zero is an inconsistency to fix.
    """
    annotated: Counter = Counter()
    surfaces = set()
    for task in tasks:
        words = [t["text"] for t in task["tokens"]]
        for span in task.get("spans", []):
            if span["label"] == label:
                key = tuple(words[span["token_start"] : span["token_end"] + 1])
                surfaces.add(key)
                after = words[span["token_end"] + 1] if span["token_end"] + 1 < len(words) else ""
                annotated[(words[span["token_start"] - 1] if span["token_start"] else "", key, after)] += 1
    bare: Counter = Counter()
    example: Dict[Tuple, str] = {}
    for task in tasks:
        words = [t["text"] for t in task["tokens"]]
        covered = {i for s in task.get("spans", []) for i in range(s["token_start"], s["token_end"] + 1)}
        for key in surfaces:
            n = len(key)
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) == key and not covered.intersection(range(i, i + n)):
                    frame = (words[i - 1] if i else "", key, words[i + n] if i + n < len(words) else "")
                    if frame in annotated:
                        bare[frame] += 1
                        example.setdefault(frame, str(task.get("meta", {}).get("doc_id")))
    return sorted(((f"{f[0]} [{' '.join(f[1])}] {f[2]}".strip(), annotated[f], n, example[f]) for f, n in bare.items()),
                  key=lambda row: (-row[2], row[0]))


def relation_frame_inconsistencies(tasks: List[Task], relation: str = "HAS_QUANTITY",
                                   max_gap: int = 6) -> List[Tuple[str, int, int, str]]:
    """Head -> child pairs with the same words between them (and after the child), linked in one place, not another.

    Returns (frame, linked count, unlinked count, example doc id of an unlinked pair).
    """
    pairs = ALLOWED_PAIRS[relation]
    linked: Counter = Counter()
    unlinked: Counter = Counter()
    example: Dict[Tuple, str] = {}
    for task in tasks:
        words = [t["text"] for t in task["tokens"]]
        spans = sorted(task.get("spans", []), key=lambda s: s["token_start"])
        links = {(r["head_span"]["start"], r["child_span"]["start"]) for r in task.get("relations", [])
                 if r["label"] == relation}
        owned = {child for _, child in links}  # a quantity linked to one head belongs to no other
        for head in spans:
            for child in spans:
                if (head["label"], child["label"]) not in pairs or child["token_start"] <= head["token_end"]:
                    continue
                between = words[head["token_end"] + 1 : child["token_start"]]
                if len(between) > max_gap:
                    continue
                after = words[child["token_end"] + 1] if child["token_end"] + 1 < len(words) else ""
                frame = (head["label"], tuple(between), after)
                if (head["start"], child["start"]) in links:
                    linked[frame] += 1
                elif child["start"] not in owned:
                    unlinked[frame] += 1
                    example.setdefault(frame, str(task.get("meta", {}).get("doc_id")))
    rows = [(f"{f[0]} … {' '.join(f[1])} … QUANTITY {f[2]}", linked[f], unlinked[f], example[f])
            for f in unlinked if linked[f]]
    return sorted(rows, key=lambda row: (-min(row[1], row[2]), row[0]))


def origin_table(tasks: List[Task]) -> List[str]:
    """Paragraphs per split and origin, and the share of real paragraphs without any entity."""
    counts: Counter = Counter()
    empty: Counter = Counter()
    for task in tasks:
        meta = task.get("meta", {})
        key = (meta.get("origin", "authored"), meta.get("split", "train"))
        counts[key] += 1
        empty[key] += not task.get("spans")
    lines = ["", "## Origin", "", "| origin | " + " | ".join(SPLITS) + " | all | without entities |",
             "|---" * (len(SPLITS) + 3) + "|"]
    for origin in sorted({key[0] for key in counts}):
        row = [counts[(origin, split)] for split in SPLITS]
        bare = sum(empty[(origin, split)] for split in SPLITS)
        share = bare / max(sum(row), 1)
        lines.append(f"| {origin} | " + " | ".join(map(str, row)) + f" | {sum(row)} | {bare} ({share:.0%}) |")
    return lines


def blind_table(samples: Sequence[BlindSample]) -> List[str]:
    """Agreement of each blind independent annotation with the resolved corpus, per label."""
    lines = ["", "## Blind agreement: an independent annotator against the resolved corpus"]
    for sample in samples:
        lines += ["", f"`{sample.name}/`: {sample.description} A third annotator corrected the pre-annotation "
                  "without seeing either pass. F1 per label, exact spans; `both` / only resolved / only blind.", "",
                  "| label | F1 | both | only resolved | only blind |", "|---|---|---|---|---|"]
        for label, row in sample.scores.items():
            if row["both"] + row["only_first"] + row["only_second"]:
                counts = f"{row['both']} | {row['only_first']} | {row['only_second']}"
                lines.append(f"| {label} | {row['f1']:.2f} | {counts} |")
    return lines


def review_tables(audits: List[BatchAudit], rounds: Optional[Dict[str, Set[int]]] = None) -> List[str]:
    """Per batch and label, what review changed against the pre-annotation; and first/second pass agreement,
    per batch, pooled per round (`rounds`: name -> batch numbers) and pooled over all batches."""
    lines = ["", "## Review rounds: what review changed against the pre-annotation", "",
             "Spans: kept / added / removed / relabelled / rebounded. Relations: kept / added / removed. The model",
             "scores about 0.8 on real text, so an honest review changes a fifth or more of the spans; a batch",
             "far below that needs a second look. A re-review batch (`export-rereview`) starts from the corpus,",
             "not the model: its spans barely move, and the share of the re-decided relation's links it changed",
             "is shown.", ""]
    lines += ["| batch | paragraphs | " + " | ".join(ENTITY_LABELS) + " | relations | spans changed |",
              "|---" * (len(ENTITY_LABELS) + 4) + "|"]
    for audit in audits:
        if audit.changes is None:
            lines.append(f"| {audit.name} | not resolved yet |" + " |" * (len(ENTITY_LABELS) + 2))
            continue
        cells = ["/".join(str(audit.changes.spans.get(label, Counter())[c]) for c in SPAN_CHANGES)
                 for label in ENTITY_LABELS]
        rel = Counter()
        for counter in audit.changes.relations.values():
            rel.update(counter)
        relations = "/".join(str(rel[c]) for c in RELATION_CHANGES)
        if audit.changes.rereview:
            # the corpus, not the model, was the pre-annotation: only the re-decided relation is expected to move
            changed = (f"{audit.changes.changed_share:.0%}; re-review of {audit.changes.rereview}: "
                       f"{audit.changes.rereview_share:.0%} of its links changed")
        else:
            flag = " (look again)" if audit.changes.changed_share < 0.2 else ""
            changed = f"{audit.changes.changed_share:.0%}{flag}"
        lines.append(f"| {audit.name} | {audit.changes.paragraphs} | " + " | ".join(cells) +
                     f" | {relations} | {changed} |")
    labels = list(ENTITY_LABELS + RELATION_LABELS)
    lines += ["", "## Agreement between the first and the second pass (F1 per label, exact spans)", "",
              "| batch | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    rows = [(audit.name, audit.agreement) for audit in audits if audit.agreement]
    if rows:
        pooled = pooled_agreement(scores for _, scores in rows)
        rows += [(f"round: {name}, pooled", scores) for name, scores in round_agreement(audits, rounds or {})]
        rows.append(("**all batches, pooled**", pooled))
    for name, scores in rows:
        lines.append(f"| {name} | " + " | ".join(
            f"{scores[label]['f1']:.2f}" if scores[label]["both"] + scores[label]["only_first"]
            + scores[label]["only_second"] else "–" for label in labels) + " |")
    return lines


def render_report(tasks: List[Task], max_rows: int = 60, audits: Optional[List[BatchAudit]] = None,
                  blind: Sequence[BlindSample] = (),
                  rounds: Optional[Dict[str, Set[int]]] = None) -> str:
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
    lines += origin_table(tasks)
    if audits:
        lines += review_tables(audits, rounds)
    if blind:
        lines += blind_table(blind)
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
    lines += ["", "## Same STATUS words, same neighbours, annotated in one place and not another", ""]
    frames = frame_inconsistencies(tasks)
    if frames:
        lines += ["| frame | annotated | bare | e.g. bare in |", "|---|---|---|---|"]
        lines += [f"| {frame} | {a} | {b} | {doc} |" for frame, a, b, doc in frames[:max_rows]]
    else:
        lines.append("None.")
    lines += ["", "## HAS_QUANTITY drawn in one place and not in the same frame in another", "",
              "Pairs with the same words between head and quantity; a frame that is linked in some places and",
              "not in others is either a missed relation or a wrong one.", ""]
    rel_frames = relation_frame_inconsistencies(tasks)
    if rel_frames:
        lines += ["| frame | linked | not linked | e.g. not linked in |", "|---|---|---|---|"]
        lines += [f"| {frame} | {a} | {b} | {doc} |" for frame, a, b, doc in rel_frames[:max_rows]]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
