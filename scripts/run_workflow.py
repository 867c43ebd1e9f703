"""Run a project.yml workflow step by step, timing each step into a JSON file (what `make run` uses)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import typer
import yaml
from wasabi import msg

ROOT = Path(__file__).resolve().parent.parent


def main(
    workflow: str = typer.Argument("all", help="Workflow name in project.yml"),
    output: Path = typer.Option(Path("training/benchmarks/steps.json"), help="Durations JSON"),
) -> None:
    project = yaml.safe_load((ROOT / "project.yml").read_text(encoding="utf-8"))
    steps = project["workflows"].get(workflow)
    if not steps:
        msg.fail(f"no workflow {workflow!r} in project.yml", exits=1)
    durations = []
    total = time.perf_counter()
    for step in steps:
        msg.divider(step)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "spacy", "project", "run", step, str(ROOT)], cwd=ROOT)
        durations.append({"step": step, "seconds": round(time.perf_counter() - start, 1),
                          "returncode": result.returncode})
        if result.returncode != 0:
            break
    record = {"workflow": workflow, "date": time.strftime("%Y-%m-%d"), "steps": durations,
              "total_seconds": round(time.perf_counter() - total, 1)}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(record, indent=2), encoding="utf-8")
    msg.table([(d["step"], f"{d['seconds']:.0f}s") for d in durations], header=("step", "duration"))
    if durations and durations[-1]["returncode"] != 0:
        msg.fail(f"step {durations[-1]['step']} failed", exits=1)
    msg.good(f"{workflow} finished in {record['total_seconds']:.0f}s; durations -> {output}")


if __name__ == "__main__":
    typer.run(main)
