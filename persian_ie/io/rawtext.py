"""The raw-news asset: one paragraph per line, built from the public Fars/Varzesh3/Namnak JSON files.

The shared copy in `../shared/rawtext/` was built this way; elsewhere, `spacy project assets`
fetches the source repository and `build_rawtext` rebuilds the file from it. Articles that the
real-news development set annotates are left out, so the dev set never leaks into vectors or the
normalizer's evidence.
"""

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, List, Set, Tuple

import srsly

from ..errors import PersianIEError
from ..punctuation import CLAUSE_END, CLOSING_MARKS

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


TITLE_MAX_WORDS = 20
LINE_END = CLAUSE_END + CLOSING_MARKS
VARZESH3_MARK = "ورزش سه"


@dataclass
class Article:
    """A run of raw-text lines that reads as one article: a title line, then its paragraphs.

    The asset keeps each source article's title, abstract and paragraphs in order, one per line, but
    not the article boundaries. A line is taken as a title when it is short and does not end a
    sentence while the next line does; `first_line` (0-based) identifies the article.
    """

    first_line: int
    lines: List[str]
    outlet: str = "fars"

    @property
    def article_id(self) -> str:
        return f"L{self.first_line}"


def is_title(line: str) -> bool:
    return len(line.split()) <= TITLE_MAX_WORDS and not line.rstrip().endswith(LINE_END)


def read_articles(path: Path) -> List[Article]:
    """The asset's lines grouped into articles, each with its outlet.

    The asset holds the Fars files, then Varzesh3's, then Namnak's (`SOURCE_FILES`): articles before
    the first one that credits «ورزش سه» are Fars, those after the last such one are Namnak.
    """
    articles: List[Article] = []
    lines = list(read_gzip_lines(path))
    for index, line in enumerate(lines):
        starts = is_title(line) and index + 1 < len(lines) and not is_title(lines[index + 1])
        if starts or not articles:
            articles.append(Article(index, [line]))
        else:
            articles[-1].lines.append(line)
    marked = [i for i, article in enumerate(articles) if any(VARZESH3_MARK in line for line in article.lines)]
    if marked:
        for i, article in enumerate(articles):
            article.outlet = "fars" if i < marked[0] else "varzesh3" if i <= marked[-1] else "namnak"
    return articles
