"""Predict entities and relations and export them as Prodigy tasks, plus a static review page."""

import sys
from pathlib import Path
from typing import List, Optional

import srsly
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from persian_ie.cli import friendly_errors, msg
from persian_ie.errors import PersianIEError
from persian_ie.io.files import write_text_atomic
from persian_ie.io.prodigy import read_jsonl, task_confidence
from persian_ie.io.review_page import render_review_page
from persian_ie.io.streaming import ResumableWriter
from persian_ie.pipeline.loading import load_pipeline
from persian_ie.prediction.predict import Rejected, iter_units, predict_tasks


@friendly_errors
def main(
    input_path: Path = typer.Argument(..., help="A .txt file, a folder of .txt files, or JSONL with 'text'"),
    output: Path = typer.Argument(..., help="The Prodigy JSONL to write"),
    model: Path = typer.Option(Path("training/model-final"), "--model", help="Trained pipeline (or rules pipeline)"),
    rules: bool = typer.Option(False, "--rules", help="Pre-annotate with the rule-based annotator instead"),
    rules_model: Path = typer.Option(Path("training/baselines/rules"), help="The rule-based annotator's folder"),
    sort: Optional[str] = typer.Option(None, "--sort", help="'uncertainty': least confident tasks first"),
    n_process: int = typer.Option(1, "--n-process", help="Worker processes (each loads the pipeline)"),
    batch_size: int = typer.Option(64, help="Paragraphs per batch"),
    review_dir: Path = typer.Option(Path("training/review"), help="Where the HTML review page goes"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Write bad records to <output>.rejected.jsonl"),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run"),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: on a tty)"),
    entity_scores: bool = typer.Option(True, "--entity-scores/--no-entity-scores",
                                       help="Score entities by beam search (slower); without, spans score 1.0"),
) -> None:
    if sort not in (None, "uncertainty"):
        raise PersianIEError(f"--sort must be 'uncertainty', not {sort!r}")
    if not input_path.exists():
        raise PersianIEError("input not found", str(input_path))
    model_path = rules_model if rules else model
    nlp = load_pipeline(model_path)
    if rules:
        nlp.meta.setdefault("name", "rules")
    writer = ResumableWriter(output, resume=resume)
    rejected_path = output.with_name(output.name + ".rejected.jsonl")
    rejected: List[dict] = []
    seen = 0

    def units():
        nonlocal seen
        for item in iter_units(input_path):
            if isinstance(item, Rejected):
                if not skip_invalid:
                    where = f" line {item.line}" if item.line else ""
                    raise PersianIEError(f"bad record{where}: {item.reason} (use --skip-invalid to set it aside)",
                                         str(input_path))
                rejected.append({"record": item.record_id, "line": item.line, "reason": item.reason})
                continue
            seen += 1
            if seen <= writer.units_done:
                continue
            yield item

    show = sys.stderr.isatty() if progress is None else progress
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True)
    if show:
        bar.start()
    task_id = bar.add_task("predicting", total=None)
    try:
        for tasks in predict_tasks(nlp, units(), batch_size=batch_size, n_process=n_process,
                                   with_scores=entity_scores, model_path=model_path):
            writer.write_batch(tasks, len(tasks), sort_keys=[task_confidence(task) for task in tasks])
            if show:
                bar.update(task_id, description=f"{writer.tasks_written} paragraphs predicted")
    finally:
        if show:
            bar.stop()
    writer.finish(sort=sort == "uncertainty")
    if rejected or rejected_path.exists():
        write_text_atomic(rejected_path, "".join(srsly.json_dumps(r) + "\n" for r in rejected))
    page = review_dir / f"{output.stem}.html"
    write_text_atomic(page, render_review_page((task for _, task in read_jsonl(output)), title=output.name))
    msg.good(f"{writer.tasks_written} tasks (one per paragraph) -> {output}")
    msg.info(f"Review page -> {page}")
    if rejected:
        msg.warn(f"{len(rejected)} record(s) rejected -> {rejected_path}")


if __name__ == "__main__":
    typer.run(main)
