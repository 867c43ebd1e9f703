"""Atomic file writes: a temporary file beside the target, then a rename."""

import os
import tempfile
from pathlib import Path
from typing import Any, Union

import srsly


def write_text_atomic(path: Union[str, Path], text: str) -> None:
    """Write `text` so that readers see the old file or the new one, never half of it."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Union[str, Path], data: Any) -> None:
    write_bytes_atomic(path, (srsly.json_dumps(data, indent=2) + "\n").encode("utf-8"))


def write_bytes_atomic(path: Union[str, Path], data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, sync it, then rename it onto `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
