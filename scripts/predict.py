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
from persian_ie.pipeline.loading import load_pipeline, pipeline_location
from persian_ie.prediction.predict import DEFAULT_PARTITION_LINES, accepted_units, predict_tasks


@friendly_errors
def main(
    input_path: str = typer.Argument(..., help="A .txt file, a folder of .txt files, or JSONL with 'text' "
                                           "(with --scheduler also an fsspec URL: s3://, gs://, file://, memory://)"),
    output: str = typer.Argument(..., help="The Prodigy JSONL to write (with --scheduler also an fsspec URL)"),
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
    scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                            help="Predict on Dask: 'local' (a LocalCluster) or a scheduler address "
                                                 "(tcp://host:8786); parts and manifest in OUTPUT.parts/"),
    workers: int = typer.Option(2, "--workers", help="--scheduler local: worker processes (one thread each)"),
    partition_lines: int = typer.Option(DEFAULT_PARTITION_LINES, "--partition-lines",
                                        help="--scheduler: paragraphs per partition (one Dask task, one part file)"),
    processes: bool = typer.Option(True, "--processes/--no-processes",
                                   help="--scheduler local: workers as processes, or as threads of this process "
                                        "(what memory:// URLs need)"),
) -> None:
    if sort not in (None, "uncertainty"):
        raise PersianIEError(f"--sort must be 'uncertainty', not {sort!r}")
    model_path = rules_model if rules else model
    if scheduler is not None:
        if n_process != 1:
            raise PersianIEError("--n-process is for one machine; with --scheduler, the cluster's workers do the work "
                                 "(--workers for --scheduler local)")
        return predict_dask(input_path, output, model_path, scheduler, workers, partition_lines, processes,
                            batch_size=batch_size, rules=rules, sort=sort, review_dir=review_dir,
                            skip_invalid=skip_invalid, resume=resume, progress=progress, entity_scores=entity_scores)
    if "://" in input_path or "://" in output:
        raise PersianIEError("URLs need --scheduler (Dask); without it INPUT and OUTPUT are local paths")
    input_path, output = Path(input_path), Path(output)
    if not input_path.exists():
        raise PersianIEError("input not found", str(input_path))
    nlp = load_pipeline(model_path)
    if rules:
        nlp.meta.setdefault("name", "rules")
    writer = ResumableWriter(output, resume=resume)
    rejected_path = output.with_name(output.name + ".rejected.jsonl")
    rejected: List[dict] = []
    seen = 0

    def units():
        nonlocal seen
        for item in accepted_units(input_path, skip_invalid, rejected):
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
            keys = [task_confidence(task) for task in tasks] if sort == "uncertainty" else None
            writer.write_batch(tasks, len(tasks), sort_keys=keys)
            if show:
                bar.update(task_id, description=f"{writer.tasks_written} paragraphs predicted")
    finally:
        if show:
            bar.stop()
    writer.finish(sort=sort == "uncertainty")
    if rejected or rejected_path.exists():
        write_text_atomic(rejected_path, "".join(srsly.json_dumps(r) + "\n" for r in rejected))
    page = review_dir / f"{output.stem}.html"
    write_text_atomic(page, render_review_page((task for _, task in read_jsonl(output)), title=output.name,
                                               total=writer.tasks_written))
    msg.good(f"{writer.tasks_written} tasks (one per paragraph) -> {output}")
    msg.info(f"Review page -> {page}")
    if rejected:
        msg.warn(f"{len(rejected)} record(s) rejected -> {rejected_path}")


def predict_dask(input_path: str, output: str, model: Path, scheduler: str, workers: int, partition_lines: int,
                 processes: bool, batch_size: int, rules: bool, sort: Optional[str], review_dir: Path,
                 skip_invalid: bool, resume: bool, progress: Optional[bool], entity_scores: bool) -> None:
    """The same tasks, review page and rejected records, computed on a Dask cluster."""
    try:
        from persian_ie.prediction.distributed import dask_client, input_exists, predict_on_dask, write_review_page
    except ImportError as err:
        raise PersianIEError(f"--scheduler needs Dask and fsspec ({err}): pip install -e '.[distributed]'") from None
    if not input_exists(input_path):
        raise PersianIEError("input not found", input_path)
    pipeline_location(model)  # a wrong model path fails before a cluster starts
    show = sys.stderr.isatty() if progress is None else progress
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True)
    task_id = bar.add_task("starting the cluster", total=None)
    done = {"computed": 0, "reused": 0}

    def on_part(part: dict) -> None:
        done["reused" if part["reused"] else "computed"] += 1
        bar.update(task_id, description=f"{done['computed']} parts computed, {done['reused']} reused")

    if show:
        bar.start()
    try:
        with dask_client(scheduler, workers, processes) as client:
            bar.update(task_id, description="loading the pipeline on the workers")
            run = predict_on_dask(client, input_path, output, model, partition_lines=partition_lines,
                                  batch_size=batch_size, with_scores=entity_scores,
                                  default_name="rules" if rules else None, skip_invalid=skip_invalid,
                                  resume=resume, sort=sort == "uncertainty", on_part=on_part)
    finally:
        if show:
            bar.stop()
    page = write_review_page(run.output, review_dir, run.tasks)
    msg.good(f"{run.tasks} tasks (one per paragraph) -> {output}")
    msg.info(f"{run.parts} parts: {run.computed} computed, {run.reused} reused -> {output}.parts")
    msg.info(f"Review page -> {page}")
    if run.rejected:
        msg.warn(f"{len(run.rejected)} record(s) rejected -> {run.rejected_path}")


if __name__ == "__main__":
    typer.run(main)
