"""Predict on Dask: the same bytes as single-process predict, through a killed worker, a resumed driver,
memory:// URLs and malformed input."""

import os
import signal
import time
from pathlib import Path

import fsspec
import pytest
import srsly
from distributed import Client, LocalCluster, WorkerPlugin

from persian_ie.prediction.distributed import PART_KEY_PREFIX, part_name

from .helpers import run_script

PARTITION = "16"  # the input below is 168 paragraphs: 11 parts


@pytest.fixture(scope="module")
def source(tmp_path_factory, seed_text: str) -> Path:
    path = tmp_path_factory.mktemp("dask_in") / "news.txt"
    path.write_text("\n\n".join([seed_text.strip()] * 12) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory, tiny_model: Path, source: Path) -> Path:
    """Single-process predict's output (and its review page beside it)."""
    folder = tmp_path_factory.mktemp("reference")
    result = run_script("predict", [source, folder / "out.jsonl", "--model", tiny_model, "--review-dir", folder])
    assert result.exit_code == 0, result.output
    return folder / "out.jsonl"


@pytest.fixture(scope="module")
def cluster():
    """A two-process cluster the tests reach by its address, as users reach theirs."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as local:
        yield local


def predict_dask(tiny_model: Path, source, output, scheduler: str, *extra: str, review_dir=None):
    review_dir = review_dir or Path(output).parent
    return run_script("predict", [source, output, "--model", tiny_model, "--review-dir", review_dir,
                                  "--scheduler", scheduler, "--partition-lines", PARTITION, "--no-progress", *extra])


def failure_line(output: str) -> str:
    """The one-line failure after the path it names."""
    return next(line for line in output.splitlines() if "bad record" in line).split(": ", 1)[1]


def manifest_of(output: Path) -> dict:
    return srsly.read_json(output.with_name(output.name + ".parts") / "manifest.json")


def test_two_worker_local_cluster_equals_single_process(tiny_model: Path, source: Path, reference: Path,
                                                        tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    result = predict_dask(tiny_model, source, output, "local", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert output.read_bytes() == reference.read_bytes()
    assert (tmp_path / "out.html").read_bytes() == reference.with_suffix(".html").read_bytes()
    manifest = manifest_of(output)
    assert manifest["complete"] and [p["index"] for p in manifest["parts"]] == list(range(11))
    assert sum(p["tasks"] for p in manifest["parts"]) == 168 == len(reference.read_bytes().splitlines())
    parts = output.with_name("out.jsonl.parts")
    for part in manifest["parts"]:
        assert (parts / part_name(part["index"])).stat().st_size == part["bytes"]
    assert "11 parts: 11 computed, 0 reused" in result.output


class KillOnce(WorkerPlugin):
    """Kills its worker's process (SIGKILL, as the OOM killer would) as it starts its second partition;
    the first worker to get there claims `marker`, so one worker dies in the whole run."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.started = 0

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or not str(key).startswith(PART_KEY_PREFIX):
            return
        self.started += 1
        if self.started < 2:
            return
        try:
            handle = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(handle, str(key).encode())
        os.close(handle)
        os.kill(os.getpid(), signal.SIGKILL)


def test_killed_worker_costs_only_its_partition(tiny_model: Path, source: Path, reference: Path, tmp_path: Path,
                                                cluster) -> None:
    marker = tmp_path / "killed"
    with Client(cluster) as client:
        client.register_plugin(KillOnce(str(marker)), name="kill-once")
        pids = set(client.run(os.getpid).values())
        try:
            output = tmp_path / "out.jsonl"
            result = predict_dask(tiny_model, source, output, cluster.scheduler_address)
        finally:
            client.unregister_worker_plugin("kill-once")
        assert result.exit_code == 0, result.output
        assert marker.exists(), "no worker was killed"
        killed = int(marker.read_text()[len(PART_KEY_PREFIX):].split("-")[0])
        assert output.read_bytes() == reference.read_bytes()
        assert manifest_of(output)["parts"][killed]["tasks"] == 16  # the lost partition was computed again
        client.wait_for_workers(2, timeout=30)  # the nanny restarted the killed worker
        assert len(set(client.run(os.getpid).values()) - pids) == 1


def test_resume_recomputes_only_missing_and_damaged_parts(tiny_model: Path, source: Path, reference: Path,
                                                          tmp_path: Path, cluster) -> None:
    output = tmp_path / "out.jsonl"
    assert predict_dask(tiny_model, source, output, cluster.scheduler_address).exit_code == 0
    # a driver killed before the join: no output, one part never written, one half-written by hand
    parts = tmp_path / "out.jsonl.parts"
    output.unlink()
    (parts / part_name(3)).unlink()
    damaged = parts / part_name(7)
    damaged.write_bytes(damaged.read_bytes()[:100])
    kept = {i: (parts / part_name(i)).stat().st_mtime_ns for i in (0, 5, 10)}
    time.sleep(0.01)
    result = predict_dask(tiny_model, source, output, cluster.scheduler_address, "--resume")
    assert result.exit_code == 0, result.output
    assert "11 parts: 2 computed, 9 reused" in result.output
    assert output.read_bytes() == reference.read_bytes()
    assert {i: (parts / part_name(i)).stat().st_mtime_ns for i in kept} == kept
    # a changed input (the same name: it is in every task's meta): only the partition that changed is computed
    edited = tmp_path / "edited" / "news.txt"
    edited.parent.mkdir()
    lines = source.read_text(encoding="utf-8").split("\n")
    last = max(i for i, line in enumerate(lines) if line.strip())
    lines[last] += " و بانک ملی"
    edited.write_text("\n".join(lines), encoding="utf-8")
    result = predict_dask(tiny_model, edited, output, cluster.scheduler_address, "--resume")
    assert result.exit_code == 0, result.output
    assert "11 parts: 1 computed, 10 reused" in result.output, result.output


def test_memory_urls_and_malformed_lines_as_single_process(tiny_model: Path, tmp_path: Path, cluster) -> None:
    records = ['{"text": "خوشه فرش دستباف در حال اجرا است.", "meta": {"id": "a"}}', "{not json",
               '{"text": "بانک کشاورزی ۴۵۰ میلیارد ریال تسهیلات پرداخت کرد.\\n\\nشرکت ملی مس ایران گفت."}',
               '{"text": 42}'] * 5
    local = tmp_path / "local" / "in.jsonl"
    local.parent.mkdir()
    local.write_text("\n".join(records) + "\n", encoding="utf-8")
    memory = fsspec.filesystem("memory")
    memory.pipe("/dask-test/in.jsonl", local.read_bytes())
    url_in, url_out = "memory://dask-test/in.jsonl", "memory://dask-test/out/out.jsonl"

    def single(*extra):
        return run_script("predict", [local, tmp_path / "local" / "out.jsonl", "--model", tiny_model,
                                      "--review-dir", tmp_path / "local", *extra])

    def on_dask(*extra):
        return predict_dask(tiny_model, url_in, url_out, "local", "--workers", "1", "--no-processes", *extra,
                            review_dir=tmp_path / "dask")

    expected, got = single(), on_dask()
    assert expected.exit_code == got.exit_code == 1
    message = "bad record line 2: malformed JSON"
    assert message in expected.output and message in got.output
    assert failure_line(expected.output) == failure_line(got.output)
    assert not memory.exists("/dask-test/out/out.jsonl")

    expected, got = single("--skip-invalid", "--sort", "uncertainty"), on_dask("--skip-invalid", "--sort",
                                                                              "uncertainty")
    assert expected.exit_code == 0 and got.exit_code == 0, got.output
    assert "10 record(s) rejected" in got.output
    assert memory.cat("/dask-test/out/out.jsonl") == (tmp_path / "local" / "out.jsonl").read_bytes()
    assert memory.cat("/dask-test/out/out.jsonl.rejected.jsonl") == \
        (tmp_path / "local" / "out.jsonl.rejected.jsonl").read_bytes()
    assert (tmp_path / "dask" / "out.html").read_bytes() == (tmp_path / "local" / "out.html").read_bytes()

    # worker processes cannot see this process's memory: said before anything runs
    result = predict_dask(tiny_model, url_in, url_out, cluster.scheduler_address, "--skip-invalid",
                          review_dir=tmp_path / "dask")
    assert result.exit_code == 1 and "memory:// is one process's memory" in result.output
    memory.rm("/dask-test", recursive=True)


def test_paper_model_follows_the_measured_figures() -> None:
    from persian_ie.benchmarks.cluster import markdown_table, paper_model

    def run(workers: int, compute: float) -> dict:
        return {"workers": workers, "paragraphs": 1000, "words": 40_000, "parts": 4, "seconds": compute + 5,
                "cluster_start_seconds": 3.0, "load_seconds": 2.0, "compute_seconds": compute, "join_seconds": 0.1,
                "words_per_second": 40_000 / (compute + 5), "compute_words_per_second": 40_000 / compute,
                "output_bytes": 5_000_000, "peak_rss_mb_per_worker": [300.0] * workers}

    runs = [run(1, 10.0), run(2, 5.5)]
    overhead = {"partitions": 1000, "workers": 2, "seconds_per_partition": 0.01, "noop_task_seconds": 0.002}
    model = paper_model(runs, overhead, paragraphs=100_000_000, worker_counts=(8, 64, 512), partition_lines=4096,
                        cost_per_worker_hour=0.05)
    stated = model["assumptions"]
    assert stated["per_worker_paragraphs_per_second"] == 100 and stated["words_per_paragraph"] == 40
    assert stated["parallel_efficiency"] == pytest.approx(10 / 5.5 / 2)
    eight, _, many = model["rows"]
    rate = 100 * stated["parallel_efficiency"]
    assert eight["compute_hours"] == pytest.approx(-(-24415 // 8) * 4096 / rate / 3600)
    assert eight["bound"] == "compute" and many["compute_hours"] < eight["compute_hours"] / 50
    # 100M paragraphs of 5 KB joined at 50 MB/s is 10^4 s: at 512 workers the driver's join is the bound
    assert many["join_hours"] == pytest.approx(1e8 * 5000 / 5e7 / 3600) and many["bound"] == "join (driver)"
    assert many["cost_usd"] == pytest.approx(513 * many["wall_hours"] * 0.05)
    results = {"machine": {"cpus": 2, "python": "3.12"}, "input_mb": 0.5, "partition_lines": 256,
               "entity_scores": False, "identical_outputs": True, "runs": runs, "scheduler_overhead": overhead,
               "paper_model": model}
    table = markdown_table(results, "2026-01-01")
    assert "| `--workers 2` |" in table and "1.43x" in table and "| 512 | 24,415 |" in table
