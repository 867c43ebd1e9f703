"""Predict on Dask, measured: 1 vs n workers, the cost of a partition, and an on-paper model of a big run.

Everything in the on-paper model comes from figures measured in the same run (per-worker throughput,
parallel efficiency, per-partition overhead, join throughput, output bytes per paragraph, start-up),
plus the assumptions it states (one core per worker, a cost per worker-hour); the JSON keeps both.
"""

import math
import resource
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence

from distributed import Client

from ..prediction.distributed import dask_client, predict_on_dask
from ..prediction.predict import DEFAULT_PARTITION_LINES
from .pipeline import count_words

TINY_PARAGRAPH = "خوشه فرش دستباف شهرستان با ۱۲۰ واحد عضو در حال اجرا است."


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _noop(i: int) -> int:
    return i


def scaling_run(model: Path, input_path: Path, output: Path, workers: int, partition_lines: int,
                with_scores: bool) -> Dict[str, Any]:
    """One end-to-end run on a fresh LocalCluster of `workers` processes: the stages' seconds, words per
    second, and each worker's peak memory."""
    start = time.perf_counter()
    with dask_client("local", workers) as client:
        started = time.perf_counter()
        run = predict_on_dask(client, str(input_path), str(output), model, partition_lines=partition_lines,
                              with_scores=with_scores)
        peaks = sorted(client.run(peak_rss_mb).values())
    seconds = time.perf_counter() - start
    words = count_words(input_path.read_text(encoding="utf-8").split("\n"))
    return {
        "workers": workers,
        "paragraphs": run.tasks,
        "words": words,
        "parts": run.parts,
        "seconds": seconds,
        "cluster_start_seconds": started - start,
        "load_seconds": run.seconds["load"],
        "compute_seconds": run.seconds["compute"],
        "join_seconds": run.seconds["join"],
        "words_per_second": words / seconds,
        "compute_words_per_second": words / run.seconds["compute"],
        "output_bytes": output.stat().st_size,
        "peak_rss_mb_per_worker": peaks,
    }


def scheduler_overhead(model: Path, work: Path, partitions: int = 1000, workers: int = 2,
                       with_scores: bool = False) -> Dict[str, Any]:
    """Wall seconds each extra partition adds: `partitions` one-paragraph partitions against the same
    paragraphs in one partition, on one cluster; and the round trip of a no-op Dask task."""
    source = work / "tiny.txt"
    source.write_text((TINY_PARAGRAPH + "\n") * partitions, encoding="utf-8")
    with dask_client("local", workers) as client:
        timings = {}
        for lines in (partitions, 1):  # loading the pipeline (`load`) is left out of both
            start = time.perf_counter()
            run = predict_on_dask(client, str(source), str(work / f"tiny_{lines}.jsonl"), model,
                                  partition_lines=lines, with_scores=with_scores)
            timings[run.parts] = {"seconds": time.perf_counter() - start, **run.seconds}
        noop = _noop_round_trip(client, partitions)
    many, one = timings[partitions], timings[1]
    extra = (many["compute"] + many["join"]) - (one["compute"] + one["join"])
    return {
        "partitions": partitions,
        "workers": workers,
        "one_partition_seconds": one["compute"] + one["join"],
        "many_partitions_seconds": many["compute"] + many["join"],
        "seconds_per_partition": extra / (partitions - 1),
        "noop_task_seconds": noop,
        "note": "pipeline loading (once per run) is left out; a partition's overhead covers the driver "
                "(cutting, digest, submit, manifest), the scheduler, and the worker's atomic part write",
    }


def _noop_round_trip(client: Client, tasks: int) -> float:
    """Seconds per task of `tasks` no-op Dask tasks, all submitted at once: the scheduler alone."""
    start = time.perf_counter()
    client.gather(client.map(_noop, range(tasks), pure=False))
    return (time.perf_counter() - start) / tasks


def paper_model(runs: Sequence[Dict[str, Any]], overhead: Dict[str, Any], paragraphs: int = 100_000_000,
                worker_counts: Sequence[int] = (8, 64, 512), partition_lines: int = DEFAULT_PARTITION_LINES,
                cost_per_worker_hour: float = 0.05) -> Dict[str, Any]:
    """Time and cost of `paragraphs` paragraphs on `worker_counts` workers, from the measured runs.

    wall = start-up + max(compute, dispatch) + join, where compute = rounds of partitions (a worker takes
    one at a time) at the measured per-worker throughput, dispatch = partitions x the measured overhead
    per partition, taken as serial on the driver and scheduler (the ceiling on partitions per second),
    and join = the output bytes copied by the driver at the measured join throughput.
    """
    one, many = runs[0], runs[-1]
    per_worker = one["paragraphs"] / one["compute_seconds"]
    efficiency = min(1.0, (one["compute_seconds"] / many["compute_seconds"]) / many["workers"]) \
        if many["workers"] > 1 else 1.0
    words_per_paragraph = one["words"] / one["paragraphs"]
    bytes_per_paragraph = one["output_bytes"] / one["paragraphs"]
    join_bytes_per_second = many["output_bytes"] / many["join_seconds"]
    startup = many["cluster_start_seconds"] + many["load_seconds"]
    per_partition = max(overhead["seconds_per_partition"], overhead["noop_task_seconds"])
    partitions = math.ceil(paragraphs / partition_lines)
    rows: List[Dict[str, Any]] = []
    for workers in worker_counts:
        rate = per_worker * efficiency
        compute = math.ceil(partitions / workers) * partition_lines / rate
        dispatch = partitions * per_partition
        join = paragraphs * bytes_per_paragraph / join_bytes_per_second
        wall = startup + max(compute, dispatch) + join
        rows.append({
            "workers": workers,
            "partitions": partitions,
            "compute_hours": compute / 3600,
            "dispatch_hours": dispatch / 3600,
            "join_hours": join / 3600,
            "wall_hours": wall / 3600,
            "worker_hours": workers * wall / 3600,
            "cost_usd": (workers + 1) * wall / 3600 * cost_per_worker_hour,
            "bound": max((compute, "compute"), (dispatch, "scheduler"), (join, "join (driver)"))[1],
        })
    return {
        "paragraphs": paragraphs,
        "rows": rows,
        "assumptions": {
            "words_per_paragraph": words_per_paragraph,
            "per_worker_paragraphs_per_second": per_worker,
            "per_worker_words_per_second": per_worker * words_per_paragraph,
            "parallel_efficiency": efficiency,
            "partition_lines": partition_lines,
            "seconds_per_partition": per_partition,
            "scheduler_partitions_per_second_limit": 1 / per_partition if per_partition > 0 else None,
            "output_bytes_per_paragraph": bytes_per_paragraph,
            "join_bytes_per_second": join_bytes_per_second,
            "startup_seconds": startup,
            "cost_per_worker_hour_usd": cost_per_worker_hour,
            "peak_rss_mb_per_worker": max(many["peak_rss_mb_per_worker"]),
            "stated": [
                "each worker is one core of its own, one thread, running at the per-worker throughput measured "
                "here with 1 worker times the parallel efficiency measured with 2 (on a 2-core machine where "
                "the driver shares the cores: a pessimistic figure)",
                "a worker computes one partition at a time; the last round may be partly idle",
                "the per-partition overhead measured at 1,000 tiny partitions is serial on the driver and the "
                "scheduler: 1 / overhead is the most partitions a second the run can hand out",
                "the driver reads the input and joins the output at the speeds measured here; storage and "
                "network are not slower than this machine's disk",
                "cost: every worker and one driver/scheduler machine paid for the whole wall time at the stated "
                "price per worker-hour (an on-demand cloud core with memory for the peak RSS, roughly)",
            ],
        },
    }


def markdown_table(results: Dict[str, Any], date: str) -> str:
    """The README's Dask tables, from dask.json, so the README quotes the run and nothing else."""
    runs, overhead, model = results["runs"], results["scheduler_overhead"], results["paper_model"]
    first = runs[0]
    lines = [
        f"Measured {date} on {results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        f"input {results['input_mb']:g} MB ({first['paragraphs']:,} paragraphs, {first['words']:,} words), "
        f"{runs[0]['parts']} partitions of {results['partition_lines']:,} paragraphs, entity scores "
        f"{'on' if results['entity_scores'] else 'off'}; outputs identical: {results['identical_outputs']}.",
        "",
        "| `predict --scheduler local` | seconds, end to end | words per second | of which start + load, s | "
        "compute words per second | speed-up | peak RSS per worker, MB |",
        "|---|---|---|---|---|---|---|",
        *(f"| `--workers {run['workers']}` | {run['seconds']:,.1f} | {run['words_per_second']:,.0f} | "
          f"{run['cluster_start_seconds'] + run['load_seconds']:,.1f} | {run['compute_words_per_second']:,.0f} | "
          f"{first['seconds'] / run['seconds']:.2f}x | "
          f"{', '.join(f'{mb:,.0f}' for mb in run['peak_rss_mb_per_worker'])} |" for run in runs),
        "",
        f"Overhead of a partition, at {overhead['partitions']:,} one-paragraph partitions on "
        f"{overhead['workers']} workers: {1e3 * overhead['seconds_per_partition']:.1f} ms "
        f"(a no-op Dask task: {1e3 * overhead['noop_task_seconds']:.2f} ms).",
        "",
        f"On paper, {model['paragraphs']:,} paragraphs at {model['assumptions']['per_worker_words_per_second']:,.0f} "
        f"words per second per worker, partitions of {model['assumptions']['partition_lines']:,} paragraphs, "
        f"${model['assumptions']['cost_per_worker_hour_usd']:.2f} per worker-hour (assumptions in dask.json):",
        "",
        "| workers | partitions | hours | compute, h | join, h | worker-hours | cost, USD | bound by |",
        "|---|---|---|---|---|---|---|---|",
        *(f"| {row['workers']} | {row['partitions']:,} | {row['wall_hours']:,.1f} | {row['compute_hours']:,.1f} | "
          f"{row['join_hours']:,.1f} | {row['worker_hours']:,.0f} | {row['cost_usd']:,.0f} | {row['bound']} |"
          for row in model["rows"]),
    ]
    return "\n".join(lines) + "\n"
