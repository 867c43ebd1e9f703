"""Benchmark predict on Dask: 1 vs n workers, the overhead of a partition, and an on-paper model of a big run."""

import datetime
import shutil
from pathlib import Path

import typer

from persian_ie.benchmarks.cluster import markdown_table, paper_model, peak_rss_mb, scaling_run, scheduler_overhead
from persian_ie.benchmarks.pipeline import grow_texts, machine
from persian_ie.cli import friendly_errors, msg
from persian_ie.io.files import write_json_atomic, write_text_atomic
from persian_ie.io.inputs import read_text, split_paragraphs, text_files
from persian_ie.io.urls import resolve, sha256_of
from persian_ie.pipeline.loading import pipeline_location


@friendly_errors
def main(
    model: Path = typer.Argument(..., help="The trained pipeline"),
    raw_dir: Path = typer.Argument(..., help="Real paragraphs to build the input from (corpus/raw, or the seed)"),
    output: Path = typer.Argument(..., help="dask.json to write; the README table goes beside it (.md)"),
    size_mb: float = typer.Option(20.0, help="Input size for the 1- vs n-worker runs (MB)"),
    workers: int = typer.Option(2, help="Workers of the parallel run"),
    partition_lines: int = typer.Option(1024, help="Paragraphs per partition in the measured runs"),
    tiny_partitions: int = typer.Option(1000, help="One-paragraph partitions for the overhead measure"),
    paragraphs: int = typer.Option(100_000_000, help="The on-paper run's paragraphs"),
    model_workers: str = typer.Option("8,64,512", help="The on-paper run's worker counts"),
    model_partition_lines: int = typer.Option(4096, help="The on-paper run's paragraphs per partition"),
    cost_per_worker_hour: float = typer.Option(0.05, help="USD per worker-hour, for the on-paper cost"),
    entity_scores: bool = typer.Option(False, "--entity-scores/--no-entity-scores",
                                       help="Score entities by beam search (off, as the pipeline benchmark)"),
) -> None:
    pipeline_location(model)
    paragraphs_in = [p for f in text_files(raw_dir) for _, _, p in split_paragraphs(read_text(f))]
    texts = grow_texts(paragraphs_in, int(size_mb * 1e6))
    work = output.parent / "dask-work"
    if work.exists():
        shutil.rmtree(work)
    source = work / "input.txt"
    write_text_atomic(source, "\n".join(texts) + "\n")
    msg.info(f"Input: {len(texts):,} paragraphs, {size_mb:g} MB")
    runs = []
    for n in sorted({1, workers}):
        runs.append(scaling_run(model, source, work / f"out_{n}.jsonl", n, partition_lines, entity_scores))
        msg.info(f"{n} worker(s): {runs[-1]['seconds']:.1f} s, {runs[-1]['words_per_second']:,.0f} words/s")
    digests = {sha256_of(*resolve(str(work / f"out_{run['workers']}.jsonl"))) for run in runs}
    overhead = scheduler_overhead(model, work, tiny_partitions, workers, entity_scores)
    msg.info(f"Overhead: {1e3 * overhead['seconds_per_partition']:.1f} ms per partition")
    results = {
        "machine": machine(),
        "model": str(model),
        "input_mb": size_mb,
        "partition_lines": partition_lines,
        "entity_scores": entity_scores,
        "runs": runs,
        "speedup": runs[0]["seconds"] / runs[-1]["seconds"],
        "compute_speedup": runs[0]["compute_seconds"] / runs[-1]["compute_seconds"],
        "identical_outputs": len(digests) == 1,
        "scheduler_overhead": overhead,
        "paper_model": paper_model(runs, overhead, paragraphs, [int(w) for w in model_workers.split(",")],
                                   model_partition_lines, cost_per_worker_hour),
        "driver_peak_rss_mb": peak_rss_mb(),
    }
    shutil.rmtree(work)
    write_json_atomic(output, results)
    table = output.with_suffix(".md")
    write_text_atomic(table, markdown_table(results, datetime.date.today().isoformat()))
    msg.table(
        [(f"{run['workers']} worker(s), words/s", f"{run['words_per_second']:,.0f}") for run in runs]
        + [("speedup (end to end)", f"{results['speedup']:.2f}x"),
           ("speedup (compute)", f"{results['compute_speedup']:.2f}x"),
           ("peak RSS per worker (MB)", f"{max(runs[-1]['peak_rss_mb_per_worker']):.0f}"),
           ("overhead per partition (ms)", f"{1e3 * overhead['seconds_per_partition']:.1f}"),
           ("no-op task (ms)", f"{1e3 * overhead['noop_task_seconds']:.2f}")]
        + [(f"100M paragraphs on {row['workers']} workers (h)", f"{row['wall_hours']:,.1f}")
           for row in results["paper_model"]["rows"]],
        header=("measure", "value"),
    )
    msg.good(f"Benchmarks -> {output}; README table -> {table}")


if __name__ == "__main__":
    typer.run(main)
