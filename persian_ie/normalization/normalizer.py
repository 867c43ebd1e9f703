"""The Persian news normalizer: hazm's character tables and lexicon, with an alignment kept.

hazm's `Normalizer` returns a string and forgets where each character came from, and on news text
it leaves glued affixes (`شهرکهای`, `شدهاند`) and joins compound verbs that editors write apart
(`ارائه‌شده`). This normalizer applies the same character mapping, restores half-spaces from
hazm's lexicon, separates glued numbers, and records every edit so that each normalized span maps
back to its raw offsets.
"""

import re
from functools import lru_cache
from typing import Callable, List

from .alignment import Alignment, Edit
from .chars import (
    ALL_DIGITS,
    CHANGED_CHARS_RE,
    EXPANSIONS,
    NON_JOINING,
    PERSIAN_LETTERS,
    TRANSLATION,
    ZWNJ,
    digit_translation,
)
from .lexicon import load_lexicon
from .zwnj import ZwnjRestorer

LETTERS = f"[{PERSIAN_LETTERS}]"
_NUMBER_TOKEN_RE = re.compile(r"[^\s]*[0-9٠-٩][^\s]*")
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
_SPACES_RE = re.compile(r"(?<=\n) +| +(?=\n)|\A +| +\Z|(?<= ) +")
_NEWLINES_RE = re.compile(r"\A\n+|\n+\Z|(?<=\n\n)\n+")
_CARRIAGE_RETURN_RE = re.compile(r"\r\n?")
# half-spaces: keep one only between a joining letter and a letter
_ZWNJ_RUN_RE = re.compile(f"{ZWNJ}+")
# punctuation spacing, as hazm does it, and glued numbers
_SPACE_INSIDE_PUNCTUATION_RE = re.compile(r" (?=[.:!،؛؟»)\]}])|(?<=[«(\[{]) ")
_MISSING_SPACE_RE = re.compile(
    f"(?<=[،؛:!؟.»])(?=[{PERSIAN_LETTERS}«])"  # after punctuation, before a word or a quote
    f"|(?<=[{PERSIAN_LETTERS}{ALL_DIGITS}])(?=«)"  # before an opening quote
    f"|(?<=[{ALL_DIGITS}٪%])(?={LETTERS})"  # a number glued to the next word
    f"|(?<={LETTERS})(?=[{ALL_DIGITS}])"  # a word glued to the next number
)


def _regex_edits(pattern: re.Pattern, text: str, replacement: str = "") -> List[Edit]:
    return [(m.start(), m.end(), replacement) for m in pattern.finditer(text)]


def _digits_in_context(text: str) -> str:
    """Persian digits for numbers among Persian words; Latin tokens and Latin context keep theirs."""
    pieces, position = [], 0
    for match in _NUMBER_TOKEN_RE.finditer(text):
        start, end = match.span()
        token = match.group()
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

    restore_zwnj: restore lost half-spaces from hazm's lexicon.
    persian_digits: write digits in Persian script outside Latin tokens (`COVID-19` stays).
    """

    def __init__(self, restore_zwnj: bool = True, persian_digits: bool = True) -> None:
        self.restore_zwnj = restore_zwnj
        self.persian_digits = persian_digits
        self._restorer = ZwnjRestorer(load_lexicon()) if restore_zwnj else None
        self.steps: List[Callable[[str], List[Edit]]] = [
            self._character_edits,
            self._zwnj_cleanup_edits,
            lambda text: _regex_edits(_CARRIAGE_RETURN_RE, text, "\n"),
            lambda text: _regex_edits(_SPACES_RE, text),
            lambda text: _regex_edits(_NEWLINES_RE, text),
            lambda text: _regex_edits(_SPACE_INSIDE_PUNCTUATION_RE, text),
            lambda text: _regex_edits(_MISSING_SPACE_RE, text, " "),
        ]
        if self._restorer is not None:
            self.steps.append(self._restorer.edits)

    def __call__(self, text: str) -> str:
        return self.align(text).text

    def normalize(self, text: str) -> str:
        return self.align(text).text

    def align(self, raw: str) -> Alignment:
        """Normalize `raw` and return the alignment that holds both texts."""
        alignment = Alignment.identity(raw)
        # one-for-one substitutions keep every offset, so they rewrite the text only
        text = _QUOTES_RE.sub(r"«\1»", raw.translate(TRANSLATION))
        alignment = Alignment(raw, text, alignment.starts, alignment.ends)
        for step in self.steps:
            alignment = alignment.apply(step(alignment.text))
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


@lru_cache(maxsize=4)
def get_normalizer(restore_zwnj: bool = True, persian_digits: bool = True) -> Normalizer:
    """A shared normalizer: the lexicon takes about two seconds to build."""
    return Normalizer(restore_zwnj=restore_zwnj, persian_digits=persian_digits)


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
    text = CHANGED_CHARS_RE.sub(lambda m: EXPANSIONS.get(m.group(), ""), text.translate(TRANSLATION))
    text = text.translate(digit_translation()).translate(_CANONICAL_TABLE)
    return _CANONICAL_DROP_RE.sub("", text)



