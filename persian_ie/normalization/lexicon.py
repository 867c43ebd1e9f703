"""hazm's packaged lexicon (words.dat, verbs.dat) arranged for half-space restoration.

hazm ships about 190,000 words with corpus frequencies and parts of speech, and conjugates its
verbs into about 350,000 forms. From them we derive:

- `plain`: forms written as one unbroken word (`تنها`, `بیشتر`): never split;
- `joined`: for every form written with half-spaces (`راه‌اندازی`, `می‌یابد`, `شده‌اند`), its
  half-space-free spelling -> the correct form, so a word that lost its half-spaces gets them back.

When the lexicon has both spellings (`مهمترین` and `مهم‌ترین`), the half-space form wins unless the
glued form is the more frequent one in hazm's counts (`بخشنامه`).
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Tuple

from hazm import Lemmatizer, WordTokenizer

from .chars import NON_JOINING, ZWNJ

# frequency given to verb forms, which hazm lists without counts
VERB_FREQUENCY = 10**7


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
    frequency: Dict[str, int]
    adjectives: FrozenSet[str]
    plain: FrozenSet[str]
    joined: Dict[str, str]

    def known(self, word: str) -> bool:
        return word in self.plain or word in self.joined

    def spelling(self, word: str) -> str:
        """The lexicon's spelling of a half-space-free word, or the word itself."""
        if word in self.joined:
            return self.joined[word]
        return word

    def score(self, word: str) -> int:
        return self.frequency.get(self.spelling(word), 0)


def _entries() -> Tuple[Dict[str, int], FrozenSet[str]]:
    words = WordTokenizer(join_verb_parts=False).words
    frequency: Dict[str, int] = {}
    adjectives = set()
    for word, (count, tags) in words.items():
        if " " in word or not word:
            continue
        word = canonical_zwnj(word)
        frequency[word] = max(frequency.get(word, 0), int(count) if str(count).isdigit() else 0)
        if "AJ" in tags:
            adjectives.add(word)
    for form in Lemmatizer(joined_verb_parts=False).verbs:
        if " " in form or "_" in form or not form:
            continue
        form = canonical_zwnj(form)
        frequency[form] = max(frequency.get(form, 0), VERB_FREQUENCY)
    return frequency, frozenset(adjectives)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Build the lexicon once per process (about two seconds)."""
    frequency, adjectives = _entries()
    plain = {word for word in frequency if ZWNJ not in word}
    joined: Dict[str, str] = {}
    for word, count in frequency.items():
        if ZWNJ not in word:
            continue
        if any(len(segment) < 2 for segment in word.split(ZWNJ)):
            continue  # artefacts of conjugating odd roots (`ه‌ای`, `می‌م`)
        key = word.replace(ZWNJ, "")
        if key in plain and frequency[key] > count:
            continue
        best = joined.get(key)
        if best is None or count > frequency[best]:
            joined[key] = word
    plain -= set(joined)
    return Lexicon(frequency, adjectives, frozenset(plain), joined)
