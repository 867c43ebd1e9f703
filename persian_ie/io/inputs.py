"""Reading raw inputs: .txt files, folders of them, and JSONL records, with errors that say where."""

import posixpath
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, List, Tuple, Union

from ..errors import PersianIEError


def read_text(path: Union[str, Path]) -> str:
    """A UTF-8 text file; a file that is not UTF-8 names the byte offset of the first bad byte."""
    path = Path(path)
    if not path.exists():
        raise PersianIEError("file not found", str(path))
    if path.is_dir():
        raise PersianIEError("expected a file, found a folder", str(path))
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise PersianIEError(f"not UTF-8 ({err.reason})", str(path), offset=err.start) from None


def text_files(path: Union[str, Path]) -> List[Path]:
    """The .txt files of a folder (sorted), or the file itself."""
    path = Path(path)
    if not path.exists():
        raise PersianIEError("file or folder not found", str(path))
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            raise PersianIEError("the folder has no .txt files", str(path))
        return files
    return [path]


@dataclass
class InputFile:
    """One input file: its file name, its name in the input (relative to a folder), how to open it."""

    name: str
    relative: str
    open: Callable[[], AbstractContextManager[BinaryIO]]

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.name)[1]


def input_files(path: Union[str, Path]) -> List[InputFile]:
    """The file, or a folder's .txt files (sorted); a `protocol://` URL is read through fsspec."""
    if "://" in str(path):
        try:
            from . import urls
        except ImportError:
            raise PersianIEError("reading a URL needs fsspec: pip install -e '.[distributed]'", str(path)) from None
        fs, root = urls.resolve(path)
        return [InputFile(posixpath.basename(p), relative, lambda p=p: fs.open(p, "rb"))
                for p, relative in urls.text_files(fs, root, str(path))]
    path = Path(path)
    files = [path] if path.is_file() else text_files(path)
    return [InputFile(f.name, str(f.relative_to(path)) if path.is_dir() else f.name, lambda f=f: f.open("rb"))
            for f in files]


def split_paragraphs(text: str) -> Iterator[Tuple[int, int, str]]:
    """(start, end, paragraph) for every non-empty line, offsets into `text`.

    News files hold one paragraph per line, with or without blank lines between them (the seed
    article has them). Leading and trailing whitespace stays outside the paragraph.
    """
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = position + line.index(stripped[0])
            yield start, start + len(stripped), stripped
        position += len(line)
