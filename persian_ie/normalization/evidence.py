"""Affix evidence counted in raw news: how often a stem is followed by a detached affix.

A glued word can often be split two ways (`مجموعهای` = `مجموعه‌ای` or `مجموع‌های`), and hazm's word
frequencies cannot tell which. Real news can: writers who detach the affix (with a space or a
half-space) show which stem it belongs to. The counts are built once from the raw news asset
(`spacy project run affix-evidence`) and shipped with the package.
"""

import gzip
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, Tuple

from .chars import TRANSLATION, ZWNJ

DATA_PATH = Path(__file__).parent / "data" / "affix_evidence.tsv.gz"
MIN_COUNT = 2


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


def write_evidence(counts: Counter, path: Path = DATA_PATH, min_count: int = MIN_COUNT) -> int:
    """Write the counts that reach `min_count` as a gzipped TSV; returns the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted((pair, n) for pair, n in counts.items() if n >= min_count)
    with gzip.open(path, "wt", encoding="utf-8") as file:
        for (stem, suffix), n in rows:
            file.write(f"{stem}\t{suffix}\t{n}\n")
    return len(rows)


@lru_cache(maxsize=1)
def load_evidence(path: Path = DATA_PATH) -> Dict[Tuple[str, str], int]:
    """The shipped counts, or none when the table has not been built."""
    if not path.exists():
        return {}
    evidence = {}
    with gzip.open(path, "rt", encoding="utf-8") as file:
        for line in file:
            stem, suffix, n = line.rstrip("\n").split("\t")
            evidence[stem, suffix] = int(n)
    return evidence
