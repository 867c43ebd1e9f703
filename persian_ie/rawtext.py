"""The raw-news asset: one paragraph per line, built from the public Fars/Varzesh3/Namnak JSON files.

The shared copy in `../shared/rawtext/` was built this way; elsewhere, `spacy project assets`
fetches the source repository and `build_rawtext` rebuilds the file from it. Articles that the
real-news development set annotates are left out, so the dev set never leaks into vectors or the
normalizer's evidence.
"""

import gzip
from pathlib import Path
from typing import Iterable, Iterator, List, Set, Tuple

import srsly

from .errors import PersianIEError

SOURCE_FILES = (
    [f"news/fars-news-{i}.json" for i in range(1, 6)]
    + [f"sports/varzesh3-{i}.json" for i in range(1, 6)]
    + ["health/namnak-5.json"]
)
MIN_WORDS = 3


def held_out_articles(realdev_path: Path) -> Set[Tuple[str, int]]:
    """(source file name, article index) of every article the dev set annotates."""
    if not Path(realdev_path).exists():
        return set()
    return {
        (record["meta"]["source"], int(record["meta"]["article"]))
        for record in srsly.read_jsonl(realdev_path)
        if "meta" in record
    }


def article_lines(folder: Path, held_out: Set[Tuple[str, int]]) -> Iterator[str]:
    """Titles, abstracts and paragraphs of every article that is not held out."""
    for relative in SOURCE_FILES:
        path = Path(folder) / relative
        if not path.exists():
            raise PersianIEError("source file missing (run `spacy project assets`)", str(path))
        for index, article in enumerate(srsly.read_json(path)):
            if (path.name, index) in held_out:
                continue
            yield from (article.get("title") or "", article.get("abstract") or "")
            yield from article.get("paragraphs") or []


def unique_lines(lines: Iterable[str], min_words: int = MIN_WORDS) -> List[str]:
    """One paragraph per line, first occurrence kept, lines under `min_words` words dropped."""
    seen: Set[str] = set()
    result = []
    for line in lines:
        line = " ".join(str(line).split())
        if len(line.split()) < min_words or line in seen:
            continue
        seen.add(line)
        result.append(line)
    return result


def write_gzip_lines(path: Path, lines: Iterable[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as file:
        for line in lines:
            file.write(line + "\n")
            count += 1
    return count


def read_gzip_lines(path: Path) -> Iterator[str]:
    """Lines of a gzipped text file; a missing or broken file is a one-line error."""
    if not Path(path).exists():
        raise PersianIEError("file not found (run `spacy project run rawtext`)", str(path))
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            for line in file:
                yield line.rstrip("\n")
    except (OSError, UnicodeDecodeError) as err:
        raise PersianIEError(f"cannot read gzipped UTF-8 text: {err}", str(path)) from None
