"""hazm's packaged lexicon (words.dat, verbs.dat) arranged for half-space restoration.

hazm ships about 190,000 words with corpus frequencies and parts of speech, and conjugates its
verbs into about 350,000 forms. From them we derive:

- `plain`: forms written as one unbroken word (`تنها`, `بیشتر`): never split;
- `joined`: for every form written with half-spaces (`راه‌اندازی`, `می‌یابد`, `شده‌اند`), its
  half-space-free spelling -> the correct form, so a word that lost its half-spaces gets them back.

When the lexicon has both spellings (`مهمترین` and `مهم‌ترین`), the half-space form wins unless the
glued form is the more frequent one in hazm's counts (`بخشنامه`).

Building it from hazm's word lists takes seconds (and importing hazm most of a second more), so it
is built once (`scripts/build_lexicon.py`) into a compact artifact, `data/lexicon.bin`, that loads in
a few hundredths of a second; the tokenizer also saves it with every pipeline. Without the artifact
the lexicon is built from hazm, as before.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, Optional, Tuple

import numpy as np

from ..errors import PersianIEError
from ..io.files import write_bytes_atomic
from .artifact import cached_blob, pack_artifact, unpack_artifact
from .chars import NON_JOINING, ZWNJ

# frequency given to verb forms, which hazm lists without counts
VERB_FREQUENCY = 10**7
DATA_PATH = Path(__file__).parent / "data" / "lexicon.bin"
FORMAT = "persian_ie.lexicon.v1"
_FREQUENCY_DTYPE = np.dtype("<u4")


def canonical_zwnj(word: str) -> str:
    """Drop half-spaces that change nothing: after a non-joining letter, doubled, or at an edge."""
    if ZWNJ not in word:
        return word
    chars = []
    for char in word:
        if char == ZWNJ and (not chars or chars[-1] in NON_JOINING or chars[-1] == ZWNJ):
            continue
        chars.append(char)
    while chars and chars[-1] == ZWNJ:
        chars.pop()
    return "".join(chars)


@dataclass(frozen=True)
class Lexicon:
    """`plain` and the spellings of `joined` carry hazm's frequencies; `adjectives` take `تر`/`ترین`."""

    plain: Dict[str, int]
    joined: Dict[str, str]
    spelled: Dict[str, int]
    adjectives: FrozenSet[str]

    def known(self, word: str) -> bool:
        """Whether hazm's word list holds the word, as written or without its half-spaces."""
        return word in self.plain or word in self.joined

    def frequency(self, spelling: str) -> int:
        """hazm's count of a spelling (a plain word or a half-space form), 0 when unknown."""
        count = self.plain.get(spelling)
        return count if count is not None else self.spelled.get(spelling, 0)

    def to_bytes(self) -> bytes:
        """A compact form: every word in one string, the frequencies as one array, compressed.

        Computed once per lexicon (a pipeline is saved many times during training)."""
        return cached_blob(self, self._encode)

    def _encode(self) -> bytes:
        words = list(self.plain) + list(self.spelled)
        counts = [self.plain[w] for w in self.plain] + [self.spelled[w] for w in self.spelled]
        frequencies = np.minimum(np.asarray(counts, dtype=np.int64), np.iinfo(_FREQUENCY_DTYPE).max)
        data = {
            "words": "\n".join(words),
            "plain": len(self.plain),
            "frequencies": frequencies.astype(_FREQUENCY_DTYPE).tobytes(),
            "adjectives": "\n".join(sorted(self.adjectives)),
        }
        return pack_artifact(data, FORMAT, level=6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Lexicon":
        data = unpack_artifact(blob, FORMAT, "a lexicon")
        words = data["words"].split("\n") if data["words"] else []
        frequencies = np.frombuffer(data["frequencies"], dtype=_FREQUENCY_DTYPE).tolist()
        n_plain = int(data["plain"])
        spellings = words[n_plain:]
        lexicon = cls(
            plain=dict(zip(words[:n_plain], frequencies[:n_plain])),
            joined={spelling.replace(ZWNJ, ""): spelling for spelling in spellings},
            spelled=dict(zip(spellings, frequencies[n_plain:])),
            adjectives=frozenset(data["adjectives"].split("\n")) if data["adjectives"] else frozenset(),
        )
        object.__setattr__(lexicon, "_blob", blob)
        return lexicon


def _hazm_entries() -> Iterator[Tuple[str, int, bool]]:
    """(word, frequency, is an adjective) for hazm's words and conjugated verb forms."""
    from hazm import Lemmatizer, WordTokenizer  # slow to import: only when building

    for word, (count, tags) in WordTokenizer(join_verb_parts=False).words.items():
        if " " in word or not word:
            continue
        yield canonical_zwnj(word), int(count) if str(count).isdigit() else 0, "AJ" in tags
    for form in Lemmatizer(joined_verb_parts=False).verbs:
        if " " in form or "_" in form or not form:
            continue
        yield canonical_zwnj(form), VERB_FREQUENCY, False


def build_lexicon() -> Lexicon:
    """Build the lexicon from hazm's word lists (seconds)."""
    frequency: Dict[str, int] = {}
    adjectives = set()
    for word, count, adjective in _hazm_entries():
        frequency[word] = max(frequency.get(word, 0), count)
        if adjective:
            adjectives.add(word)
    plain = {word: count for word, count in frequency.items() if ZWNJ not in word}
    joined: Dict[str, str] = {}
    for word, count in frequency.items():
        if ZWNJ not in word:
            continue
        if any(len(segment) < 2 for segment in word.split(ZWNJ)):
            continue  # artefacts of conjugating odd roots (`ه‌ای`, `می‌م`)
        key = word.replace(ZWNJ, "")
        if key in plain and plain[key] > count:
            continue
        best = joined.get(key)
        if best is None or count > frequency[best]:
            joined[key] = word
    for key in joined:
        plain.pop(key, None)
    spelled = {spelling: frequency[spelling] for spelling in joined.values()}
    return Lexicon(plain, joined, spelled, frozenset(adjectives))


def write_lexicon(lexicon: Lexicon, path: Path = DATA_PATH) -> int:
    """Write the artifact; returns its size in bytes."""
    blob = lexicon.to_bytes()
    write_bytes_atomic(path, blob)
    return len(blob)


def read_lexicon(path: Path = DATA_PATH) -> Optional[Lexicon]:
    """The artifact at `path`, or None when it has not been built."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        return Lexicon.from_bytes(path.read_bytes())
    except PersianIEError as err:
        raise PersianIEError(f"{err.message} (rebuild it with scripts/build_lexicon.py)", str(path)) from None


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The shipped artifact, or the lexicon built from hazm when the artifact is absent."""
    return read_lexicon() or build_lexicon()
