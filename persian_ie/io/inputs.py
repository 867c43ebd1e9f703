"""Reading raw inputs: .txt files, folders of them, and JSONL records, with errors that say where."""

from pathlib import Path
from typing import Iterator, List, Tuple, Union

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
