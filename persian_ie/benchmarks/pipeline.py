"""Pipeline benchmarks: speed per stage, relation cost per entity count, memory, model size.

Everything is measured in one run on the same machine and written as JSON; the tests only
check that it runs on a tiny input.
"""

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

from hazm import Normalizer as HazmNormalizer
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..normalization import get_normalizer
from .timing import best_of

ENTITY_COUNTS = (5, 10, 20, 40)
# a realistic stretch of news that carries every entity type; repeated to grow a paragraph
SEGMENT = (
    "مدیرعامل شرکت شهرک‌های صنعتی استان گفت خوشه فرش دستباف با ۱۲۰ واحد عضو در حال اجرا است و "
    "بانک کشاورزی ۴۵۰ میلیارد ریال تسهیلات به آن پرداخت کرد"
)
SEGMENT_ENTITIES = (  # (first token, last token + 1, label) inside one segment
    (1, 5, "ORG"), (6, 9, "CLUSTER"), (10, 12, "QUANTITY"), (13, 16, "STATUS"), (18, 20, "ORG"),
    (20, 23, "QUANTITY"),
)


def machine() -> Dict[str, Any]:
    return {
        "python": platform.python_version(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def count_words(texts: Iterable[str]) -> int:
    return sum(len(text.split()) for text in texts)


def words_per_second(func: Callable[[Sequence[str]], Any], texts: Sequence[str], repeats: int = 1) -> float:
    """Best of `repeats` runs of `func(texts)`, in whitespace-separated words per second."""
    words = count_words(texts)
    best = best_of(lambda: func(texts), repeats)
    return words / best if best > 0 else float("inf")


def grow_texts(paragraphs: Sequence[str], target_bytes: int) -> List[str]:
    """Paragraphs repeated in order until their UTF-8 size reaches `target_bytes`."""
    texts, size, i = [], 0, 0
    while size < target_bytes and paragraphs:
        text = paragraphs[i % len(paragraphs)]
        texts.append(text)
        size += len(text.encode("utf-8")) + 1
        i += 1
    return texts


def stage_speeds(nlp: Language, texts: Sequence[str], n_process: int = 2, batch_size: int = 64) -> Dict[str, Any]:
    """Words per second of the normalizers, the tokenizer and the full pipeline (1 and n processes)."""
    ours = get_normalizer()
    hazm = HazmNormalizer()
    normalized = [ours.normalize(t) for t in texts]
    result: Dict[str, Any] = {
        "words": count_words(texts),
        "normalizer_persian_ie": words_per_second(lambda ts: [ours.align(t) for t in ts], texts),
        "normalizer_hazm": words_per_second(lambda ts: [hazm.normalize(t) for t in ts], texts),
        "tokenizer_with_normalizer": words_per_second(lambda ts: [nlp.make_doc(t) for t in ts], texts),
        "tokenizer_only": words_per_second(lambda ts: [nlp.tokenizer.tokenizer(t) for t in ts], normalized),
    }
    result["pipeline_1_process"] = words_per_second(lambda ts: _consume(nlp.pipe(ts, batch_size=batch_size)), texts)
    # spaCy's own multiprocessing: the main process tokenizes (here: normalizes) and (de)serializes
    result[f"pipeline_{n_process}_processes_spacy_pipe"] = words_per_second(
        lambda ts: _consume(nlp.pipe(ts, batch_size=batch_size, n_process=n_process)), texts
    )
    return result


def _consume(docs: Iterable[Doc]) -> None:
    """Run a pipe to the end without keeping the docs (they hold large tensors)."""
    for _ in docs:
        pass


def synthetic_doc(nlp: Language, n_entities: int) -> Doc:
    """A paragraph of repeated news segments carrying exactly `n_entities` entities."""
    segments = -(-n_entities // len(SEGMENT_ENTITIES))
    doc = nlp.make_doc(" و ".join([SEGMENT] * segments))
    width = len(nlp.make_doc(SEGMENT)) + 1
    spans = []
    for k in range(segments):
        for start, end, label in SEGMENT_ENTITIES:
            if len(spans) < n_entities:
                spans.append(Span(doc, k * width + start, k * width + end, label=label))
    doc.ents = spans
    return doc


def relation_cost(nlp: Language, counts: Sequence[int] = ENTITY_COUNTS, repeats: int = 20) -> List[Dict[str, Any]]:
    """Relation extraction time per paragraph as entities grow, with the candidate pairs it scores."""
    component = nlp.get_pipe("relation_extractor")
    tok2vec = nlp.get_pipe("tok2vec")
    rows = []
    for n in counts:
        doc = tok2vec(synthetic_doc(nlp, n))
        candidates = len(component.candidates(doc))
        start = time.perf_counter()
        for _ in range(repeats):
            component.set_annotations([doc], component.predict([doc]))
        seconds = (time.perf_counter() - start) / repeats
        rows.append(
            {
                "entities": n,
                "tokens": len(doc),
                "candidate_pairs": candidates,
                "seconds_per_paragraph": seconds,
                "microseconds_per_candidate": 1e6 * seconds / candidates if candidates else None,
            }
        )
    return rows


_LOAD_CODE = """
import json, sys, time
import spacy
start = time.perf_counter()
nlp = spacy.load(sys.argv[1]) if sys.argv[1] != "-" else spacy.blank("fa")
seconds = time.perf_counter() - start
start = time.perf_counter()
nlp("شهرکهای صنعتی")
print(json.dumps({"seconds": seconds, "first_doc_seconds": time.perf_counter() - start}))
"""


def corpus_read_speed(nlp: Language, path: Path, repeats: int = 3) -> Dict[str, Any]:
    """Paragraphs per second of reading a .spacy file into training examples, as `spacy train` does each
    epoch and each evaluation (the project's tokenizer included): with srsly's msgpack plugins loaded once,
    as importing `persian_ie` sets up, and with the scan of every installed package per paragraph that
    srsly does otherwise (`persian_ie/io/msgpack_plugins.py`)."""
    from spacy.tokens import DocBin
    from spacy.training import Corpus
    from srsly.msgpack import msgpack_decoders

    corpus = Corpus(str(path))
    paragraphs = len(DocBin().from_disk(path))  # counted without deserializing a doc, outside the timed runs

    def speed() -> float:
        best = best_of(lambda: sum(1 for _ in corpus(nlp)), repeats)
        return paragraphs / best if best > 0 else float("inf")

    result: Dict[str, Any] = {"paragraphs": paragraphs, "paragraphs_per_second": speed()}
    loaded_once = msgpack_decoders.entry_points
    msgpack_decoders.entry_points = True
    try:
        result["paragraphs_per_second_scanning_plugins"] = speed()
    finally:
        msgpack_decoders.entry_points = loaded_once
    return result


def load_times(model: Path, runs: int = 3) -> Dict[str, Any]:
    """Seconds to load `model` beside `spacy.blank("fa")`, each in a fresh process, best of `runs`.

    `import spacy` is not counted (both pay it); importing the project's code, building or reading
    the tokenizer's lexicon and reading the weights are. The first call (`first_doc_seconds`) shows
    nothing was left to build on first use.
    """
    result: Dict[str, Any] = {"runs": runs}
    for name, target in (("model", str(model)), ("blank_fa", "-")):
        best: Dict[str, float] = {}
        for _ in range(runs):
            process = subprocess.run([sys.executable, "-c", _LOAD_CODE, target], capture_output=True, text=True)
            if process.returncode != 0:
                raise RuntimeError((process.stderr.strip().splitlines() or ["load failed"])[-1])
            measured = json.loads(process.stdout.strip().splitlines()[-1])
            if not best or measured["seconds"] < best["seconds"]:
                best = measured
        result[f"{name}_seconds"] = best["seconds"]
        result[f"{name}_first_doc_seconds"] = best["first_doc_seconds"]
    return result


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def run_predict(script: Path, model: Path, input_path: Path, output: Path, n_process: int = 1) -> Dict[str, Any]:
    """Run the predict command in a fresh process: wall time and that process's own peak memory.

    Peak memory is the kernel's high-water mark of the process after it started (VmHWM), which
    fork-then-exec does not inflate. Entity scoring by beam search is off: it adds NER cost, not memory.
    """
    args = [str(script), str(input_path), str(output), "--model", str(model), "--no-progress",
            "--n-process", str(n_process), "--review-dir", str(output.parent), "--no-entity-scores"]
    code = (
        "import re, runpy, sys\n"
        f"sys.argv = {args!r}\n"
        "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\nelse:\n    code = 0\n"
        "status = open('/proc/self/status').read()\n"
        "print('PEAK_RSS_KB', re.search(r'VmHWM:\\s+(\\d+)', status).group(1), code)\n"
    )
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    match = re.search(r"PEAK_RSS_KB (\d+) (\S+)", result.stdout)
    if result.returncode != 0 or not match or match.group(2) not in ("0", "None"):
        raise RuntimeError((result.stderr.strip().splitlines() or ["predict failed"])[-1])
    return {
        "input_bytes": input_path.stat().st_size,
        "words": count_words(input_path.read_text(encoding="utf-8").split("\n")),
        "seconds": seconds,
        "peak_rss_mb": int(match.group(1)) / 1024,
        "n_process": n_process,
        "entity_scores": False,
    }


def spacy_benchmark_speed(model: Path, data: Path, batches: int = 30) -> Dict[str, Any]:
    """The figures of `spacy benchmark speed` (mean words/s and its 95% interval)."""
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "benchmark", "speed", str(model), str(data), "--batches", str(batches)],
        capture_output=True,
        text=True,
    )
    match = re.search(r"Mean: ([\d.]+) words/s \(95% CI: ([-\d.]+) \+([\d.]+)\)", result.stdout)
    if not match:
        return {"error": (result.stdout + result.stderr).strip().splitlines()[-1:]}
    mean, low, high = (float(g) for g in match.groups())
    return {"mean_words_per_second": mean, "ci95_low": mean + low, "ci95_high": mean + high, "batches": batches}


def corpus_read_lines(read: Optional[Dict[str, Any]]) -> List[str]:
    """The README sentence on reading .spacy files; none for a pipeline.json written before it was measured."""
    if not read:
        return []
    return [f"Reading {read['paragraphs']:,} paragraphs of a .spacy file into training examples: "
            f"{read['paragraphs_per_second']:,.0f} paragraphs per second "
            f"({read['paragraphs_per_second_scanning_plugins']:,.0f} with srsly's plugin scan per paragraph).", ""]


def markdown_table(results: Dict[str, Any], date: str) -> str:
    """The README's benchmark tables, from pipeline.json, so the README quotes the run and nothing else."""
    speed, predict, memory = results["speed"], results["predict"], results["memory"]
    spacy_speed = results.get("spacy_benchmark_speed") or {}
    n = predict["runs"][-1]["n_process"]
    spacy_pipe = next((v for k, v in speed.items() if k.endswith("_processes_spacy_pipe")), None)
    rows = [
        ("normalizer, this project (`align`, with offsets)", speed["normalizer_persian_ie"]),
        ("normalizer, hazm's default `Normalizer`", speed["normalizer_hazm"]),
        ("tokenizer with normalizer (`nlp.make_doc`)", speed["tokenizer_with_normalizer"]),
        ("tokenizer alone, on normalized text", speed["tokenizer_only"]),
        ("full pipeline, 1 process (`nlp.pipe`)", speed["pipeline_1_process"]),
    ]
    if spacy_pipe is not None:
        rows.append((f"full pipeline, spaCy `nlp.pipe(n_process={n})`", spacy_pipe))
    if "mean_words_per_second" in spacy_speed:
        rows.append(("`spacy benchmark speed` (pipeline components on test.spacy, mean)",
                     spacy_speed["mean_words_per_second"]))
    lines = [
        f"Measured {date} on {results['machine']['cpus']} CPUs, Python {results['machine']['python']}; "
        f"speed input {speed['input_mb']:g} MB ({speed['words']:,} words).",
        "",
        "| stage | words per second |",
        "|---|---|",
        *(f"| {name} | {value:,.0f} |" for name, value in rows),
        "",
        f"`predict --n-process {n}` speed-up over 1 process: {predict['speedup']:.2f}x"
        + (f"; spaCy's `n_process={n}`: {spacy_pipe / speed['pipeline_1_process']:.2f}x." if spacy_pipe else "."),
        "",
        *corpus_read_lines(results.get("corpus_read")),
        "| entities per paragraph | candidate pairs | ms per paragraph | µs per candidate pair |",
        "|---|---|---|---|",
        *(f"| {row['entities']} | {row['candidate_pairs']} | {1e3 * row['seconds_per_paragraph']:.2f} | "
          f"{row['microseconds_per_candidate']:.1f} |" for row in results["relation_cost"]),
        "",
        "| `predict` run (JSONL and review page out) | input MB | words per second | seconds | peak RSS, MB |",
        "|---|---|---|---|---|",
        *(f"| `--n-process {run['n_process']}` | {run['input_bytes'] / 1e6:,.0f} | "
          f"{run.get('words_per_second', run['words'] / run['seconds']):,.0f} | {run['seconds']:,.0f} | "
          f"{run['peak_rss_mb']:,.0f} |" for run in [*predict["runs"], memory]),
        "",
        f"Model size on disk: {results['model_size_mb']:.1f} MB.",
    ]
    load = results.get("load")
    if load:
        lines += ["", "| load (fresh process, `import spacy` not counted, best of "
                  f"{load['runs']}) | seconds |", "|---|---|",
                  f"| `spacy.load` of the trained pipeline | {load['model_seconds']:.2f} |",
                  f"| `spacy.blank(\"fa\")` | {load['blank_fa_seconds']:.2f} |"]
    steps = (results.get("steps") or {}).get("steps") or []
    if steps:
        lines += ["", "| step of `spacy project run all` | seconds |", "|---|---|",
                  *(f"| {s['step']} | {s['seconds']:,.1f} |" for s in steps)]
    return "\n".join(lines) + "\n"
