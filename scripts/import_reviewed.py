"""Merge reviewed annotations (Prodigy db-out JSONL or a Label Studio JSON export) into the corpus.

Accepts answers from ner_manual, spans_manual, relations and review sessions, and the annotations of a
Label Studio export (Export -> JSON; detected by its shape, or --format labelstudio): each is checked
(labels, relation directions, offsets, token boundaries; --snap extends spans to their tokens) and
merged by the same rules, with a backup and a report. The merge rules are
in persian_ie/corpus/review_import.py and the README: answers pair by _input_hash, spans-only
answers keep the relations whose ends survive, reject/ignore change nothing, differing answers from
several annotators are conflicts resolved by --conflicts, and a second import of the same file
changes nothing. The report is printed and written as JSON (--report).
"""

from pathlib import Path
from typing import Optional

import srsly
import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.review_import import import_reviewed
from persian_ie.errors import PersianIEError
from persian_ie.io.files import write_json_atomic, write_text_atomic
from persian_ie.pipeline.tokenizer import blank_nlp


@friendly_errors
def main(
    reviewed: Path = typer.Argument(..., help="Reviewed tasks from `prodigy db-out` (JSONL), or a Label Studio "
                                    "JSON export"),
    corpus: Path = typer.Argument(..., help="The corpus JSONL to merge into (corpus/gold.jsonl)"),
    conflicts: str = typer.Option("refuse", "--conflicts", help="Differing answers of several annotators: "
                                  "'refuse' (keep the corpus version, list the paragraph) or 'annotator:NAME'"),
    report_path: Optional[Path] = typer.Option(None, "--report", help="The JSON report "
                                               "(default: <reviewed>.import-report.json)"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Merge the valid answers and write the refused "
                                      "lines to <corpus>.rejected.jsonl, instead of changing nothing"),
    fmt: str = typer.Option("auto", "--format", help="'prodigy' (db-out JSONL), 'labelstudio' (JSON export) or "
                            "'auto' (by the file's shape)"),
    snap: bool = typer.Option(False, "--snap", help="Label Studio spans that miss token boundaries: extend them "
                              "to the tokens they touch (listed in the report) instead of refusing the task"),
) -> None:
    if not reviewed.exists():
        raise PersianIEError("reviewed file not found", str(reviewed))
    report = import_reviewed(corpus, reviewed, blank_nlp(), policy=conflicts, skip_invalid=skip_invalid, fmt=fmt,
                             snap=snap)
    report_path = report_path or reviewed.with_name(reviewed.stem + ".import-report.json")
    write_json_atomic(report_path, report.to_dict())
    for kind, show in (("added", msg.good), ("updated", msg.info)):
        for item in getattr(report, kind):
            show(f"{kind:<9} {item['where']}  {item['text']}")
    for kind in ("rejected", "ignored"):
        for item in getattr(report, kind):
            msg.text(f"{kind:<9} {item['where']}  ({item['annotator']}; corpus unchanged) {item['text']}")
    for item in report.snapped:
        msg.warn(f"snapped   {item['where']}  {item['label']} {item['from']} -> {item['to']} {item['text']}")
    for conflict in report.conflicts:
        msg.warn(f"conflict  {', '.join(conflict['where'])}  {'/'.join(conflict['annotators'])}: "
                 f"{conflict['resolution']}  {conflict['text']}")
    for rel in report.relations_dropped:
        msg.warn(f"dropped   {reviewed}:{rel['line']}  {rel['label']} {rel['head']} -> {rel['child']} "
                 f"({rel['reason']})")
    for item in report.refused:
        msg.fail(f"refused   {item['reason']}")
    counts = report.counts()
    msg.info(", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counts.items()))
    msg.info(f"Report -> {report_path}")
    if report.refused and not skip_invalid:
        msg.fail(f"{len(report.refused)} line(s) refused; the corpus is unchanged (use --skip-invalid to merge "
                 "the rest)", exits=1)
    if report.changed:
        msg.good(f"{corpus} updated (previous version: {corpus.name}.bak)")
    if report.refused:
        rejected_path = corpus.with_name(corpus.name + ".rejected.jsonl")
        write_text_atomic(rejected_path, "".join(srsly.json_dumps(item) + "\n" for item in report.refused))
        msg.warn(f"{len(report.refused)} refused line(s) -> {rejected_path}")


if __name__ == "__main__":
    typer.run(main)
