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

import srsly

from ..errors import PersianIEError
from .alignment import Alignment, Edit
from .chars import (
    ALL_DIGITS,
    CHANGED_CHARS_RE,
    EXPANSIONS,
    NON_JOINING,
    PERSIAN_LETTERS,
    ZWNJ,
    digit_translation,
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
)
# brackets, slashes and plus signs glued to Persian words, so that a span can end at them:
# `ریال(۵۰۰`, `ساچس(goldman`, `ریال)و`; `گچساران/خبرنگار`, `تومان+جدول` (`۶/۳`, `۱۴۰۲/۰۵/۱۰` stay)
_MARKS_RE = re.compile(r"[()\[\]{}/+]")
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


class Normalizer:
    """Normalize Persian news text and keep the alignment to the raw input.

    The passes run in order, each on the output of the one before; the flags switch them:

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
    ) -> None:
        self.restore_zwnj = restore_zwnj
        self.persian_digits = persian_digits
        self.separate_glued_marks = separate_glued_marks
        self._restorer: Optional[ZwnjRestorer] = None
        if restore_zwnj:
            self._restorer = ZwnjRestorer(
                lexicon or load_lexicon(), load_evidence() if evidence is None else evidence
            )
        self.passes: List[Tuple[str, Callable[[str], List[Edit]]]] = [
            ("characters", self._character_edits),
            ("zwnj_cleanup", self._zwnj_cleanup_edits),
            ("line_ends", lambda text: _regex_edits(_CARRIAGE_RETURN_RE, text, "\n")),
            ("spaces", lambda text: _regex_edits(_SPACES_RE, text)),
            ("blank_lines", lambda text: _regex_edits(_NEWLINES_RE, text)),
            ("space_inside_punctuation", _space_inside_punctuation_edits),
            ("missing_space", _missing_space_edits),
        ]
        if separate_glued_marks:
            self.passes.append(("glued_marks", _glued_mark_edits))
        if self._restorer is not None:
            self.passes.append(("half_spaces", self._restorer.edits))

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
        return {
            "restore_zwnj": self.restore_zwnj,
            "persian_digits": self.persian_digits,
            "separate_glued_marks": self.separate_glued_marks,
        }

    def __call__(self, text: str) -> str:
        return self.align(text).text

    def normalize(self, text: str) -> str:
        return self.align(text).text

    def align(self, raw: str) -> Alignment:
        """Normalize `raw` and return the alignment that holds both texts."""
        alignment = Alignment.identity(raw)
        # one-for-one substitutions keep every offset, so they rewrite the text only
        text = _QUOTES_RE.sub(r"«\1»", translate(raw))
        alignment = Alignment(raw, text, alignment.starts, alignment.ends)
        for _, edits in self.passes:
            alignment = alignment.apply(edits(alignment.text))
        if self.persian_digits:
            # last, once spacing has settled which token each number belongs to
            alignment = Alignment(raw, _digits_in_context(alignment.text), alignment.starts, alignment.ends)
        return alignment

    @staticmethod
    def _character_edits(text: str) -> List[Edit]:
        return [
            (m.start(), m.end(), EXPANSIONS.get(m.group(), ""))
            for m in CHANGED_CHARS_RE.finditer(text)
        ]

    @staticmethod
    def _zwnj_cleanup_edits(text: str) -> List[Edit]:
        edits = []
        for match in _ZWNJ_RUN_RE.finditer(text):
            start, end = match.start(), match.end()
            before = text[start - 1] if start else ""
            after = text[end] if end < len(text) else ""
            keep = (
                before in PERSIAN_LETTERS
                and before
                and before not in NON_JOINING
                and after in PERSIAN_LETTERS
                and after
            )
            if not keep:
                edits.append((start, end, ""))
            elif end - start > 1:
                edits.append((start + 1, end, ""))
        return edits


def _space_inside_punctuation_edits(text: str) -> List[Edit]:
    """No space before closing punctuation or after an opening quote or bracket, as hazm does it."""
    edits = _regex_edits(_SPACE_BEFORE_PUNCTUATION_RE, text)
    if "«" in text or "(" in text or "[" in text or "{" in text:
        edits += _regex_edits(_SPACE_AFTER_OPENING_RE, text)
    return sorted(set(edits))


def _missing_space_edits(text: str) -> List[Edit]:
    """A space after punctuation and around quotes and numbers glued to words (`۱۶رشته`)."""
    return [(m.end(), m.end(), " ") for m in _MISSING_SPACE_RE.finditer(text)]


def _glued_mark_edits(text: str) -> List[Edit]:
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


def get_normalizer(
    restore_zwnj: bool = True, persian_digits: bool = True, separate_glued_marks: bool = True
) -> Normalizer:
    """A shared normalizer with the package's lexicon and evidence, one per combination of flags."""
    return _shared_normalizer(bool(restore_zwnj), bool(persian_digits), bool(separate_glued_marks))


@lru_cache(maxsize=8)
def _shared_normalizer(restore_zwnj: bool, persian_digits: bool, separate_glued_marks: bool) -> Normalizer:
    return Normalizer(
        restore_zwnj=restore_zwnj, persian_digits=persian_digits, separate_glued_marks=separate_glued_marks
    )


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
    text = CHANGED_CHARS_RE.sub(lambda m: EXPANSIONS.get(m.group(), ""), translate(text))
    text = text.translate(digit_translation()).translate(_CANONICAL_TABLE)
    return _CANONICAL_DROP_RE.sub("", text)



