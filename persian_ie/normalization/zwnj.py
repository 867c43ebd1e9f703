"""Half-space (ZWNJ) restoration: what hazm's Normalizer leaves glued or spaced.

News text loses its half-spaces in two ways: glued (`شهرکهای`, `شدهاند`, `مییابد`) and spaced
(`رشته ها`, `شده اند`, `می کنند`, `راه اندازی`).

A glued word is looked up in the lexicon first: a word the lexicon writes as one word is never split,
a word it writes with half-spaces gets them back. An unknown word is split into a known stem and an
affix (plural, comparative, the `‌ای`/`‌اند` endings after a silent ه), choosing the most frequent stem.
Raw-news evidence has the last word: a glued spelling that careful writers use freely (`اینکه`,
`بیشترین`) is left alone, and one they always write with a half-space (`دانش‌بنیان`) gets it.

Two words one space apart are joined when careful writers clearly join them (`راه‌اندازی`), and kept
apart when they do not (`ارائه شده`, `این که`). Without enough evidence, rules join what cannot stand
alone: a suffix after its stem (`ها`، `های`، `ترین`; `اند`، `ای`، `ام`... after a silent ه or a final ی;
the ezafe `ی` after a vowel), the verb prefixes `می`/`نمی` before a verb form, a surname suffix after a
name (`صادقی راد`), and compounds that hazm writes with a half-space; never after a function word
(`که ای`, `به این`, `از آن`) and never before an auxiliary (`ارائه شده است` keeps the house style's
space). A pair the news never shows is still joined when its right part is one careful writers attach
far more often than they write alone (`یخچال دار`, `تعادل بخشی`: the evidence's bound parts), and a
plural right part borrows the evidence of its stem (`نرم افزارهای` decides as `نرم افزار`).
"""

import re
from typing import Dict, List, Optional, Tuple

from .alignment import Edit
from .chars import LETTER_OR_ZWNJ, NON_JOINING, PERSIAN_LETTERS, ZWNJ
from .evidence import Evidence, load_evidence
from .lexicon import Lexicon

PLURAL = ("ها", "های", "هایی", "هایم", "هایت", "هایش", "هایمان", "هایتان", "هایشان", "هاست", "هایند")
COMPARATIVE = ("تر", "ترین", "تری")
AFTER_SILENT_H = ("ای", "اند", "ام", "ایم", "اید", "اش", "ات", "ایی")
# word-forming and surname-forming suffixes that editors attach with a half-space
SURNAME_SUFFIXES = ("پور", "نژاد", "فر", "فرد", "نیا", "نسب", "مقدم", "راد", "زاده", "منش")
# the ones that are not also common words (`فرد` individual, `مقدم` in `خیر مقدم`, `منش` character):
# joined across a space after any name (`قاسم زاده`), the others only after a name in ی (`موسوی فرد`)
BOUND_SURNAME_SUFFIXES = frozenset(("پور", "نژاد", "فر", "نیا", "نسب", "راد", "زاده"))
WORD_FORMING = (
    "سازی", "سازان", "دوزی", "بافی", "بافان", "داران", "گذاری", "برداری",
    "کنندگان", "کننده", "دهندگان", "دهنده", "گران", "کاران", "بندی", "پذیر", "پذیری",
)
DERIVATIONAL = SURNAME_SUFFIXES + WORD_FORMING
# written glued after a consonant (`دامداران`, `صنعتگران`, `چایکاران`) and with a half-space only after a
# silent ه (`توسعه‌گران`), like the endings in AFTER_SILENT_H
GLUED_AFTER_CONSONANT = frozenset(("داران", "گران", "کاران"))
MIN_DERIVATIONAL_STEM = 3
# suffixes tried on glued words, longest first so `های` is preferred to `ای` when both fit
GLUED_SUFFIXES = sorted(set(PLURAL + COMPARATIVE + AFTER_SILENT_H + DERIVATIONAL), key=len, reverse=True)
# after a space: the ezafe `ی` after a vowel (`خانه ی`), the endings after a silent ه or a final ی
EZAFE = "ی"
VOWEL_FINAL = "هاو"
# word-forming suffixes joined across a space (`قطعه سازان`); not `گران`, which is also "expensive"
SPACED_WORD_FORMING = frozenset(WORD_FORMING) - {"گران"}
# verb prefixes joined to the next word when the lexicon has the joined verb form (`می کنند`)
BOUND_PREFIXES = ("می", "نمی")
# words that never take a suffix or a compound part across a space (`که ای`, `به این`, `از آن`)
FUNCTION_WORDS = frozenset(
    "و در به از که را با تا یا این آن هم چه نه نیز اگر اما ولی هر یک دو سه چند همه برای بر پس پیش"
    " بی تر است بود شد هست".split()
)
# auxiliaries and light verbs of compound verbs: never joined to the word before across a space, even
# where careful writers do (`ارائه شده است`, `تخصیص یافته`, `قرار داد` keep the house style's space)
AUXILIARIES = frozenset(
    "شده شد شود شوند شدن شدند شده‌اند شده‌است کرد کرده کردن کردند کند کنند نمود نموده نمودن گردید"
    " گردد گردیده یافت یافته یافتن یافتند یابد است بود بوده باشد باشند داد داده دادن".split()
)

AFFIXES = frozenset(GLUED_SUFFIXES) | frozenset(AFTER_SILENT_H) | {EZAFE}
# endings the rules above decide (the possessives glue after a consonant: `کشورمان`), never bound parts
RULED_ENDINGS = AFFIXES | {"مان", "تان", "شان"}
PLURAL_LONGEST_FIRST = sorted(PLURAL, key=len, reverse=True)
WORD_RE = re.compile(f"[{PERSIAN_LETTERS}]{LETTER_OR_ZWNJ}*")
MIN_STEM = 2
# a join is decided by evidence alone from this many careful occurrences (joined + spaced) on; below, by rule
MIN_JUNCTION_EVIDENCE = 3
# careful writers must join a pair at least this often relative to spacing it: `راه‌اندازی` (93:17) and
# `تفاهم‌نامه` (10:6) join; near-ties stay apart, the house style for two words that stand alone
# (`صنایع دستی` 20:25, `یک هزار` 26:22, `گل محمدی` 29:26, and so `هم اکنون` 41:41 too)
JOIN_RATIO = 1.5
# and must have joined it this many times
MIN_JOINED = 5
# a glued spelling careful writers use this many times as often as the half-space one is left alone
# (`اینکه` 1373:67, `بیشترین` 62:3, `بهروز` 6:2), one they use less is not (`بزرگترین` 54:30)
KEEP_GLUED_RATIO = 3
MIN_SPELLING_EVIDENCE = 2
# a right part is bound when careful writers attach it this many times as often as they write it alone
# (`گیری` 186:26, `ریزی` 157:18, `خوانی` 24:3), after at least MIN_BOUND_LEFTS different words. Below 5 the
# words that also stand alone slip in: `گیر` 38:9 (`گیر نکنند`), `دار` 60:17 (`طناب دار`), `داری` 35:11
# (`اعتقاد داری`), `الله` 262:84; `نامه` and `بخشی` stand alone far too often. Shorter parts (`مان`, `رو`) are
# left to the rules
BOUND_RATIO = 5
MIN_BOUND_LEFTS = 4
MIN_BOUND_LENGTH = 3
CACHE_SIZE = 200_000


def compound_left(left: str) -> bool:
    """Whether `left` + half-space + a part is evidence of a compound (not a verb prefix, not `که`)."""
    return len(left) >= MIN_STEM and left not in FUNCTION_WORDS and not left.endswith(BOUND_PREFIXES)


def bound_right_parts(evidence: Evidence) -> frozenset:
    """The evidence's parts that careful writers attach far more often than they write alone."""
    return frozenset(
        right for right, (attached, lefts, alone) in evidence.bound.items()
        if len(right) >= MIN_BOUND_LENGTH and right not in AUXILIARIES and right not in RULED_ENDINGS
        and lefts >= MIN_BOUND_LEFTS and attached >= BOUND_RATIO * alone
    )


def _plural_stem(word: str) -> Optional[str]:
    """`افزارهای` -> `افزار`: the stem of a plural written glued, for the stem's junction evidence."""
    for suffix in PLURAL_LONGEST_FIRST:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return None


def _separator(stem: str) -> str:
    return "" if stem[-1] in NON_JOINING else ZWNJ


class ZwnjRestorer:
    """Finds the half-space edits of a text, given hazm's lexicon and the raw-news evidence."""

    def __init__(self, lexicon: Lexicon, evidence: Optional[Evidence] = None) -> None:
        self.lexicon = lexicon
        self.evidence = load_evidence() if evidence is None else evidence
        self._cache: Dict[str, str] = {}
        self._join_cache: Dict[Tuple[str, str], bool] = {}
        self._junctions = self.evidence.junctions
        self._spellings = self.evidence.spellings
        self._affix_counts = self.evidence.affixes
        self._known_spellings = frozenset(spelling for spelling, _, _ in self._spellings.values() if spelling)
        self._bound = bound_right_parts(self.evidence)
        # every word that may join the word before it: a cheap test before the full decision
        rights = set(AFFIXES) | set(SURNAME_SUFFIXES) | SPACED_WORD_FORMING | self._bound
        rights.update(right for _, right in self._junctions)
        rights.update(right + suffix for _, right in self._junctions for suffix in PLURAL)
        for spelling in lexicon.spelled:
            rights.update(spelling.split(ZWNJ)[1:])
        self._rights = frozenset(rights)

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
            if (suffix in AFTER_SILENT_H or suffix in GLUED_AFTER_CONSONANT) and not stem.endswith("ه"):
                continue
            if suffix in DERIVATIONAL and (len(stem) < MIN_DERIVATIONAL_STEM or stem[-1] in NON_JOINING):
                continue
            spelling = self.stem_spelling(stem)
            if spelling is None:
                continue
            if suffix in COMPARATIVE and not self._is_adjective(stem):
                continue
            score = (self._affix_counts.get((stem, suffix), 0), self.lexicon.frequency(spelling))
            if score > best_score:
                best, best_score = spelling + _separator(spelling) + suffix, score
        return best

    def _is_adjective(self, stem: str) -> bool:
        return stem in self.lexicon.adjectives or (stem.endswith("ی") and len(stem) > MIN_STEM)

    def restore_word(self, word: str) -> str:
        """The corrected spelling of one word (letters and half-spaces only).

        Restoring is repeated until nothing changes, so a restored word restores to itself and
        normalizing twice changes nothing more."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        restored = self._restore_once(word)
        while True:
            again = self._restore_once(restored)
            if again == restored:
                break
            restored = again
        if len(self._cache) < CACHE_SIZE:
            self._cache[word] = restored
        return restored

    def _restore_once(self, word: str) -> str:
        if ZWNJ not in word:
            return self._restore_glued(word)
        if word in self.lexicon.spelled or word in self._known_spellings:
            return word  # written as the lexicon or careful writers write it
        head, _, last = word.rpartition(ZWNJ)
        return head + ZWNJ + self._restore_glued(last)

    def _restore_glued(self, word: str) -> str:
        if len(word) <= MIN_STEM or word in AFFIXES:
            return word
        row = self._spellings.get(word)
        if row is not None:
            spelling, attached, glued = row
            if glued and glued >= KEEP_GLUED_RATIO * attached:
                return word  # careful writers glue it: a spelling of its own
            if attached >= MIN_SPELLING_EVIDENCE:
                return spelling  # careful writers use the half-space spelling too: the house style
        lexicon = self.lexicon
        if word in lexicon.plain:
            return word
        if word in lexicon.joined:
            return lexicon.joined[word]
        return self.split_suffix(word) or word

    def joins(self, previous: str, word: str) -> bool:
        """Whether `previous word` (one space apart) is one word with a lost half-space."""
        if word in AUXILIARIES and previous not in BOUND_PREFIXES:
            return False
        left = previous.rpartition(ZWNJ)[2]
        right = word.partition(ZWNJ)[0]
        row = self._junctions.get((left, right))
        if row is None and ZWNJ not in word:
            stem = _plural_stem(word)
            row = self._junctions.get((left, stem)) if stem else None
        if row is not None and row[0] + row[1] >= MIN_JUNCTION_EVIDENCE:
            attached, spaced = row
            if attached < JOIN_RATIO * spaced:
                return False  # careful writers keep them apart
            if attached >= MIN_JOINED or not spaced:
                return True  # often joined, or joined every time it was seen (`هم افزایی` 3:0)
            # joined a few times only (`علی‌اکبری` 3:1, a surname, but also a first name and a surname):
            # too little to join two words on, the rules decide
        if len(left) < MIN_STEM or left in FUNCTION_WORDS:
            return False
        if word in PLURAL:
            return True
        if word in COMPARATIVE:
            return self._is_adjective(left)
        if word in AFTER_SILENT_H:
            return left[-1] == "ه" or (left[-1] == "ی" and len(left) > MIN_STEM)
        if word == EZAFE:
            return left[-1] in VOWEL_FINAL
        if previous in BOUND_PREFIXES:
            return self.lexicon.joined.get(previous + word) == previous + ZWNJ + word
        if word in SURNAME_SUFFIXES:
            return len(left) > MIN_STEM and (left[-1] == "ی" or word in BOUND_SURNAME_SUFFIXES)
        if word in SPACED_WORD_FORMING:
            if word in GLUED_AFTER_CONSONANT and left[-1] != "ه":
                return False
            return len(left) >= MIN_DERIVATIONAL_STEM and self.lexicon.known(left)
        if word in self._bound and len(left) >= MIN_DERIVATIONAL_STEM and self.lexicon.known(left):
            return True
        if ZWNJ in word:
            return False  # a compound's last part, not one ending in a suffix (`هفت هفته‌ای`)
        compound = previous.replace(ZWNJ, "") + word
        return self.lexicon.joined.get(compound) == previous + ZWNJ + word

    def _join_is_stable(self, previous: str, word: str) -> bool:
        """A join after a non-joining letter leaves no half-space: the glued result must read back
        the same (`ژند ها` must not become `ژندها`, which reads as `ژنده‌ا`)."""
        if _separator(previous):
            return True
        glued = previous + word
        return self.restore_word(glued) == glued

    def should_join(self, previous: str, word: str) -> bool:
        """`joins`, and the join reads back the same; cached, as the same pairs recur."""
        key = (previous, word)
        decision = self._join_cache.get(key)
        if decision is None:
            decision = self.joins(previous, word) and self._join_is_stable(previous, word)
            if len(self._join_cache) < CACHE_SIZE:
                self._join_cache[key] = decision
        return decision

    def edits(self, text: str) -> List[Edit]:
        """Half-space insertions inside words and space-to-half-space joins between them.

        Words are read left to right onto a stack of units; a word that joins the unit before it
        merges with it, and the merged unit is tried again against the unit before that, so every
        pair of units left apart was judged in its final form (`هفت` + `هفته‌ای`, not `هفت` + `هفته`):
        a second normalization sees the same pairs and decides the same.
        """
        edits: List[Edit] = []
        units: List[Tuple[str, int]] = []  # (text, end offset) of the units so far
        starts: List[int] = []
        rights = self._rights
        cache = self._cache
        for match in WORD_RE.finditer(text):
            word = match.group()
            start, end = match.span()
            unit = cache.get(word) or self.restore_word(word)
            if unit != word:
                edits.extend(_insertions(word, unit, start))
            while units:
                previous, previous_end = units[-1]
                if not (
                    start == previous_end + 1
                    and text[previous_end] == " "
                    and (unit.partition(ZWNJ)[0] in rights or previous in BOUND_PREFIXES)
                    and self.should_join(previous, unit)
                ):
                    break
                separator = _separator(previous)
                edits.append((previous_end, start, separator))
                unit = previous + separator + unit
                start = starts.pop()
                units.pop()
            units.append((unit, end))
            starts.append(start)
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
