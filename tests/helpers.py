"""Test helpers: run a script's typer `main` in-process, as the command line would."""

import importlib.util
import signal
import subprocess
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Tuple

import srsly
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpus" / "gold.jsonl"
# Tests that train, evaluate or merge check the code, not the data, and their cost grows with the corpus: they
# read the authored corpus and one real article in SAMPLE_EVERY. The tests of the data itself read all of GOLD.
SAMPLE_EVERY = 8


def in_sample(task: Dict[str, Any]) -> bool:
    """Authored tasks, and the real tasks of one article in SAMPLE_EVERY (whole articles, stable as GOLD grows)."""
    meta = task["meta"]
    return meta.get("origin") != "real" or zlib.crc32(meta["doc_id"].encode("utf-8")) % SAMPLE_EVERY == 0


@lru_cache(maxsize=1)
def _sample_lines() -> Tuple[str, ...]:
    with GOLD.open(encoding="utf-8") as lines:
        return tuple(line for line in lines if line.strip() and in_sample(srsly.json_loads(line)))


def corpus_sample() -> List[Dict[str, Any]]:
    """The sampled corpus tasks, freshly parsed: a test may change them without touching another test's copy."""
    return [srsly.json_loads(line) for line in _sample_lines()]


def write_corpus_sample(path: Path) -> Path:
    """The sampled corpus as a gold.jsonl of its own, line for line as GOLD writes it."""
    path.write_text("".join(_sample_lines()), encoding="utf-8")
    return path


def load_script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_script(name: str, args: List[str]) -> Any:
    """Invoke scripts/<name>.py with `args`; returns typer's Result (exit_code, output)."""
    import typer

    app = typer.Typer()
    app.command()(load_script(name).main)
    return CliRunner().invoke(app, [str(a) for a in args])


def run_project(args: List[str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spacy", "project", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def default_sigint() -> None:
    """Popen preexec_fn: a child started from a background job inherits an ignored SIGINT, and Python
    then never raises KeyboardInterrupt; the interruption tests need the default disposition."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
