"""Paths a cluster can reach: fsspec URLs (`file://`, `memory://`, `s3://`, `gs://`...) and local paths.

A cluster run reads its input on the driver and writes its parts from the workers, so both must
name the same storage: a shared disk, an object store, or (for an in-process cluster only) memory.
Writes are atomic on every filesystem: a temporary name beside the target, then a rename; on a
local disk the file is synced first, as `files.py` does. `s3://` and `gs://` need their fsspec
backend (s3fs, gcsfs) installed where the URL is opened.
"""

import hashlib
import os
import posixpath
import uuid
from contextlib import contextmanager
from typing import BinaryIO, Iterator, List, Optional, Tuple, Union

import fsspec
from fsspec.implementations.local import LocalFileSystem
from fsspec.spec import AbstractFileSystem

from ..errors import PersianIEError

CHUNK = 1 << 20


def is_url(path: Union[str, os.PathLike]) -> bool:
    """True for `protocol://...`; a plain path stays a local path."""
    return "://" in str(path)


def resolve(url: Union[str, os.PathLike]) -> Tuple[AbstractFileSystem, str]:
    """The filesystem and the path in it. A local path becomes absolute, so that workers started in
    another folder find it too."""
    try:
        return fsspec.core.url_to_fs(str(url))
    except (ImportError, ValueError) as err:  # an unknown protocol, or its backend is not installed
        raise PersianIEError(f"cannot open this URL: {err}", str(url)) from None


def is_local(fs: AbstractFileSystem) -> bool:
    return isinstance(fs, LocalFileSystem)


def display(fs: AbstractFileSystem, path: str) -> str:
    """How messages name a path: plain on a local disk, as a URL elsewhere."""
    return path if is_local(fs) else fs.unstrip_protocol(path)


def join(path: str, name: str) -> str:
    return f"{path.rstrip('/')}/{name}"


def text_files(fs: AbstractFileSystem, path: str, url: str) -> List[Tuple[str, str]]:
    """(path, name relative to `path`) of the file, or of a folder's .txt files in the order the
    local reader uses (sorted by path components)."""
    if fs.isfile(path):
        return [(path, posixpath.basename(path))]
    if not fs.isdir(path):
        raise PersianIEError("file or folder not found", url)
    root = path.rstrip("/")
    found = sorted((p for p in fs.find(root) if p.endswith(".txt")), key=lambda p: p[len(root) + 1:].split("/"))
    if not found:
        raise PersianIEError("the folder has no .txt files", url)
    return [(p, p[len(root) + 1:]) for p in found]


@contextmanager
def atomic_writer(fs: AbstractFileSystem, path: str) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` whole, or not at all, when the block ends."""
    parent = posixpath.dirname(path)
    if parent:
        fs.makedirs(parent, exist_ok=True)
    tmp = join(parent, f".{posixpath.basename(path)}.{uuid.uuid4().hex}.tmp")
    try:
        if is_local(fs):
            with open(tmp, "wb") as file:
                yield file
                file.flush()
                os.fsync(file.fileno())
            os.replace(tmp, path)
        else:
            with fs.open(tmp, "wb") as file:
                yield file
            fs.mv(tmp, path)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp)
        raise


def write_atomic(fs: AbstractFileSystem, path: str, data: bytes) -> None:
    with atomic_writer(fs, path) as file:
        file.write(data)


def sha256_of(fs: AbstractFileSystem, path: str) -> Optional[str]:
    """The file's sha256 (hex), or None when it does not exist."""
    if not fs.isfile(path):
        return None
    digest = hashlib.sha256()
    with fs.open(path, "rb") as file:
        for chunk in iter(lambda: file.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
