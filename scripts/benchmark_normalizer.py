"""Benchmark half-space restoration and speed of this normalizer, hazm's and shekar's, in one run.

Writes the JSON and, beside it, the Markdown table for the README (`normalizer.md`).
"""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Dict

import typer
from hazm import Lemmatizer
from hazm import Normalizer as HazmNormalizer

from persian_ie.benchmarks.normalizer import (
    TRUSTED_FILTER,
    benchmark,
    check_targets,
    explain_missed,
    held_out_paragraphs,
    markdown_table,
    missed_table,
    realdev_texts,
    trusted_paragraphs,
)
from persian_ie.cli import friendly_errors, msg
from persian_ie.io.files import write_json_atomic, write_text_atomic
from persian_ie.normalization import get_normalizer
from persian_ie.normalization.evidence import load_evidence

ROOT = Path(__file__).resolve().parent.parent
REALDEV = ROOT.parent / "shared" / "realdev" / "realdev.jsonl"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _missed_section(results: Dict[str, object], name: str) -> str:
    """The README's table of the words this project missed on one set under spaced damage, and why."""
    why = ", ".join(f"{count} {reason}" for reason, count in results["missed_why"].get(f"{name}/spaced", {}).items())
    title = results["sets"][name]["title"].split(" (")[0]
    return (f"\n**What this project misses on {title}, spaced**, with how often the raw news joins and spaces "
            f"the pair ({why}):\n\n{missed_table(results, name, 'spaced')}")


@friendly_errors
def main(
    authored: Path = typer.Argument(..., help="Folder of authored documents (corpus/authored)"),
    output: Path = typer.Argument(..., help="JSON file to write; the README table goes beside it (.md)"),
    split: str = typer.Option("test", help="The held-out split of the corpus"),
    splits: Path = typer.Option(None, help="splits.json (default: beside the authored folder)"),
    raw_dir: Path = typer.Option(None, help="Raw documents (default: raw/ beside the authored folder)"),
    realdev: Path = typer.Option(REALDEV, help="realdev.jsonl; its trusted paragraphs are the second set"),
    limit: int = typer.Option(0, help="Use only the first N paragraphs of each set (0: all)"),
    repeats: int = typer.Option(3, help="Speed runs per normalizer (best is kept)"),
) -> None:
    splits = splits or authored.parent / "splits.json"
    raw_dir = raw_dir or authored.parent / "raw"
    doc_ids, held_out = held_out_paragraphs(authored, splits, raw_dir, split)
    verbs = frozenset(Lemmatizer(joined_verb_parts=False).verbs)
    trusted_held_out = trusted_paragraphs(held_out, verbs)
    sets = {"held_out": held_out, "held_out_trusted": trusted_held_out}
    held_out_about = (
        f"the correctly written documents of the {split} split ({split} list of {splits.name}, raw text "
        f"in {raw_dir.name}/; not the ones marked as received), which the lexicon and the evidence were "
        "not tuned on"
    )
    about = {
        "held_out": {
            "title": f"Held-out authored news, every paragraph ({len(held_out)})",
            "description": held_out_about,
            "documents": doc_ids,
            "paragraphs": len(held_out),
        },
        "held_out_trusted": {
            "title": f"Held-out authored news, trusted paragraphs ({len(trusted_held_out)} of {len(held_out)})",
            "description": f"the same, less the paragraphs that fail the realdev filter: {TRUSTED_FILTER}",
            "paragraphs": len(trusted_held_out),
            "of": len(held_out),
        },
    }
    if realdev.exists():
        texts = realdev_texts(realdev)
        trusted = trusted_paragraphs(texts, verbs)
        sets["realdev"] = trusted
        about["realdev"] = {
            "title": f"realdev, trusted half-spaces ({len(trusted)} of {len(texts)} paragraphs)",
            "description": TRUSTED_FILTER,
            "paragraphs": len(trusted),
            "of": len(texts),
        }
    else:
        msg.warn(f"{realdev} not found: the benchmark runs on the held-out documents only")
    if limit:
        sets = {name: paragraphs[:limit] for name, paragraphs in sets.items()}
    normalizers: Dict[str, Callable[[str], str]] = {
        "persian_ie": get_normalizer().normalize,
        "hazm": HazmNormalizer().normalize,
    }
    labels = {"persian_ie": "**this project**", "hazm": f"hazm {_version('hazm')}"}
    try:
        from shekar import Normalizer as ShekarNormalizer

        normalizers["shekar"] = ShekarNormalizer().normalize
        labels["shekar"] = f"shekar {_version('shekar')}"
    except ImportError:
        msg.warn("shekar is not installed (pip install shekar): it is left out")
    results = benchmark(sets, normalizers, repeats=repeats)
    results["sets"] = about
    results["versions"] = {name: _version(name) for name in ("hazm", "shekar")}
    results["targets"] = check_targets(results)
    results = explain_missed(results, load_evidence().junctions)
    write_json_atomic(output, results)
    table = output.with_suffix(".md")
    misses = "".join(_missed_section(results, name) for name in sets if name != "held_out_trusted")
    write_text_atomic(table, markdown_table(results, labels) + misses)
    print(table.read_text(encoding="utf-8"))
    missed = [name for name, met in results["targets"].items() if not met]
    if missed:
        msg.warn(f"targets missed: {', '.join(missed)}")
    msg.good(f"{', '.join(f'{k}: {len(v)} paragraphs' for k, v in sets.items())} -> {output}, {table}")


if __name__ == "__main__":
    typer.run(main)
