"""Half-space (ZWNJ) restoration: what hazm's Normalizer leaves glued or spaced.

News text loses its half-spaces in two ways: glued (`شهرکهای`, `شدهاند`, `مییابد`) and spaced
(`رشته ها`, `شده اند`, `می کنند`). A glued word is looked up in the lexicon first: a word the
lexicon writes as one word is never split, a word it writes with half-spaces gets them back. An
unknown word is split into a known stem and an affix (plural, comparative, the `‌ای`/`‌اند` endings
after a silent ه), choosing the most frequent stem. A spaced affix is joined to the word before it.
"""

import re
from typing import Dict, List, Optional, Tuple

from .alignment import Edit
from .chars import LETTER_OR_ZWNJ, NON_JOINING, PERSIAN_LETTERS, ZWNJ
from .evidence import load_evidence
from .lexicon import Lexicon

PLURAL = ("ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "هاست", "هایند")
COMPARATIVE = ("تر", "ترین", "تری")
AFTER_SILENT_H = ("ای", "اند", "ام", "ایم", "اید", "اش", "ات", "ایی")
# word-forming and surname-forming suffixes that editors attach with a half-space
DERIVATIONAL = (
    "پور", "نژاد", "فر", "فرد", "نیا", "نسب", "مقدم", "راد", "زاده", "منش",
    "سازی", "سازان", "دوزی", "بافی", "بافان", "داران", "گذاری", "برداری",
    "کنندگان", "کننده", "دهندگان", "دهنده", "گران", "کاران", "بندی", "پذیر", "پذیری",
)
MIN_DERIVATIONAL_STEM = 3
# suffixes tried on glued words, longest first so `های` is preferred to `ای` when both fit
GLUED_SUFFIXES = sorted(set(PLURAL + COMPARATIVE + AFTER_SILENT_H + DERIVATIONAL), key=len, reverse=True)
# a spaced ezafe `ی` after a silent ه (`خانه ی`) is joined too
SPACED_AFTER_SILENT_H = AFTER_SILENT_H + ("ی",)
# verb prefixes joined to the next word when the lexicon has the joined verb form (`می کنند`)
BOUND_PREFIXES = ("می", "نمی")

AFFIXES = frozenset(GLUED_SUFFIXES) | frozenset(SPACED_AFTER_SILENT_H)
# words that can join the word before them across a space (a cheap test before `joins`)
JOINABLE = frozenset(PLURAL + COMPARATIVE + SPACED_AFTER_SILENT_H)

WORD_RE = re.compile(f"[{PERSIAN_LETTERS}]{LETTER_OR_ZWNJ}*")
MIN_STEM = 2


def _separator(stem: str) -> str:
    return "" if stem[-1] in NON_JOINING else ZWNJ


class ZwnjRestorer:
    """Finds the half-space edits of a text, given hazm's lexicon."""

    def __init__(self, lexicon: Lexicon, evidence: Optional[Dict[Tuple[str, str], int]] = None) -> None:
        self.lexicon = lexicon
        self.evidence = load_evidence() if evidence is None else evidence
        self._cache: Dict[str, str] = {}

    def stem_spelling(self, stem: str) -> Optional[str]:
        """The spelling of a known stem, also `X` + `ی` when X is known (`تخصصی`)."""
        lexicon = self.lexicon
        if stem in lexicon.plain:
            return stem
        if stem in lexicon.joined:
            return lexicon.joined[stem]
        if stem.endswith("ی") and len(stem) > MIN_STEM and stem[:-1] in lexicon.plain:
            return stem
        return None

    def split_suffix(self, word: str) -> Optional[str]:
        """The best `stem + half-space + suffix` reading of an unknown glued word, if any.

        Readings are ranked by how often news writers detach that suffix from that stem, then by
        the stem's frequency in hazm's lexicon.
        """
        best: Optional[str] = None
        best_score: Tuple[int, int] = (-1, -1)
        for suffix in GLUED_SUFFIXES:
            if not word.endswith(suffix) or len(word) - len(suffix) < MIN_STEM:
                continue
            stem = word[: -len(suffix)]
            if suffix in AFTER_SILENT_H and not stem.endswith("ه"):
                continue
            if suffix in DERIVATIONAL and (len(stem) < MIN_DERIVATIONAL_STEM or stem[-1] in NON_JOINING):
                continue
            spelling = self.stem_spelling(stem)
            if spelling is None:
                continue
            if suffix in COMPARATIVE and not self._is_adjective(stem):
                continue
            score = (self.evidence.get((stem, suffix), 0), self.lexicon.frequency.get(spelling, 0))
            if score > best_score:
                best, best_score = spelling + _separator(spelling) + suffix, score
        return best

    def _is_adjective(self, stem: str) -> bool:
        return stem in self.lexicon.adjectives or (stem.endswith("ی") and len(stem) > MIN_STEM)

    def restore_word(self, word: str) -> str:
        """The corrected spelling of one word (letters and half-spaces only)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if ZWNJ in word:
            head, _, last = word.rpartition(ZWNJ)
            restored = head + ZWNJ + self._restore_glued(last)
        else:
            restored = self._restore_glued(word)
        if len(self._cache) < 200_000:
            self._cache[word] = restored
        return restored

    def _restore_glued(self, word: str) -> str:
        lexicon = self.lexicon
        if len(word) <= MIN_STEM or word in lexicon.plain or word in AFFIXES:
            return word
        if word in lexicon.joined:
            return lexicon.joined[word]
        return self.split_suffix(word) or word

    def joins(self, previous: str, word: str) -> bool:
        """Whether `previous word` (one space apart) is one word with a lost half-space."""
        if len(previous) < MIN_STEM:
            return False
        if word in PLURAL:
            return True
        last = previous.rpartition(ZWNJ)[2]
        if word in SPACED_AFTER_SILENT_H:
            return last.endswith("ه") and len(last) >= MIN_STEM
        if word in COMPARATIVE:
            return self._is_adjective(last)
        if previous in BOUND_PREFIXES:
            return self.lexicon.joined.get(previous + word) == previous + ZWNJ + word
        return False

    def _join_is_stable(self, previous: str, word: str) -> bool:
        """A join after a non-joining letter leaves no half-space: the glued result must read back
        the same (`ژند ها` must not become `ژندها`, which reads as `ژنده‌ا`)."""
        if _separator(previous):
            return True
        glued = previous + word
        return self.restore_word(glued) == glued

    def edits(self, text: str) -> List[Edit]:
        """Half-space insertions inside words and space-to-half-space joins between them."""
        edits: List[Edit] = []
        previous: Optional[str] = None
        previous_end = -2
        for match in WORD_RE.finditer(text):
            word, start, end = match.group(), match.start(), match.end()
            restored = self.restore_word(word)
            if restored != word:
                edits.extend(_insertions(word, restored, start))
            if (
                previous is not None
                and (restored in JOINABLE or previous in BOUND_PREFIXES)
                and start == previous_end + 1
                and text[previous_end] == " "
                and self.joins(previous, restored)
                and self._join_is_stable(previous, restored)
            ):
                edits.append((previous_end, start, _separator(previous)))
                previous = previous + ZWNJ + restored
            else:
                previous = restored
            previous_end = end
        return edits


def _insertions(word: str, restored: str, offset: int) -> List[Edit]:
    """The half-space insertions that turn `word` into `restored` (which only adds half-spaces)."""
    edits: List[Edit] = []
    i = 0
    for char in restored:
        if i < len(word) and word[i] == char:
            i += 1
        elif char == ZWNJ:
            edits.append((offset + i, offset + i, ZWNJ))
        else:
            return []
    return edits if i == len(word) else []
