"""Benchmark half-space restoration and speed of this normalizer and hazm's, in one run."""

from pathlib import Path

import typer
from hazm import Normalizer as HazmNormalizer

from persian_ie.benchmarks.normalizer import benchmark
from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.build import read_documents
from persian_ie.files import write_json_atomic
from persian_ie.normalization import get_normalizer


@friendly_errors
def main(
    authored: Path = typer.Argument(..., help="Folder of authored documents (corpus/authored)"),
    output: Path = typer.Argument(..., help="JSON file to write"),
    limit: int = typer.Option(0, help="Use only the first N paragraphs (0: all)"),
    repeats: int = typer.Option(3, help="Speed runs per normalizer (best is kept)"),
) -> None:
    # correctly written text only: documents marked "as received" lost their half-spaces already
    documents = [d for d in read_documents(authored) if "as received" not in d.header.get("source", "")]
    documents = [d for d in documents if not d.header.get("source", "").startswith("seed")]
    paragraphs = [p.text for d in documents for p in d.paragraphs]
    if limit:
        paragraphs = paragraphs[:limit]
    ours = get_normalizer()
    hazm = HazmNormalizer()
    results = benchmark(paragraphs, {"persian_ie": ours.normalize, "hazm": hazm.normalize}, repeats=repeats)
    results["documents"] = len(documents)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(output, results)
    rows = []
    for name, entry in results["normalizers"].items():
        rows.append(
            (
                name,
                f"{entry['deleted']['accuracy']:.4f}",
                f"{entry['deleted']['zwnj_word_accuracy']:.4f}",
                f"{entry['spaced']['accuracy']:.4f}",
                f"{entry['spaced']['zwnj_word_accuracy']:.4f}",
                f"{entry['chars_per_second']:,.0f}",
            )
        )
    header = ("normalizer", "word acc (deleted)", "ZWNJ-word acc (deleted)", "word acc (spaced)",
              "ZWNJ-word acc (spaced)", "chars/s")
    msg.table(rows, header=header, divider=True)
    msg.good(f"{len(paragraphs)} paragraphs -> {output}")


if __name__ == "__main__":
    typer.run(main)
