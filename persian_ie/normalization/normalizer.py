"""The Persian news normalizer: hazm's character tables and lexicon, with an alignment kept.

hazm's `Normalizer` returns a string and forgets where each character came from, and on news text
it leaves glued affixes (`شهرکهای`, `شدهاند`) and joins compound verbs that editors write apart
(`ارائه‌شده`). This normalizer applies the same character mapping, restores half-spaces from
hazm's lexicon and raw-news evidence (glued and spaced: `شده اند` -> `شده‌اند`), separates glued
numbers and glued brackets, slashes and plus signs, and records every edit so that each normalized
span maps back to its raw offsets.
"""

import re
from functools import lru_cache
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import srsly

from ..errors import PersianIEError
from .alignment import Alignment, Edit
from .chars import (
    ALL_DIGITS,
    CHANGED_CHARS_RE,
    EXPANSIONS,
    KASHIDA,
    NON_JOINING,
    PERSIAN_LETTERS,
    ZWNJ,
    digit_translation,
    fold_characters,
    translate,
)
from .evidence import Evidence, load_evidence
from .lexicon import Lexicon, load_lexicon
from .zwnj import ZwnjRestorer

LETTERS = f"[{PERSIAN_LETTERS}]"
DATA_FORMAT = "persian_ie.normalizer-data.v1"
_LATIN_OR_ARABIC_DIGIT_RE = re.compile(r"[0-9٠-٩]")
_WHITESPACE_RE = re.compile(r"\s")
_LATIN_RE = re.compile(r"[A-Za-z]")
_DIGIT_PUNCT_RE = re.compile(r"(?<=[۰-۹])([.,%])(?=[۰-۹])|(?<=[۰-۹])%")
_QUOTES_RE = re.compile(r'"([^"\n]+)"')
_DIGIT_MARKS = {".": "٫", ",": "٬", "%": "٪"}
_CONTEXT = 200
_ANY_LETTER = f"[A-Za-z{PERSIAN_LETTERS}]"
_LAST_LETTER_RE = re.compile(f"({_ANY_LETTER})[^A-Za-z{PERSIAN_LETTERS}\\n]*\\Z")
_PERSIAN_LETTER_RE = re.compile(f"[{PERSIAN_LETTERS}]")
_NEXT_LETTER_RE = re.compile(f"[^A-Za-z{PERSIAN_LETTERS}\\n]*({_ANY_LETTER})")

# whitespace: Windows and old Mac line ends, spaces at line edges and in runs, blank-line runs, the ends
_SPACES_RE = re.compile(r"(?m)^ +| +$| (?= )")
_NEWLINES_RE = re.compile(r"\A\n+|\n+\Z|(?<=\n\n)\n+")
_CARRIAGE_RETURN_RE = re.compile(r"\r\n?")
# a run of kashida with whitespace or a line edge on both sides
_STANDALONE_KASHIDA_RE = re.compile(f"(?<!\\S){KASHIDA}+(?!\\S)")
# half-spaces: keep one only between a joining letter and a letter
_ZWNJ_RUN_RE = re.compile(f"{ZWNJ}+")
# punctuation spacing, as hazm does it, and glued numbers
# (each matches the space to drop, or the character before the missing space: a pattern that starts
# with a character runs several times faster than one that starts with a look-behind)
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r" (?=[.:!،؛؟»)\]}])")
_SPACE_AFTER_OPENING_RE = re.compile(r"(?<=[«(\[{]) ")
_MISSING_SPACE_RE = re.compile(
    f"[،؛:!؟.»](?=[{PERSIAN_LETTERS}«])"  # after punctuation, before a word or a quote
    f"|[{PERSIAN_LETTERS}{ALL_DIGITS}](?=«)"  # before an opening quote
    f"|[{ALL_DIGITS}٪%](?={LETTERS})"  # a number glued to the next word
    f"|{LETTERS}(?=[{ALL_DIGITS}])"  # a word glued to the next number
    f"|{LETTERS}[،؛](?=[{ALL_DIGITS}])"  # a Persian comma between a word and a number (`پارتی،۱۴`)
)
# brackets, slashes, plus signs and underscores glued to Persian words, so that a span can end at them:
# `ریال(۵۰۰`, `ساچس(goldman`, `ریال)و`; `گچساران/خبرنگار`, `تومان+جدول` (`۶/۳`, `۱۴۰۲/۰۵/۱۰` stay)
_MARKS_RE = re.compile(r"[()\[\]{}/+_]")
_OPENING = "([{"
_CLOSING = ")]}"
_WORD_END = frozenset(PERSIAN_LETTERS + ALL_DIGITS)
_PERSIAN = frozenset(PERSIAN_LETTERS)
_ANY_LETTER_SET = frozenset(PERSIAN_LETTERS + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _regex_edits(pattern: re.Pattern, text: str, replacement: str = "") -> List[Edit]:
    return [(m.start(), m.end(), replacement) for m in pattern.finditer(text)]


def _number_tokens(text: str) -> Iterator[Tuple[int, int]]:
    """(start, end) of every whitespace-separated token with a Latin or Arabic-Indic digit in it."""
    position = 0
    while True:
        digit = _LATIN_OR_ARABIC_DIGIT_RE.search(text, position)
        if digit is None:
            return
        start = max(text.rfind(" ", 0, digit.start()), text.rfind("\n", 0, digit.start())) + 1
        space = _WHITESPACE_RE.search(text, digit.end())
        end = space.start() if space else len(text)
        yield start, end
        position = end


def _digits_in_context(text: str) -> str:
    """Persian digits for numbers among Persian words; Latin tokens and Latin context keep theirs."""
    pieces, position = [], 0
    for start, end in _number_tokens(text):
        token = text[start:end]
        if _LATIN_RE.search(token) or not _persian_context(text, start, end):
            continue
        token = token.translate(digit_translation())
        token = _DIGIT_PUNCT_RE.sub(lambda m: _DIGIT_MARKS[m.group()[-1]], token)
        pieces.append(text[position:start])
        pieces.append(token)
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def _persian_context(text: str, start: int, end: int) -> bool:
    """Whether the number's token, or the nearest word before or after it on its line, is Persian."""
    if _PERSIAN_LETTER_RE.search(text, start, end):
        return True
    before = _LAST_LETTER_RE.search(text, max(0, start - _CONTEXT), start)
    if before and before.group(1) in PERSIAN_LETTERS:
        return True
    after = _NEXT_LETTER_RE.match(text, end, end + _CONTEXT)
    return bool(after and after.group(1) in PERSIAN_LETTERS)


def substitution_edits(text: str, rewritten: str) -> List[Edit]:
    """The one-for-one edits that turn `text` into `rewritten`, a string of the same length."""
    if rewritten == text:
        return []
    old = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    new = np.frombuffer(rewritten.encode("utf-32-le"), dtype=np.uint32)
    return [(i, i + 1, rewritten[i]) for i in np.flatnonzero(old != new).tolist()]


def translation_edits(text: str) -> List[Edit]:
    """hazm's one-for-one character table: Arabic ي and ك, Arabic-Indic digits, presentation forms."""
    return substitution_edits(text, translate(text))


def quote_edits(text: str) -> List[Edit]:
    """Straight double quotes around a phrase become Persian guillemets: `"..."` -> `«...»`."""
    if '"' not in text:
        return []
    return substitution_edits(text, _QUOTES_RE.sub(r"«\1»", text))


def character_edits(text: str) -> List[Edit]:
    """Diacritics, kashida and invisible marks out; ligatures and `...` expanded or joined.

    A kashida that stands alone between spaces is a dash, not a stretched letter (`عبادی ـ سیاسی`, a
    `ـ` bullet at the start of a line): it becomes `-`, so the words on either side stay apart.
    """
    dashes = [(m.start(), m.end(), "-") for m in _STANDALONE_KASHIDA_RE.finditer(text)] if KASHIDA in text else []
    inside = {i for start, end, _ in dashes for i in range(start, end)}
    edits = [
        (m.start(), m.end(), EXPANSIONS.get(m.group(), ""))
        for m in CHANGED_CHARS_RE.finditer(text)
        if m.start() not in inside
    ]
    return sorted(edits + dashes) if dashes else edits


def zwnj_cleanup_edits(text: str) -> List[Edit]:
    """Keep one half-space, and only between a joining letter and a letter."""
    edits = []
    for match in _ZWNJ_RUN_RE.finditer(text):
        start, end = match.start(), match.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        keep = before and before in PERSIAN_LETTERS and before not in NON_JOINING and after and after in PERSIAN_LETTERS
        if not keep:
            edits.append((start, end, ""))
        elif end - start > 1:
            edits.append((start + 1, end, ""))
    return edits


def line_end_edits(text: str) -> List[Edit]:
    """Windows and old Mac line ends become `\\n`."""
    return _regex_edits(_CARRIAGE_RETURN_RE, text, "\n")


def space_edits(text: str) -> List[Edit]:
    """No spaces at line edges, no runs of spaces."""
    return _regex_edits(_SPACES_RE, text)


def blank_line_edits(text: str) -> List[Edit]:
    """No newlines at the ends of the text, at most one blank line in a row."""
    return _regex_edits(_NEWLINES_RE, text)


def persian_digit_edits(text: str) -> List[Edit]:
    """Persian digits for numbers among Persian words; Latin tokens and Latin context keep theirs."""
    return substitution_edits(text, _digits_in_context(text))


def space_inside_punctuation_edits(text: str) -> List[Edit]:
    """No space before closing punctuation or after an opening quote or bracket, as hazm does it."""
    edits = _regex_edits(_SPACE_BEFORE_PUNCTUATION_RE, text)
    if "«" in text or "(" in text or "[" in text or "{" in text:
        edits += _regex_edits(_SPACE_AFTER_OPENING_RE, text)
    return sorted(set(edits))


def missing_space_edits(text: str) -> List[Edit]:
    """A space after punctuation and around quotes and numbers glued to words (`۱۶رشته`)."""
    return [(m.end(), m.end(), " ") for m in _MISSING_SPACE_RE.finditer(text)]


def glued_mark_edits(text: str) -> List[Edit]:
    """A space between a word and a bracket glued to it; one on each side of a slash or plus sign
    between two words, one of them Persian (Latin `and/or` and numbers are left alone)."""
    edits: List[Edit] = []
    n = len(text)
    for match in _MARKS_RE.finditer(text):
        position = match.start()
        mark = match.group()
        before = text[position - 1] if position else ""
        after = text[position + 1] if position + 1 < n else ""
        if mark in _OPENING:
            if before in _WORD_END:
                edits.append((position, position, " "))
        elif mark in _CLOSING:
            if after in _PERSIAN:
                edits.append((position + 1, position + 1, " "))
        else:
            left = position
            while left and text[left - 1] == " ":
                left -= 1
            right = position + 1
            while right < n and text[right] == " ":
                right += 1
            word_before = text[left - 1] if left else ""
            word_after = text[right] if right < n else ""
            glued = left == position or right == position + 1
            if (
                glued
                and word_before in _ANY_LETTER_SET
                and word_after in _ANY_LETTER_SET
                and (word_before in _PERSIAN or word_after in _PERSIAN)
            ):
                if text[left:position] != " ":
                    edits.append((left, position, " "))
                if text[position + 1 : right] != " ":
                    edits.append((position + 1, right, " "))
    return edits


# (flag, pass): the order they run in, each on the output of the one before
Pass = Callable[[str], List[Edit]]
# None: the pass belongs to the normalizer's own `ZwnjRestorer` (it needs the lexicon and the evidence)
PASSES: Tuple[Tuple[str, Optional[Pass]], ...] = (
    ("unify_characters", translation_edits),
    ("persian_quotes", quote_edits),
    ("clean_characters", character_edits),
    ("clean_zwnj", zwnj_cleanup_edits),
    ("unify_line_ends", line_end_edits),
    ("collapse_spaces", space_edits),
    ("collapse_blank_lines", blank_line_edits),
    ("punctuation_spacing", space_inside_punctuation_edits),
    ("separate_glued_words", missing_space_edits),
    ("separate_glued_marks", glued_mark_edits),
    ("restore_zwnj", None),
    ("persian_digits", persian_digit_edits),  # last, once spacing has settled each number's token
)
FLAGS = tuple(flag for flag, _ in PASSES)


class Normalizer:
    """Normalize Persian news text and keep the alignment to the raw input.

    The passes of `PASSES` run in order, each on the output of the one before, each returning its
    edits so that the alignment composes; a flag of the same name switches each one:

    unify_characters: hazm's one-for-one character table (Arabic ي/ك, digits, presentation forms).
    persian_quotes: `"..."` -> `«...»`.
    clean_characters: diacritics, kashida and invisible marks out; ligatures expanded.
    clean_zwnj: one half-space, only between a joining letter and a letter.
    unify_line_ends, collapse_spaces, collapse_blank_lines: whitespace.
    punctuation_spacing: no space before closing punctuation or after an opening quote, as hazm does.
    separate_glued_words: a space after punctuation and between a number and a word glued to it.
    separate_glued_marks: a space between a word and a bracket, slash or plus glued to it.
    restore_zwnj: restore lost half-spaces (glued or spaced) from the lexicon and the evidence.
    persian_digits: write digits in Persian script outside Latin tokens (`COVID-19` stays).

    `lexicon` and `evidence` default to the package's own (a pipeline passes the ones it saved).
    """

    def __init__(
        self,
        restore_zwnj: bool = True,
        persian_digits: bool = True,
        separate_glued_marks: bool = True,
        lexicon: Optional[Lexicon] = None,
        evidence: Optional[Evidence] = None,
        *,
        unify_characters: bool = True,
        persian_quotes: bool = True,
        clean_characters: bool = True,
        clean_zwnj: bool = True,
        unify_line_ends: bool = True,
        collapse_spaces: bool = True,
        collapse_blank_lines: bool = True,
        punctuation_spacing: bool = True,
        separate_glued_words: bool = True,
    ) -> None:
        self.flags: Dict[str, bool] = {
            "unify_characters": unify_characters,
            "persian_quotes": persian_quotes,
            "clean_characters": clean_characters,
            "clean_zwnj": clean_zwnj,
            "unify_line_ends": unify_line_ends,
            "collapse_spaces": collapse_spaces,
            "collapse_blank_lines": collapse_blank_lines,
            "punctuation_spacing": punctuation_spacing,
            "separate_glued_words": separate_glued_words,
            "separate_glued_marks": separate_glued_marks,
            "restore_zwnj": restore_zwnj,
            "persian_digits": persian_digits,
        }
        self._restorer: Optional[ZwnjRestorer] = None
        if restore_zwnj:
            self._restorer = ZwnjRestorer(
                lexicon or load_lexicon(), load_evidence() if evidence is None else evidence
            )
        self.passes: List[Tuple[str, Pass]] = [
            (flag, self._restorer.edits if flag == "restore_zwnj" else function)
            for flag, function in PASSES
            if self.flags[flag]
        ]

    @property
    def restore_zwnj(self) -> bool:
        return self.flags["restore_zwnj"]

    @property
    def lexicon(self) -> Optional[Lexicon]:
        return self._restorer.lexicon if self._restorer is not None else None

    @property
    def evidence(self) -> Optional[Evidence]:
        return self._restorer.evidence if self._restorer is not None else None

    def data_to_bytes(self) -> Optional[bytes]:
        """The lexicon and the evidence in one blob, for a pipeline to carry (None without restoration)."""
        if self._restorer is None:
            return None
        return srsly.msgpack_dumps(
            {"format": DATA_FORMAT, "lexicon": self._restorer.lexicon.to_bytes(),
             "evidence": self._restorer.evidence.to_bytes()}
        )

    @classmethod
    def from_data(cls, blob: Optional[bytes], **settings: bool) -> "Normalizer":
        """A normalizer with the flags `settings` and the lexicon and evidence of `data_to_bytes`."""
        if blob is None or not settings.get("restore_zwnj", True):
            return cls(**settings)
        data = srsly.msgpack_loads(blob)
        if not isinstance(data, dict) or data.get("format") != DATA_FORMAT:
            raise PersianIEError(f"not normalizer data (expected format {DATA_FORMAT})")
        return cls(
            lexicon=Lexicon.from_bytes(data["lexicon"]), evidence=Evidence.from_bytes(data["evidence"]), **settings
        )

    def settings(self) -> Dict[str, bool]:
        """The flags, as the tokenizer saves them."""
        return dict(self.flags)

    def normalize(self, text: str) -> str:
        """The normalized text."""
        return self.align(text).text

    def align(self, raw: str) -> Alignment:
        """Normalize `raw` and return the alignment that holds both texts."""
        alignment = Alignment.identity(raw)
        for _, edits in self.passes:
            alignment = alignment.apply(edits(alignment.text))
        return alignment


def get_normalizer(**flags: bool) -> Normalizer:
    """A shared normalizer with the package's lexicon and evidence, one per combination of flags."""
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise PersianIEError(f"unknown normalizer flags {sorted(unknown)} (expected some of {list(FLAGS)})")
    return _shared_normalizer(tuple(bool(flags.get(flag, True)) for flag in FLAGS))


@lru_cache(maxsize=8)
def _shared_normalizer(values: Tuple[bool, ...]) -> Normalizer:
    return Normalizer(**dict(zip(FLAGS, values)))


def normalize(text: str) -> str:
    """Normalize Persian text with the default settings."""
    return get_normalizer().normalize(text)


def align(text: str) -> Alignment:
    """Normalize Persian text and return the alignment to the raw input."""
    return get_normalizer().align(text)


_CANONICAL_DROP_RE = re.compile(f"[\\s{ZWNJ}]+")
_CANONICAL_TABLE = str.maketrans({"«": '"', "»": '"', "٫": ".", "٬": ",", "٪": "%", "…": "..."})


def canonical(text: str) -> str:
    """A spacing- and script-blind form: equal for a raw span and the normalized span it maps to."""
    text = fold_characters(text).translate(digit_translation()).translate(_CANONICAL_TABLE)
    return _CANONICAL_DROP_RE.sub("", text)



