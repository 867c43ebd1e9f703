"""Test helpers: run a script's typer `main` in-process, as the command line would."""

import importlib.util
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, List

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


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
