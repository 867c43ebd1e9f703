"""Batch prediction on a Dask cluster: the tasks of `predict`, byte for byte, computed by many workers.

The driver reads the input with the single-process reader (`accepted_units`: the same paragraphs,
rejections, messages and `--skip-invalid`) and cuts it into partitions of `partition_lines`
paragraphs, one Dask task each, with a bounded number in flight so that the input is streamed. A
worker plugin loads the pipeline once per worker process and keeps it (a restarted worker loads it
again when it joins). A worker writes its partition's tasks to `OUTPUT.parts/part-NNNNN.jsonl`
atomically and returns the counts and a sha256; the driver records them in
`OUTPUT.parts/manifest.json`, with the model and settings the parts belong to and a digest of each
partition's input paragraphs. When every part is there, the parts are joined in input order into
OUTPUT (atomically): the bytes single-process `predict` writes.

Faults: a worker that dies loses only the partition it was computing, which the scheduler runs again
on another worker (`retries` covers a task that raised). A driver that dies leaves the parts and the
manifest; with `resume`, every part whose file still has the manifest's sha256 and whose input
paragraphs are unchanged is kept, and only the others are computed.

INPUT and OUTPUT may be fsspec URLs. The driver reads INPUT; the workers write the parts, so OUTPUT
must be storage that the workers and the driver share: an object store (`s3://`, `gs://`), a shared
disk, or `memory://` for an in-process cluster only (`LocalCluster(processes=False)`).
"""

import hashlib
import itertools
import os
import posixpath
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import srsly
from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
from fsspec.implementations.memory import MemoryFileSystem
from fsspec.spec import AbstractFileSystem
from spacy.util import minibatch

from ..errors import PersianIEError
from ..io.files import write_text_atomic
from ..io.prodigy import task_confidence
from ..io.review_page import MAX_TASKS, render_review_page
from ..io.urls import CHUNK, atomic_writer, display, is_url, join, resolve, sha256_of, write_atomic
from ..pipeline.loading import load_pipeline, pipeline_location
from .predict import DEFAULT_PARTITION_LINES, Unit, accepted_units, annotate_batch

PLUGIN_NAME = "persian-ie-pipeline"
# every partition's Dask key starts with this (a test hook or a dashboard can tell them apart)
PART_KEY_PREFIX = "persian-ie-part-"
MANIFEST_FORMAT = 1
# the manifest is rewritten as each part finishes while it is small; past MANIFEST_SMALL parts at most every
# MANIFEST_INTERVAL seconds, so that rewriting it stays a small cost per part (it grows with the run); a
# killed driver then loses at most the parts of the last seconds
MANIFEST_SMALL = 100
MANIFEST_INTERVAL = 2.0
PartCallback = Callable[[Dict[str, Any]], None]


def part_name(index: int) -> str:
    return f"part-{index:05d}.jsonl"


class PipelinePlugin(WorkerPlugin):
    """Loads the pipeline once per worker and keeps it for every partition the worker computes."""

    idempotent = False  # registering it again (a new run, maybe another model) reloads it

    def __init__(self, model: str, with_scores: bool, default_name: Optional[str] = None) -> None:
        self.model = model
        self.with_scores = with_scores
        self.default_name = default_name
        self.nlp: Any = None
        self.error: Optional[str] = None

    def setup(self, worker: Any) -> None:
        try:
            self.nlp = load_pipeline(self.model)
        except PersianIEError as err:  # the driver reports it in one line (no worker traceback in the log)
            self.error = str(err)
            return
        if self.default_name:
            self.nlp.meta.setdefault("name", self.default_name)

    def teardown(self, worker: Any) -> None:
        self.nlp = None


def _pipeline_error(dask_worker: Any) -> Optional[str]:
    return dask_worker.plugins[PLUGIN_NAME].error


def predict_part(index: int, units: List[Unit], fs: AbstractFileSystem, parts_path: str,
                 batch_size: int) -> Dict[str, Any]:
    """The Dask task: one partition's tasks, written atomically as one part file. Returns its counts
    and sha256 (what the manifest holds) and the seconds it took."""
    start = time.perf_counter()
    plugin = get_worker().plugins[PLUGIN_NAME]
    if plugin.error is not None:
        raise PersianIEError(plugin.error)
    lines = [srsly.json_dumps(task) + "\n" for batch in minibatch(units, batch_size)
             for task in annotate_batch(plugin.nlp, batch, plugin.with_scores)]
    data = "".join(lines).encode("utf-8")
    write_atomic(fs, join(parts_path, part_name(index)), data)
    return {"index": index, "units": len(units), "tasks": len(lines), "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "seconds": time.perf_counter() - start}


@contextmanager
def dask_client(scheduler: str, workers: int = 2, processes: bool = True) -> Iterator[Client]:
    """A client of a new `LocalCluster` (`scheduler="local"`: `workers` processes of one thread each,
    or threads of this process without `processes`), or of the cluster at a scheduler address."""
    if scheduler == "local":
        if workers < 1:
            raise PersianIEError(f"--workers must be at least 1, not {workers}")
        # the HTTP server on a free local port: two local runs (or a dashboard elsewhere) never clash on 8787
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                               dashboard_address="127.0.0.1:0")
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if "://" not in scheduler:
        raise PersianIEError(f"--scheduler must be 'local' or a scheduler address like tcp://host:8786, "
                             f"not {scheduler!r}")
    try:
        client = Client(scheduler, timeout="30s")
    except (OSError, TimeoutError) as err:
        raise PersianIEError(f"cannot reach the Dask scheduler: {err}", scheduler) from None
    with client:
        yield client


def workers_share_this_process(client: Client) -> bool:
    """True when every worker is a thread of this process (an in-process cluster)."""
    return set(client.run(os.getpid).values()) <= {os.getpid()}


def model_fingerprint(location: Union[Path, str]) -> str:
    """sha256 of a pipeline folder's files (names and bytes), or the name and version of a package:
    parts made by another model are never reused."""
    if isinstance(location, str):
        from importlib.metadata import version

        return f"package:{location}=={version(location)}"
    digest = hashlib.sha256()
    for file in sorted(p for p in Path(location).rglob("*") if p.is_file()):
        digest.update(file.relative_to(location).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    return digest.hexdigest()


def units_digest(units: Iterable[Unit]) -> str:
    """sha256 of a partition's paragraphs with their records, indices and offsets: what its tasks
    are made of, so a resumed run recomputes a part whose input changed."""
    digest = hashlib.sha256()
    for unit in units:
        item = [unit.record.record_id, unit.record.meta, unit.index, unit.raw_start, unit.text]
        digest.update(srsly.json_dumps(item, sort_keys=True).encode("utf-8") + b"\n")
    return digest.hexdigest()


class Manifest:
    """`OUTPUT.parts/manifest.json`: what the parts belong to (input, model, settings) and, per part,
    index, units, tasks, bytes, sha256 and the digest of its input; replaced atomically."""

    def __init__(self, fs: AbstractFileSystem, parts_path: str, header: Dict[str, Any]) -> None:
        self.fs = fs
        self.path = join(parts_path, "manifest.json")
        self.header = header
        self.parts: Dict[int, Dict[str, Any]] = {}
        self.complete = False
        self._saved_at = 0.0

    def load_parts(self) -> None:
        """Keep the recorded parts of an earlier run with the same model and settings (resume)."""
        if not self.fs.isfile(self.path):
            return
        with self.fs.open(self.path, "rb") as file:
            old = srsly.json_loads(file.read())
        for key, what in (("model_sha256", "another model"),
                          ("settings", "other settings (partition lines, batch size, entity scores)")):
            if old.get(key) != self.header[key]:
                raise PersianIEError(f"the parts were made with {what} than this run's: run without --resume "
                                     "to start over", display(self.fs, self.path))
        self.parts = {int(part["index"]): part for part in old.get("parts", [])}

    def save(self, force: bool = False) -> None:
        if not force and len(self.parts) > MANIFEST_SMALL and time.monotonic() - self._saved_at < MANIFEST_INTERVAL:
            return
        data = {**self.header, "complete": self.complete, "parts": [self.parts[i] for i in sorted(self.parts)]}
        write_atomic(self.fs, self.path, (srsly.json_dumps(data, indent=2) + "\n").encode("utf-8"))
        self._saved_at = time.monotonic()


@dataclass
class DaskRun:
    """What a cluster run did: counts, where things went, and how long each stage took."""

    output: str
    parts_dir: str
    tasks: int = 0
    parts: int = 0
    computed: int = 0
    reused: int = 0
    rejected: List[Dict[str, Any]] = field(default_factory=list)
    rejected_path: Optional[str] = None
    seconds: Dict[str, float] = field(default_factory=dict)


def predict_on_dask(
    client: Client,
    input_url: str,
    output_url: str,
    model: Union[str, Path],
    partition_lines: int = DEFAULT_PARTITION_LINES,
    batch_size: int = 64,
    with_scores: bool = True,
    default_name: Optional[str] = None,
    skip_invalid: bool = False,
    resume: bool = False,
    sort: bool = False,
    retries: int = 2,
    on_part: Optional[PartCallback] = None,
) -> DaskRun:
    """Predict `input_url` into `output_url` on the client's cluster; see the module's docstring."""
    if partition_lines < 1:
        raise PersianIEError(f"--partition-lines must be at least 1, not {partition_lines}")
    location = pipeline_location(model)
    fs, out_path = resolve(output_url)
    if isinstance(fs, MemoryFileSystem) and not workers_share_this_process(client):
        raise PersianIEError("memory:// is one process's memory, and these workers are other processes: "
                             "use an in-process cluster (--scheduler local --no-processes) or shared storage",
                             output_url)
    parts_path = out_path + ".parts"
    run = DaskRun(output=fs.unstrip_protocol(out_path), parts_dir=display(fs, parts_path))
    header = {
        "format": MANIFEST_FORMAT,
        "input": input_url if is_url(input_url) else str(Path(input_url).resolve()),
        "model": str(location if isinstance(location, str) else Path(location).resolve()),
        "model_sha256": model_fingerprint(location),
        "settings": {"partition_lines": partition_lines, "batch_size": batch_size, "entity_scores": with_scores,
                     "default_name": default_name},
    }
    manifest = Manifest(fs, parts_path, header)
    if resume:
        manifest.load_parts()
    elif fs.exists(parts_path):
        fs.rm(parts_path, recursive=True)  # a fresh run: parts of an earlier one must not be mixed in
    fs.makedirs(parts_path, exist_ok=True)
    for stale in fs.ls(parts_path, detail=False):  # temporary files of workers killed mid-write
        if posixpath.basename(stale).startswith(".") and stale.endswith(".tmp"):
            fs.rm(stale)
    manifest.save(force=True)

    start = time.perf_counter()
    plugin = PipelinePlugin(str(header["model"]), with_scores, default_name)
    client.register_plugin(plugin, name=PLUGIN_NAME)
    run.seconds["load"] = time.perf_counter() - start
    try:
        errors = [error for error in client.run(_pipeline_error).values() if error is not None]
        if errors:
            raise PersianIEError(errors[0])
        _compute_parts(client, run, manifest, parts_path, accepted_units(input_url, skip_invalid, run.rejected),
                       partition_lines, batch_size, retries, on_part)
    finally:
        manifest.save(force=True)
        try:
            client.unregister_worker_plugin(PLUGIN_NAME)
        except Exception:  # the cluster may be gone; the result does not depend on it
            pass
    run.seconds["compute"] = time.perf_counter() - start - run.seconds["load"]

    start = time.perf_counter()
    for index in [i for i in manifest.parts if i >= run.parts]:  # parts of a longer input (resume)
        fs.rm(join(parts_path, part_name(index)))
        del manifest.parts[index]
    run.tasks = _join_parts(fs, out_path, parts_path, manifest, run.parts, sort)
    manifest.complete = True
    manifest.save(force=True)
    rejected_path = out_path + ".rejected.jsonl"
    if run.rejected or fs.exists(rejected_path):
        write_atomic(fs, rejected_path, "".join(srsly.json_dumps(r) + "\n" for r in run.rejected).encode("utf-8"))
        run.rejected_path = display(fs, rejected_path)
    run.seconds["join"] = time.perf_counter() - start
    return run


def _compute_parts(client: Client, run: DaskRun, manifest: Manifest, parts_path: str, units: Iterable[Unit],
                   partition_lines: int, batch_size: int, retries: int, on_part: Optional[PartCallback]) -> None:
    """Submit the partitions that have no good part yet, at most a few per worker thread at a time."""
    fs = manifest.fs
    run_id = uuid.uuid4().hex[:8]
    threads = sum(client.nthreads().values()) or 1
    limit = max(2, 2 * threads)
    in_flight = as_completed()
    digests: Dict[int, str] = {}

    def finish(future: Any) -> None:
        index = int(future.key[len(PART_KEY_PREFIX):].split("-")[0])
        try:
            result = future.result()
        except PersianIEError:
            raise
        except Exception as err:  # whatever failed on the worker, after its retries
            raise PersianIEError(f"{part_name(index)} failed on the cluster: {type(err).__name__}: {err}",
                                 run.parts_dir) from None
        entry = {key: result[key] for key in ("index", "units", "tasks", "bytes", "sha256")}
        manifest.parts[index] = {**entry, "input_sha256": digests.pop(index)}
        run.computed += 1
        manifest.save()
        if on_part is not None:
            on_part({**result, "reused": False})

    try:
        for index, chunk in enumerate(minibatch(units, partition_lines)):
            run.parts = index + 1
            digest = units_digest(chunk)
            old = manifest.parts.get(index)
            if old is not None and old.get("input_sha256") == digest and \
                    sha256_of(fs, join(parts_path, part_name(index))) == old["sha256"]:
                run.reused += 1
                if on_part is not None:
                    on_part({**old, "reused": True})
                continue
            manifest.parts.pop(index, None)
            digests[index] = digest
            in_flight.add(client.submit(predict_part, index, chunk, fs, parts_path, batch_size, pure=False,
                                        key=f"{PART_KEY_PREFIX}{index:05d}-{run_id}", retries=retries))
            while in_flight.count() >= limit:
                finish(next(in_flight))
        while not in_flight.is_empty():
            finish(next(in_flight))
    except BaseException:
        client.cancel(list(in_flight.futures))
        raise


def _join_parts(fs: AbstractFileSystem, out_path: str, parts_path: str, manifest: Manifest, n_parts: int,
                sort: bool) -> int:
    """Write OUTPUT from the parts, in input order (or least confident first with `sort`, ties in input
    order, as `predict --sort uncertainty`), checking each part against its sha256. Returns the tasks."""
    keys: List[Tuple[float, int, int, int]] = []  # (confidence, position, part, byte offset in the part)
    tasks = 0
    with atomic_writer(fs, out_path) as target:
        for index in range(n_parts):
            path = join(parts_path, part_name(index))
            entry = manifest.parts.get(index)
            digest = hashlib.sha256()
            if entry is not None and fs.isfile(path):
                with fs.open(path, "rb") as source:
                    if sort:
                        offset = 0
                        for line in source:
                            digest.update(line)
                            keys.append((task_confidence(srsly.json_loads(line)), len(keys), index, offset))
                            offset += len(line)
                    else:
                        for chunk in iter(lambda source=source: source.read(CHUNK), b""):
                            digest.update(chunk)
                            target.write(chunk)
            if entry is None or digest.hexdigest() != entry["sha256"]:
                raise PersianIEError(f"{part_name(index)} is missing or changed since it was written (the driver "
                                     "must see the storage the workers write to): run again with --resume",
                                 display(fs, path))
            tasks += entry["tasks"]
        if sort:
            _write_sorted(fs, parts_path, sorted(keys), target)
    return tasks


def _write_sorted(fs: AbstractFileSystem, parts_path: str, keys: List[Tuple[float, int, int, int]],
                  target: Any, open_files: int = 32) -> None:
    """Copy the parts' lines in key order, keeping a few part files open."""
    handles: OrderedDict[int, Any] = OrderedDict()
    try:
        for _, _, index, offset in keys:
            if index not in handles:
                if len(handles) >= open_files:
                    handles.popitem(last=False)[1].close()
                handles[index] = fs.open(join(parts_path, part_name(index)), "rb")
            handles.move_to_end(index)
            handles[index].seek(offset)
            target.write(handles[index].readline())
    finally:
        for handle in handles.values():
            handle.close()


def input_exists(input_url: str) -> bool:
    fs, path = resolve(input_url)
    return fs.exists(path)


def write_review_page(output_url: str, review_dir: Path, total: int) -> Path:
    """`predict`'s review page for a cluster run's output, from its first tasks only."""
    fs, path = resolve(output_url)
    name = posixpath.basename(path)
    with fs.open(path, "rb") as file:
        tasks = (srsly.json_loads(line) for line in itertools.islice(file, MAX_TASKS))
        html = render_review_page(tasks, title=name, total=total)
    page = Path(review_dir) / f"{posixpath.splitext(name)[0]}.html"
    write_text_atomic(page, html)
    return page
