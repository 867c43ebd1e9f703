"""Crash-safe JSONL output for long batch runs: partial file, progress record, atomic finish.

Tasks are appended to `<output>.partial` a batch at a time; after each batch is on disk (fsync),
the byte size of the partial file and the number of input paragraphs done are written to
`<output>.partial.progress` (itself replaced atomically). A run killed at any point leaves the
previous `<output>` untouched. With `resume`, a new run truncates the partial file to the last
recorded size and skips the paragraphs already done, so the result equals an uninterrupted run.
`finish` renames the partial file onto the output (sorting it first when asked), which readers
see as one atomic change.
"""

import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, TextIO, Tuple

import srsly

from ..errors import PersianIEError
from .files import write_text_atomic


class ResumableWriter:
    """Append tasks to `<output>.partial`, record progress after every batch, finish atomically.

    When the output is to be sorted, each line carries a sort key (for example the task's confidence);
    the keys and the lines' byte offsets go to `<output>.partial.keys` as they are written, so ordering
    the output at the end needs no second reading of it, resumed runs included.
    """

    def __init__(self, output: Path, resume: bool = False) -> None:
        self.output = Path(output)
        self.partial = self.output.with_name(self.output.name + ".partial")
        self.progress_path = self.output.with_name(self.output.name + ".partial.progress")
        self.keys_path = self.output.with_name(self.output.name + ".partial.keys")
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.units_done = 0
        self.tasks_written = 0
        self.sort_keys: List[Tuple[float, int]] = []
        size = 0
        if resume and self.partial.exists() and self.progress_path.exists():
            progress = srsly.read_json(self.progress_path)
            self.units_done = int(progress["units"])
            self.tasks_written = int(progress["tasks"])
            size = int(progress["bytes"])
            if self.keys_path.exists():
                keys = [tuple(item) for item in srsly.read_jsonl(self.keys_path)]
                self.sort_keys = [(float(key), int(offset)) for key, offset in keys[: self.tasks_written]]
        mode = "r+b" if size else "wb"
        if not size and self.partial.exists():
            self.partial.unlink()
        self.file = open(self.partial, mode)
        self.file.truncate(size)
        self.file.seek(size)
        self.keys_file: Optional[TextIO] = None  # opened by the first batch that brings sort keys
        self._save_progress()

    def _save_progress(self) -> None:
        write_text_atomic(
            self.progress_path,
            srsly.json_dumps({"units": self.units_done, "tasks": self.tasks_written, "bytes": self.file.tell()}),
        )

    def write_batch(self, tasks: Iterable[Dict[str, Any]], units: int,
                    sort_keys: Optional[Sequence[float]] = None) -> None:
        """Append a batch of tasks made from `units` input paragraphs (with a sort key per task), and
        record the progress."""
        lines = [(srsly.json_dumps(task) + "\n").encode("utf-8") for task in tasks]
        if sort_keys is not None:
            if self.keys_file is None:  # the keys of a resumed run's lines first, then this run's
                self.keys_file = open(self.keys_path, "w", encoding="utf-8")
                self.keys_file.write("".join(srsly.json_dumps(list(item)) + "\n" for item in self.sort_keys))
            position = self.file.tell()
            for key, line in zip(sort_keys, lines):
                self.sort_keys.append((float(key), position))
                self.keys_file.write(srsly.json_dumps([float(key), position]) + "\n")
                position += len(line)
            self.keys_file.flush()
        self.file.write(b"".join(lines))
        self.file.flush()
        os.fsync(self.file.fileno())
        self.units_done += units
        self.tasks_written += len(lines)
        self._save_progress()

    def finish(self, sort: bool = False) -> Path:
        """Move the partial file onto the output, its lines ordered by their sort keys with `sort`."""
        self.file.close()
        if self.keys_file is not None:
            self.keys_file.close()
        if sort and len(self.sort_keys) != self.tasks_written:
            raise PersianIEError("the run being resumed wrote its lines without sort keys: run it again without "
                                 "--resume, or resume it with the sort it started with", str(self.output))
        if sort:
            sorted_path = self.partial.with_name(self.partial.name + ".sorted")
            with open(self.partial, "rb") as source, open(sorted_path, "wb") as target:
                for _, offset in sorted(self.sort_keys):
                    source.seek(offset)
                    target.write(source.readline())
                target.flush()
                os.fsync(target.fileno())
            os.replace(sorted_path, self.partial)
        os.replace(self.partial, self.output)
        self.progress_path.unlink(missing_ok=True)
        self.keys_path.unlink(missing_ok=True)
        return self.output
