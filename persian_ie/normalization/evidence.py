"""Evidence counted in raw news: how writers who care about half-spaces spell what is ambiguous.

hazm's word frequencies cannot settle three kinds of question that real news can:

- `affixes`: a glued word that splits two ways (`مجموعهای` = `مجموعه‌ای` or `مجموع‌های`): writers who
  detach the affix (with a space or a half-space) show which stem it belongs to. Counted on all lines.
- `spellings`: a word written both glued and with a half-space (`اینکه` / `این‌که`, `مهمترین` /
  `مهم‌ترین`): how often careful writers use each, so that a glued spelling they use freely is left
  alone and one they never use gets its half-space back.
- `junctions`: two words that may be one (`راه اندازی` / `راه‌اندازی`, `ارائه شده` / `ارائه‌شده`): how
  often careful writers join them with a half-space and how often they keep the space.
- `bound`: word parts that careful writers attach after a half-space far more often than they write
  them as words of their own (`دار`, `گیری`, `رسانی`, but not `نامه` or `بخشی`): how often each is
  attached, after how many different words, and how often it stands alone. A pair never seen in
  the news (`یخچال دار`) is joined on this evidence.

"Careful" lines write half-spaces at all and never leave a bound morpheme standing alone
(`BOUND_MORPHEMES`): in them a space or a glued spelling is a choice, not damage. The counts are built
once from the raw news asset (`spacy project run affix-evidence`) and shipped with the package; the
tokenizer saves them with every pipeline.
"""

import gzip
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterable, Optional, Sequence, Tuple

from ..errors import PersianIEError
from ..io.files import write_bytes_atomic
from .artifact import cached_blob, pack_artifact, unpack_artifact
from .chars import LETTER_OR_ZWNJ, PERSIAN_LETTERS, TRANSLATION, ZWNJ

DATA_PATH = Path(__file__).parent / "data" / "affix_evidence.tsv.gz"
FORMAT = "persian_ie.evidence.v1"
MIN_COUNT = 2
# a right part is counted as possibly bound from this many attached uses on (the table stays small)
MIN_BOUND_ATTACHED = 10
# morphemes that never stand alone in carefully written news: a line with one alone lost half-spaces
BOUND_MORPHEMES = frozenset(("ها", "های", "هایی", "ترین", "می", "نمی", "اند", "ایم", "اید"))
WORD_RE = re.compile(f"[{PERSIAN_LETTERS}]{LETTER_OR_ZWNJ}*")
_HALF_SPACE_RE = re.compile(f"[{PERSIAN_LETTERS}]{ZWNJ}[{PERSIAN_LETTERS}]")

Pair = Tuple[str, str]


@dataclass(frozen=True)
class Evidence:
    """affixes: (stem, suffix) -> times detached; spellings: glued word -> (its half-space spelling,
    times written so, times written glued); junctions: (left, right) -> (times joined by a half-space,
    times spaced)."""

    affixes: Dict[Pair, int]
    spellings: Dict[str, Tuple[str, int, int]]
    junctions: Dict[Pair, Tuple[int, int]]
    bound: Dict[str, Tuple[int, int, int]] = field(default_factory=dict)
    """right part -> (times attached, after how many different words, times standing alone)"""

    @classmethod
    def empty(cls) -> "Evidence":
        return cls({}, {}, {}, {})

    def rows(self) -> Iterable[Tuple[str, ...]]:
        """The tab-separated rows of the shipped table, kind first."""
        for (stem, suffix), n in sorted(self.affixes.items()):
            yield "affix", stem, suffix, str(n)
        for glued, (spelling, attached, glued_count) in sorted(self.spellings.items()):
            yield "spelling", glued, spelling, str(attached), str(glued_count)
        for (left, right), (attached, spaced) in sorted(self.junctions.items()):
            yield "junction", left, right, str(attached), str(spaced)
        for right, (attached, lefts, alone) in sorted(self.bound.items()):
            yield "bound", right, str(attached), str(lefts), str(alone)

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence]) -> "Evidence":
        evidence = cls.empty()
        for row in rows:
            kind = row[0]
            if kind == "affix":
                evidence.affixes[row[1], row[2]] = int(row[3])
            elif kind == "spelling":
                evidence.spellings[row[1]] = (row[2], int(row[3]), int(row[4]))
            elif kind == "junction":
                evidence.junctions[row[1], row[2]] = (int(row[3]), int(row[4]))
            elif kind == "bound":
                evidence.bound[row[1]] = (int(row[2]), int(row[3]), int(row[4]))
            elif len(row) == 3:  # the first format: stem, suffix, count
                evidence.affixes[row[0], row[1]] = int(row[2])
            else:
                raise PersianIEError(f"unknown evidence row {row[:2]!r}")
        return evidence

    def to_bytes(self) -> bytes:
        """The rows as one compressed msgpack blob (the tokenizer saves this with a pipeline)."""
        return cached_blob(self, self._encode)

    def _encode(self) -> bytes:
        columns: Dict[str, list] = {"affix": [], "spelling": [], "junction": [], "bound": []}
        for row in self.rows():
            columns[row[0]].append(list(row[1:]))
        return pack_artifact(columns, FORMAT, level=9)

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Evidence":
        data = unpack_artifact(blob, FORMAT, "an evidence")
        evidence = cls(
            {(stem, suffix): int(n) for stem, suffix, n in data["affix"]},
            {glued: (spelling, int(a), int(g)) for glued, spelling, a, g in data["spelling"]},
            {(left, right): (int(a), int(s)) for left, right, a, s in data["junction"]},
            # pipelines saved before the bound parts were counted carry none
            {right: (int(a), int(n), int(alone)) for right, a, n, alone in data.get("bound", [])},
        )
        object.__setattr__(evidence, "_blob", blob)
        return evidence


def count_affixes(lines: Iterable[str], suffixes: Iterable[str]) -> Counter:
    """Count (stem, suffix) pairs where the suffix stands detached after the stem."""
    suffix_set = set(suffixes)
    counts: Counter = Counter()
    for line in lines:
        tokens = line.translate(TRANSLATION).split()
        previous = ""
        for token in tokens:
            segments = token.split(ZWNJ)
            if segments[0] in suffix_set and previous:
                counts[previous, segments[0]] += 1
            for left, right in zip(segments, segments[1:]):
                if right in suffix_set and left:
                    counts[left, right] += 1
            previous = segments[-1]
    return counts


def is_careful(line: str) -> bool:
    """Whether a (normalized) line writes half-spaces and leaves no bound morpheme standing alone."""
    return _HALF_SPACE_RE.search(line) is not None and not any(t in BOUND_MORPHEMES for t in line.split())


@dataclass
class CarefulCounts:
    """Spellings and word pairs counted in careful lines."""

    spelled: Counter
    glued: Counter
    attached: Counter
    spaced: Counter


def count_careful(lines: Iterable[str]) -> CarefulCounts:
    """Count, in careful lines, every word's spelling and every junction of two words.

    `lines` are normalized without half-space restoration, so they read as the restorer sees text.
    """
    counts = CarefulCounts(Counter(), Counter(), Counter(), Counter())
    for line in lines:
        if not is_careful(line):
            continue
        previous: Optional[str] = None
        previous_end = -2
        for match in WORD_RE.finditer(line):
            word, start = match.group(), match.start()
            segments = word.split(ZWNJ)
            if len(segments) > 1:
                counts.spelled[word] += 1
                counts.attached.update(zip(segments, segments[1:]))
            else:
                counts.glued[word] += 1
            if previous is not None and start == previous_end + 1 and line[previous_end] == " ":
                counts.spaced[previous, segments[0]] += 1
            previous, previous_end = segments[-1], match.end()
    return counts


def bound_parts(
    careful: CarefulCounts, compound_left: Callable[[str], bool], min_attached: int = MIN_BOUND_ATTACHED
) -> Dict[str, Tuple[int, int, int]]:
    """Right parts attached at least `min_attached` times: (times attached, after how many different
    words, times standing alone). Only lefts that `compound_left` accepts count (not `می`, not `که`)."""
    attached: Counter = Counter()
    lefts: Counter = Counter()
    for (left, right), n in careful.attached.items():
        if compound_left(left):
            attached[right] += n
            lefts[right] += 1
    return {right: (n, lefts[right], careful.glued.get(right, 0))
            for right, n in attached.items() if n >= min_attached}


def gather_evidence(
    affixes: Counter,
    careful: CarefulCounts,
    would_change: Callable[[str], bool],
    would_join: Callable[[str, str], bool],
    min_count: int = MIN_COUNT,
    compound_left: Optional[Callable[[str], bool]] = None,
) -> Evidence:
    """Keep what can change a decision: spellings and junctions seen with a half-space, the glued
    words and spaced pairs that the restorer would otherwise change, and the parts writers attach."""
    best: Dict[str, Tuple[str, int]] = {}
    for spelling, n in careful.spelled.items():
        key = spelling.replace(ZWNJ, "")
        if key not in best or n > best[key][1]:
            best[key] = (spelling, n)
    spellings = {
        key: (spelling, n, careful.glued.get(key, 0))
        for key, (spelling, n) in best.items()
        if n + careful.glued.get(key, 0) >= min_count
    }
    for word, n in careful.glued.items():
        if word not in spellings and word not in best and would_change(word):
            spellings[word] = ("", 0, n)
    junctions = {
        pair: (n, careful.spaced.get(pair, 0))
        for pair, n in careful.attached.items()
        if n + careful.spaced.get(pair, 0) >= min_count
    }
    for pair, n in careful.spaced.items():
        if n >= min_count and pair not in careful.attached and would_join(*pair):
            junctions[pair] = (0, n)
    affix_rows = {pair: n for pair, n in affixes.items() if n >= min_count}
    bound = bound_parts(careful, compound_left or (lambda left: True))
    return Evidence(affix_rows, spellings, junctions, bound)


def write_evidence(evidence: Evidence, path: Path = DATA_PATH) -> int:
    """Write the evidence as a gzipped TSV, a row per fact with its kind first; returns the rows."""
    rows = ["\t".join(row) for row in evidence.rows()]
    header = (
        "# kind, then: affix stem suffix n | spelling glued spelling attached glued"
        " | junction left right attached spaced | bound right attached lefts alone"
    )
    write_bytes_atomic(path, gzip.compress(("\n".join([header, *rows]) + "\n").encode("utf-8"), mtime=0))
    return len(rows)


def read_evidence(path: Path) -> Evidence:
    with gzip.open(path, "rt", encoding="utf-8") as file:
        return Evidence.from_rows(
            line.rstrip("\n").split("\t") for line in file if line.strip() and not line.startswith("#")
        )


@lru_cache(maxsize=1)
def load_evidence(path: Path = DATA_PATH) -> Evidence:
    """The shipped counts, or none when the table has not been built."""
    if not path.exists():
        return Evidence.empty()
    return read_evidence(path)
