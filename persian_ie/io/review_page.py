"""Static review pages for annotators without Prodigy: one self-contained, right-to-left HTML file.

Each paragraph shows its entities highlighted in displaCy's style and a table of its relations
with scores; items under the confidence mark are flagged. All text is escaped, so a paragraph
that contains `<script>` shows as text.
"""

import html
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional

from spacy.displacy.render import EntityRenderer

from ..schema import ENTITY_LABELS
from .prodigy import task_confidence

LOW_CONFIDENCE = 0.6
MAX_TASKS = 2000
COLORS = {
    "ORG": "#7aecec",
    "PERSON": "#aa9cfc",
    "CLUSTER": "#bfeeb7",
    "QUANTITY": "#feca74",
    "STATUS": "#ff9561",
}

STYLE = """
body { font-family: Vazirmatn, Tahoma, "DejaVu Sans", sans-serif; margin: 2rem; background: #fafafa; }
h1 { font-size: 1.4rem; } .summary { color: #555; margin-bottom: 1.5rem; }
.task { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 1rem; margin-bottom: 1.2rem; }
.task .meta { direction: ltr; text-align: left; color: #777; font-size: 0.8rem; margin-bottom: 0.5rem; }
table.relations { border-collapse: collapse; margin-top: 0.6rem; font-size: 0.95rem; }
table.relations td, table.relations th { border: 1px solid #e3e3e3; padding: 0.25rem 0.6rem; }
.low { outline: 2px dashed #d33; } tr.low td { background: #fff0f0; }
.score { direction: ltr; unicode-bidi: embed; font-family: monospace; }
.legend span { padding: 0.1rem 0.5rem; border-radius: 4px; margin-left: 0.4rem; }
"""


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _entities_html(task: Dict[str, Any]) -> str:
    ents = [
        {
            "start": span["start"],
            "end": span["end"],
            "label": span["label"] + (" ?" if span.get("score", 1.0) < LOW_CONFIDENCE else ""),
        }
        for span in task.get("spans", [])
    ]
    ents.sort(key=lambda ent: (ent["start"], ent["end"]))
    data = {"text": task["text"], "ents": ents, "title": None, "settings": {"lang": "fa", "direction": "rtl"}}
    return _entity_renderer().render([data], page=False, minify=False).strip()


@lru_cache(maxsize=1)
def _entity_renderer() -> EntityRenderer:
    """One displaCy renderer for every paragraph: `displacy.render` builds a new one per call, and each
    reads the colour registry through package entry points (about a millisecond)."""
    colors = dict(COLORS)
    colors.update({f"{label} ?": color for label, color in COLORS.items()})
    return EntityRenderer(options={"colors": colors})


def _relations_html(task: Dict[str, Any]) -> str:
    relations = task.get("relations", [])
    if not relations:
        return '<p class="norel">بدون رابطه</p>'
    text = task["text"]
    rows = []
    for rel in relations:
        score = rel.get("score")
        low = score is not None and score < LOW_CONFIDENCE
        head, child = rel["head_span"], rel["child_span"]
        rows.append(
            f'<tr class="relation{" low" if low else ""}" data-label="{_escape(rel["label"])}">'
            f"<td>{_escape(text[head['start']:head['end']])}</td>"
            f"<td>{_escape(rel['label'])}</td>"
            f"<td>{_escape(text[child['start']:child['end']])}</td>"
            f'<td class="score">{"" if score is None else f"{score:.2f}"}</td></tr>'
        )
    return (
        '<table class="relations"><tr><th>head</th><th>relation</th><th>child</th><th>score</th></tr>'
        + "".join(rows)
        + "</table>"
    )


def render_review_page(tasks: Iterable[Dict[str, Any]], title: str, max_tasks: int = MAX_TASKS,
                       total: Optional[int] = None) -> str:
    """The whole page for (at most `max_tasks` of) the tasks. A caller that knows how many tasks there
    are passes `total`, and the tasks after the shown ones are not read (a cluster run's output can
    hold millions)."""
    parts: List[str] = []
    shown = counted = low = 0
    for task in tasks:
        if shown >= max_tasks:
            if total is not None:
                break
            counted += 1
            continue
        counted += 1
        shown += 1
        flagged = task_confidence(task) < LOW_CONFIDENCE
        low += flagged
        meta = task.get("meta", {})
        parts.append(
            f'<section class="task{" needs-review" if flagged else ""}" '
            f'data-input-hash="{_escape(task.get("_input_hash", ""))}">'
            f'<div class="meta">{_escape(meta.get("source", ""))} · paragraph {_escape(meta.get("paragraph", ""))}'
            f'{" · needs review" if flagged else ""}</div>'
            f"{_entities_html(task)}{_relations_html(task)}</section>"
        )
    total = counted if total is None else total
    legend = "".join(f'<span style="background:{COLORS[label]}">{label}</span>' for label in ENTITY_LABELS)
    note = f"{shown} of {total} paragraphs shown" if shown < total else f"{total} paragraphs"
    return (
        '<!DOCTYPE html>\n<html lang="fa" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{_escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_escape(title)}</h1>"
        f'<p class="summary">{note}; {low} with items under {LOW_CONFIDENCE:.1f} confidence (marked «?» or red).</p>'
        f'<p class="legend">{legend}</p>'
        + "".join(parts)
        + "</body></html>\n"
    )
