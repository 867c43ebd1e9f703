"""Benchmark the pipeline: stage speeds, n_process scaling, relation cost, memory, size, step durations."""

import datetime
import shutil
from pathlib import Path

import srsly
import typer

from persian_ie.benchmarks.pipeline import (
    corpus_read_speed,
    directory_size,
    grow_texts,
    load_times,
    machine,
    markdown_table,
    relation_cost,
    run_predict,
    spacy_benchmark_speed,
    stage_speeds,
)
from persian_ie.cli import friendly_errors, msg
from persian_ie.io.files import write_json_atomic, write_text_atomic
from persian_ie.io.inputs import read_text, split_paragraphs, text_files
from persian_ie.pipeline.loading import load_pipeline

ROOT = Path(__file__).resolve().parent.parent


@friendly_errors
def main(
    model: Path = typer.Argument(..., help="The trained pipeline"),
    raw_dir: Path = typer.Argument(..., help="Raw articles to draw paragraphs from (corpus/raw)"),
    test: Path = typer.Argument(..., help="test.spacy, for `spacy benchmark speed`"),
    output: Path = typer.Argument(..., help="pipeline.json to write; the README table goes beside it (.md)"),
    speed_mb: float = typer.Option(20.0, help="Input size for the 1- and 2-process speed runs (MB)"),
    memory_mb: float = typer.Option(100.0, help="Input size for the peak-memory predict run (MB)"),
    n_process: int = typer.Option(2, help="Processes for the parallel run"),
    steps: Path = typer.Option(Path("training/benchmarks/steps.json"), help="Step durations from `make run`"),
) -> None:
    load = load_times(model)
    msg.info(f"Load: {load['model_seconds']:.2f} s (spacy.blank('fa'): {load['blank_fa_seconds']:.2f} s)")
    nlp = load_pipeline(model)
    paragraphs = [p for f in text_files(raw_dir) for _, _, p in split_paragraphs(read_text(f))]
    texts = grow_texts(paragraphs, int(speed_mb * 1e6))
    msg.info(f"Speed input: {len(texts)} paragraphs, {speed_mb} MB")
    results = {"machine": machine(), "model": str(model), "load": load, "speed": stage_speeds(nlp, texts, n_process)}
    results["speed"]["input_mb"] = speed_mb
    results["spacy_benchmark_speed"] = spacy_benchmark_speed(model, test)
    results["corpus_read"] = corpus_read_speed(nlp, test)
    results["relation_cost"] = relation_cost(nlp)
    script = ROOT / "scripts" / "predict.py"
    work = output.parent / "work"
    speed_input = work / "speed_input.txt"
    write_text_atomic(speed_input, "\n".join(texts) + "\n")
    runs = [run_predict(script, model, speed_input, work / f"predict_{n}.jsonl", n) for n in (1, n_process)]
    for run in runs:
        run["words_per_second"] = run["words"] / run["seconds"]
    results["predict"] = {"runs": runs, "speedup": runs[0]["seconds"] / runs[1]["seconds"]}
    memory_input = work / "memory_input.txt"
    write_text_atomic(memory_input, "\n".join(grow_texts(paragraphs, int(memory_mb * 1e6))) + "\n")
    results["memory"] = run_predict(script, model, memory_input, work / "memory_output.jsonl")
    shutil.rmtree(work)
    results["model_size_mb"] = directory_size(model) / 1e6
    results["steps"] = srsly.read_json(steps) if steps.exists() else None
    write_json_atomic(output, results)
    table = output.with_suffix(".md")
    write_text_atomic(table, markdown_table(results, datetime.date.today().isoformat()))
    speed = results["speed"]
    runs = results["predict"]["runs"]
    read = results["corpus_read"]
    msg.table(
        [(k, f"{v:,.0f}") for k, v in speed.items() if isinstance(v, float)]
        + [(f"predict --n-process {r['n_process']}, words/s", f"{r['words_per_second']:,.0f}") for r in runs]
        + [("read .spacy into examples, paragraphs/s", f"{read['paragraphs_per_second']:,.0f}"),
           ("the same, scanning the plugins per paragraph", f"{read['paragraphs_per_second_scanning_plugins']:,.0f}"),
           ("predict speedup", f"{results['predict']['speedup']:.2f}x"),
           ("peak RSS (MB)", f"{results['memory']['peak_rss_mb']:.0f}"),
           ("model size (MB)", f"{results['model_size_mb']:.1f}"),
           ("load (s)", f"{load['model_seconds']:.2f}"),
           ("spacy.blank('fa') (s)", f"{load['blank_fa_seconds']:.2f}")],
        header=("measure", "value"),
    )
    msg.good(f"Benchmarks -> {output}; README table -> {table}")


if __name__ == "__main__":
    typer.run(main)
