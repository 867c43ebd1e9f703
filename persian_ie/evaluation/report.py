"""The evaluation report: Markdown and a self-contained HTML page with PNG plots (matplotlib).

It answers two questions for a team: is the model good enough (per-label scores beside the two
baselines, on the test split and on real news), and where to annotate next (the error types,
the worst errors, the learning curve, the threshold curves).
"""

import base64
import html
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..io.files import write_text_atomic  # noqa: E402
from ..schema import ENTITY_LABELS, RELATION_LABELS  # noqa: E402
from .error_analysis import ERROR_TYPES, MISSED_KINDS, RELATION_ERROR_TYPES, EntityError, RelationError  # noqa: E402

ANNOTATORS = ("pipeline", "rules", "crf")
SECTIONS = (("ner", "NER", ENTITY_LABELS),
            ("ner_unseen", "NER on spans whose surface never occurs in train", ENTITY_LABELS),
            ("rel_gold_ents", "Relations, gold entities", RELATION_LABELS),
            ("rel_end_to_end", "Relations, end to end", RELATION_LABELS))
SPLIT_TITLES = (("test", "Authored test split"), ("real_test", "Real news, test split"),
                ("real_dev", "Real news (Fars, realdev), raw text"), ("dev", "Dev split (authored and real)"))


def _result(metrics: Dict[str, Any], split: str, annotator: str, key: str) -> Optional[Dict[str, Any]]:
    block = metrics.get(split)
    if block is None:
        return None
    block = block if annotator == "pipeline" else block.get("baselines", {}).get(annotator)
    return None if block is None else block.get(key)


def score_table(metrics: Dict[str, Any], split: str, key: str, labels: Sequence[str]) -> List[List[str]]:
    """Rows: label, then P/R/F of each annotator (the pipeline first)."""
    rows = []
    for label in list(labels) + ["micro"]:
        row = [label]
        for annotator in ANNOTATORS:
            result = _result(metrics, split, annotator, key)
            if result is None:
                row += ["-", "-", "-"]
                continue
            values = result if label == "micro" else result["per_label"].get(label, {"p": 0, "r": 0, "f": 0})
            row += [f"{values['p']:.3f}", f"{values['r']:.3f}", f_with_interval(values)]
        rows.append(row)
    return rows


def f_with_interval(values: Dict[str, Any]) -> str:
    """F with its 95% bootstrap interval, so a small move on a small set is read as noise."""
    if "f_ci95" not in values:
        return f"{values['f']:.3f}"
    low, high = values["f_ci95"]
    return f"{values['f']:.3f} [{low:.2f}, {high:.2f}]"


OUTLET_HEADER = ["outlet", "paragraphs", "NER F", "relations F, gold entities", "relations F, end to end"]


def by_outlet_rows(metrics: Dict[str, Any]) -> List[List[Any]]:
    """One row per outlet of the real test split: which source the model is weakest on, and how sure that is."""
    outlets = metrics.get("real_test", {}).get("by_outlet", {})
    return [[outlet, block["paragraphs"], f_with_interval(block["ner"]), f_with_interval(block["rel_gold_ents"]),
             f_with_interval(block["rel_end_to_end"])] for outlet, block in outlets.items()]


SCORE_HEADER = ["label"] + [f"{a} {m}" for a in ANNOTATORS for m in ("P", "R", "F")]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], css: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def plot_learning_curve(points: List[Dict[str, Any]], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 4))
    x = [100 * p["fraction"] for p in points]
    ax.plot(x, [p["ner_f"] for p in points], marker="o", label="NER F (test)")
    ax.plot(x, [p["rel_end_to_end_f"] for p in points], marker="s", label="relations F, end to end (test)")
    ax.set_xlabel("% of training documents")
    ax.set_ylabel("F")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_thresholds(thresholds: Dict[str, Any], path: Path) -> Path:
    labels = list(thresholds.get("curves", {}))
    fig, axes = plt.subplots(1, max(len(labels), 1), figsize=(4 * max(len(labels), 1), 3.6), squeeze=False)
    for ax, label in zip(axes[0], labels):
        curve = thresholds["curves"][label]
        xs = [point["threshold"] for point in curve]
        ax.plot(xs, [point["p"] for point in curve], label="precision")
        ax.plot(xs, [point["r"] for point in curve], label="recall")
        ax.plot(xs, [point["f"] for point in curve], label="F", linestyle="--")
        chosen = thresholds["chosen"].get(label)
        if chosen is not None:
            ax.axvline(chosen, color="red", linewidth=1)
            ax.annotate(f"chosen {chosen:.2f}", (chosen, 0.05), color="red", fontsize=8)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("threshold")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_confusion(labels: Sequence[str], matrix: Sequence[Sequence[int]], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    top = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8,
                    color="white" if value > top / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _highlight(error: EntityError) -> str:
    """The paragraph with the predicted (or missed gold) span marked, escaped."""
    span = error.predicted or error.gold
    text = error.paragraph
    return (
        html.escape(text[: span[0]]) + f'<mark class="{html.escape(error.kind)}">' + html.escape(text[span[0]: span[1]])
        + "</mark>" + html.escape(text[span[1]:])
    )


def _highlight_relation(error: RelationError) -> str:
    """The paragraph with both ends of the link marked (`head`, `child`), escaped."""
    text, marked, last = error.paragraph, [], 0
    for (start, end), role in sorted([(error.head, "head"), (error.child, "child")]):
        marked += [html.escape(text[last:start]), f'<mark class="{role}">', html.escape(text[start:end]), "</mark>"]
        last = end
    return "".join(marked) + html.escape(text[last:])


def _relation_error_line(error: RelationError) -> str:
    """Kind, the two ends and, for a wrong link, the model's probability (a missed link has none above threshold)."""
    score = "" if error.kind in MISSED_KINDS else f" (score {error.score:.2f})"
    return f"{error.kind}: {error.head_text} -> {error.child_text}{score}"


def relation_error_rows(relation_analysis: Dict[str, Any]) -> List[List[Any]]:
    """Per label: the correct links, then the errors by kind."""
    return [[label, relation_analysis["correct"][label],
             *(relation_analysis["errors_by_type"][label][kind] for kind in RELATION_ERROR_TYPES)]
            for label in relation_analysis["labels"]]


def build_report(
    metrics: Dict[str, Any],
    analysis: Dict[str, Any],
    worst: Dict[str, List[EntityError]],
    corpus_stats: Dict[str, Any],
    thresholds: Optional[Dict[str, Any]],
    learning_points: Optional[List[Dict[str, Any]]],
    output_dir: Path,
    real_points: Optional[List[Dict[str, Any]]] = None,
    relation_analysis: Optional[Dict[str, Any]] = None,
    worst_relations: Optional[Dict[str, List[RelationError]]] = None,
    split_name: str = "test split",
) -> Dict[str, Path]:
    """Write report.md, report.html and the PNG plots into `output_dir`.

    The error analysis (`analysis`, `worst`, `relation_analysis`, `worst_relations`) is of one split, named by
    `split_name`: the real test split, where the model meets the text users bring."""
    output_dir.mkdir(parents=True, exist_ok=True)
    images: Dict[str, Path] = {}
    images["confusion"] = plot_confusion(analysis["labels"], analysis["matrix"], output_dir / "confusion.png")
    if thresholds:
        images["thresholds"] = plot_thresholds(thresholds, output_dir / "thresholds.png")
    if learning_points:
        images["learning_curve"] = plot_learning_curve(learning_points, output_dir / "learning_curve.png")
    model = metrics.get("model", {})
    md: List[str] = [
        "# Evaluation report",
        "",
        f"Model `{model.get('name')}` {model.get('version')} (config {model.get('config_hash')}), "
        f"evaluated {metrics.get('date')} with spaCy {metrics.get('spacy_version')}.",
        "",
    ]
    body: List[str] = [
        "<h1>Evaluation report</h1>",
        f"<p>Model <code>{html.escape(str(model.get('name')))}</code> {html.escape(str(model.get('version')))} "
        f"(config {html.escape(str(model.get('config_hash')))}), evaluated {html.escape(str(metrics.get('date')))} "
        f"with spaCy {html.escape(str(metrics.get('spacy_version')))}.</p>",
    ]
    md += ["F is followed by its 95% bootstrap interval (paragraphs resampled 1,000 times).", ""]
    for split, title in SPLIT_TITLES:
        if split not in metrics:
            continue
        md += [f"## {title}", ""]
        body.append(f"<h2>{html.escape(title)}</h2>")
        for key, name, labels in SECTIONS:
            if _result(metrics, split, "pipeline", key) is None:
                continue
            rows = score_table(metrics, split, key, labels)
            md += [f"### {name}", "", markdown_table(SCORE_HEADER, rows), ""]
            body += [f"<h3>{html.escape(name)}</h3>", html_table(SCORE_HEADER, rows, f"scores {split} {key}")]
    outlet_rows = by_outlet_rows(metrics)
    if outlet_rows:
        md += ["## Real news, test split, by outlet", "", markdown_table(OUTLET_HEADER, outlet_rows), ""]
        body += ["<h2>Real news, test split, by outlet</h2>", html_table(OUTLET_HEADER, outlet_rows, "outlets")]
    md += [f"## Entity errors on the {split_name}", "",
           "Boundary errors have the right label and the wrong extent; label errors the right extent and the "
           "wrong label.", ""]
    error_rows = [[label] + [analysis["errors_by_type"][label][k] for k in ERROR_TYPES] for label in ENTITY_LABELS]
    md += [markdown_table(["label", *ERROR_TYPES], error_rows), "", "![confusion matrix](confusion.png)", ""]
    body += [f"<h2>Entity errors on the {html.escape(split_name)}</h2>",
             html_table(["label", *ERROR_TYPES], error_rows, "errors"),
             f'<img alt="confusion matrix" src="{_png_data_uri(images["confusion"])}">']
    if relation_analysis is not None:
        header = ["label", "correct", *RELATION_ERROR_TYPES]
        rows = relation_error_rows(relation_analysis)
        title = f"Relation errors on the {split_name}, between the gold entities"
        note = ("The relation model alone: links predicted between the gold entities, as rel_gold_ents scores "
                "them. A person is affiliated with one body, a figure is one body's own, a status one cluster's: "
                "a wrong link is *wrong partner* when that end has a gold link of the label to another entity, "
                "else *spurious*; a missed link is *outside window* when the candidates never propose its pair, "
                "*partner taken* when that end was linked wrongly instead, else *missed*.")
        table = markdown_table(header, rows) if rows else "No relations, gold or predicted, in this split."
        md += [f"## {title}", "", note, "", table, ""]
        body += [f"<h2>{html.escape(title)}</h2>", f"<p>{html.escape(note.replace('*', ''))}</p>",
                 html_table(header, rows, "relation-errors") if rows else f"<p>{html.escape(table)}</p>"]
    if thresholds:
        rows = [[label, f"{value:.2f}"] for label, value in thresholds["chosen"].items()]
        md += ["## Relation thresholds (chosen on dev, end to end)", "", markdown_table(["label", "threshold"], rows),
               "", "![precision and recall over thresholds](thresholds.png)", ""]
        body += ["<h2>Relation thresholds (chosen on dev, end to end)</h2>",
                 html_table(["label", "threshold"], rows, "thresholds"),
                 f'<img alt="precision and recall over thresholds" src="{_png_data_uri(images["thresholds"])}">']
    if learning_points:
        rows = [[f"{100 * p['fraction']:.0f}%", p["documents"], p["paragraphs"], f"{p['ner_f']:.3f}",
                 f"{p['rel_end_to_end_f']:.3f}"] for p in learning_points]
        header = ["training share", "documents", "paragraphs", "NER F (test)", "relations F end to end (test)"]
        md += ["## Learning curve", "", markdown_table(header, rows), "", "![learning curve](learning_curve.png)", ""]
        body += ["<h2>Learning curve</h2>", html_table(header, rows, "learning"),
                 f'<img alt="learning curve" src="{_png_data_uri(images["learning_curve"])}">']
    if real_points:
        header = ["real paragraphs in train", "real_dev NER F", "real_dev relations F", "real_test NER F",
                  "real_test relations F", "test NER F"]
        rows = [[p["real_paragraphs"], *(f"{p[key]:.3f}" for key in ("real_dev_ner_f", "real_dev_rel_f",
                                                                     "real_test_ner_f", "real_test_rel_f",
                                                                     "test_ner_f"))] for p in real_points]
        md += ["## Learning curve by real data (the authored corpus always included)", "",
               markdown_table(header, rows), ""]
        body += ["<h2>Learning curve by real data (the authored corpus always included)</h2>",
                 html_table(header, rows, "learning-real")]
    md += [f"## Worst errors on the {split_name}", ""]
    body.append(f"<h2>Worst errors on the {html.escape(split_name)}</h2>")
    for label in ENTITY_LABELS:
        items = worst.get(label, [])
        if not items:
            continue
        md += [f"### {label}", ""]
        body.append(f"<h3>{label}</h3><ol class=\"worst\">")
        for error in items:
            md.append(f"- **{error.kind}** `{error.text}` (score {error.score:.2f}): {error.paragraph}")
            body.append(f'<li><b>{html.escape(error.kind)}</b> (score {error.score:.2f}) '
                        f'<p dir="rtl" lang="fa">{_highlight(error)}</p></li>')
        md.append("")
        body.append("</ol>")
    if worst_relations:
        md += [f"## Worst relation errors on the {split_name}", "",
               "The most confident wrong links of each label, then missed ones.", ""]
        body += [f"<h2>Worst relation errors on the {html.escape(split_name)}</h2>",
                 "<p>The most confident wrong links of each label, then missed ones.</p>"]
    for label, items in (worst_relations or {}).items():
        if not items:
            continue
        md += [f"### {label}", ""]
        body.append(f"<h3>{label}</h3><ol class=\"worst\">")
        for error in items:
            md.append(f"- {_relation_error_line(error)}: {error.paragraph}")
            body.append(f'<li><b>{html.escape(_relation_error_line(error))}</b> '
                        f'<p dir="rtl" lang="fa">{_highlight_relation(error)}</p></li>')
        md.append("")
        body.append("</ol>")
    md += ["## Data", "", markdown_table(["split", "documents", "paragraphs"],
                                          [[s, corpus_stats["documents"][s], corpus_stats["paragraphs"][s]]
                                           for s in corpus_stats["documents"]]), ""]
    label_rows = [[label] + [corpus_stats["entities"][s][label] for s in corpus_stats["entities"]]
                  for label in ENTITY_LABELS]
    label_rows += [[label] + [corpus_stats["relations"][s][label] for s in corpus_stats["relations"]]
                   for label in RELATION_LABELS]
    md += [markdown_table(["label", *corpus_stats["entities"]], label_rows), ""]
    body += ["<h2>Data</h2>", html_table(["label", *corpus_stats["entities"]], label_rows, "data")]
    style = ("body{font-family:Tahoma,'DejaVu Sans',sans-serif;margin:2rem;max-width:70rem}"
             "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;"
             "text-align:right}mark.missed{background:#fdd}mark{background:#ffe08a}mark.head{background:#cde6ff}"
             "mark.child{background:#d7f5d0}img{max-width:100%}")
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>'
            f"<style>{style}</style></head><body>" + "\n".join(body) + "</body></html>\n")
    write_text_atomic(output_dir / "report.md", "\n".join(md))
    write_text_atomic(output_dir / "report.html", page)
    return {"md": output_dir / "report.md", "html": output_dir / "report.html", **images}
