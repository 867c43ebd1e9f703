"""Character classes and tables: hazm's mapping tables plus what news text needs on top of them.

hazm's tables are read from `data/hazm_tables.json`, a copy written with the lexicon artifact
(`scripts/build_lexicon.py`): importing hazm takes most of a second, which a pipeline being loaded
should not pay. Without the copy they come from hazm itself.
"""

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Dict, List, Tuple

TABLES_PATH = Path(__file__).parent / "data" / "hazm_tables.json"
TABLE_NAMES = ("DIACRITICS_PATTERNS", "SPECIAL_CHARS_PATTERNS", "TRANSLATION_SRC", "TRANSLATION_DST",
               "UNICODE_REPLACEMENTS")


def hazm_tables() -> Dict[str, object]:
    """hazm's character tables, as `hazm.constants` defines them (JSON-friendly: lists, not tuples)."""
    from hazm import constants

    return {name: json.loads(json.dumps(getattr(constants, name))) for name in TABLE_NAMES}


def _load_tables() -> Dict[str, object]:
    if TABLES_PATH.exists():
        return json.loads(TABLES_PATH.read_text(encoding="utf-8"))
    return hazm_tables()


_TABLES = _load_tables()
DIACRITICS_PATTERNS: List[Tuple[str, str]] = [tuple(p) for p in _TABLES["DIACRITICS_PATTERNS"]]
SPECIAL_CHARS_PATTERNS: List[Tuple[str, str]] = [tuple(p) for p in _TABLES["SPECIAL_CHARS_PATTERNS"]]
TRANSLATION_SRC: str = _TABLES["TRANSLATION_SRC"]
TRANSLATION_DST: str = _TABLES["TRANSLATION_DST"]
UNICODE_REPLACEMENTS: List[Tuple[str, str]] = [tuple(p) for p in _TABLES["UNICODE_REPLACEMENTS"]]

ZWNJ = "\u200c"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
LATIN_DIGITS = "0123456789"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ALL_DIGITS = PERSIAN_DIGITS + LATIN_DIGITS + ARABIC_DIGITS

# the letters of normalized Persian text
PERSIAN_LETTERS = "ءآأؤإئابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیۀة"
# letters that never join the following letter: a half-space after them changes nothing visible
NON_JOINING = set("ءآأؤإادذرزژوۀة")

LETTER_OR_ZWNJ = f"[{PERSIAN_LETTERS}{ZWNJ}]"

# whitespace of every kind becomes a plain space; line and paragraph separators become newlines
SPACE_CHARS = "\t\u00a0\u1680\u202f\u205f\u3000\u000b\u000c" + "".join(chr(c) for c in range(0x2000, 0x200B))
NEWLINE_CHARS = "\u2028\u2029\u0085"

# the tatweel that stretches a letter; standing alone between spaces it is a dash (normalizer.character_edits)
KASHIDA = "\u0640"
# invisible or decorative characters that carry nothing for Persian text
_BIDI_AND_FORMAT = (
    "\u200b\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff\u00ad\u061c" + KASHIDA
)
_CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\n\r\t\u000b\u000c") + "".join(
    chr(c) for c in range(0x7F, 0xA0) if chr(c) != "\u0085"
)


def _pattern_chars(patterns) -> str:
    """The characters of hazm's single character-class patterns (diacritics, special marks)."""
    chars = []
    for pattern, _ in patterns:
        body = pattern.strip("[]")
        chars.extend(body.encode("ascii").decode("unicode_escape"))
    return "".join(chars)


DELETED_CHARS = set(_pattern_chars(DIACRITICS_PATTERNS) + _pattern_chars(SPECIAL_CHARS_PATTERNS))
DELETED_CHARS |= set(_BIDI_AND_FORMAT + _CONTROL)
DELETED_CHARS.discard("\u06d4")  # Arabic full stop: kept and mapped to "."

# one-for-one substitutions (length preserving, so the alignment does not change)
_ONE_TO_ONE: Dict[str, str] = {src: dst for src, dst in zip(TRANSLATION_SRC, TRANSLATION_DST)}
_ONE_TO_ONE.update({c: " " for c in SPACE_CHARS})
_ONE_TO_ONE.update({c: "\n" for c in NEWLINE_CHARS})
_ONE_TO_ONE.update(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ە": "ه",
        "ۃ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "\u06d4": ".",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "\u066b": "٫",
    }
)
for _c in DELETED_CHARS:
    _ONE_TO_ONE.pop(_c, None)
TRANSLATION = str.maketrans(_ONE_TO_ONE)
_TRANSLATED_RE = re.compile("[" + re.escape("".join(sorted(_ONE_TO_ONE))) + "]")


def translate(text: str) -> str:
    """`text.translate(TRANSLATION)`, but 5 to 20 times faster: most news characters need no change,
    and a regex finds the few that do without a dictionary look-up per character."""
    return _TRANSLATED_RE.sub(lambda m: _ONE_TO_ONE[m.group()], text)

# multi-character expansions of ligatures and presentation forms
EXPANSIONS: Dict[str, str] = {}
for _pattern, _replacement in UNICODE_REPLACEMENTS:
    for _c in _pattern.replace("(", "").replace(")", "").split("|"):
        if len(_c) == 1:
            EXPANSIONS[_c] = _replacement
for _code in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFF00)):
    _c = chr(_code)
    if _c in _ONE_TO_ONE or _c in EXPANSIONS or _c in DELETED_CHARS:
        continue
    _decomposed = unicodedata.normalize("NFKC", _c)
    if _decomposed != _c and _decomposed.strip():
        EXPANSIONS[_c] = _decomposed.translate(TRANSLATION).replace(" ", "")

CHANGED_CHARS_RE = re.compile(
    "[" + re.escape("".join(sorted(DELETED_CHARS | set(EXPANSIONS)))) + "]"
)


def fold_characters(text: str) -> str:
    """hazm's character tables applied to `text` in one go (one-for-one substitutions, then expansions and
    deletions), for comparing texts whatever their script: the normalizer applies the same tables as
    separate passes, so that its alignment records each edit."""
    return CHANGED_CHARS_RE.sub(lambda m: EXPANSIONS.get(m.group(), ""), translate(text))


@cache
def digit_translation(target: str = PERSIAN_DIGITS) -> Dict[int, int]:
    """Translation table from every digit script to `target`."""
    table = {}
    for digits in (PERSIAN_DIGITS, LATIN_DIGITS, ARABIC_DIGITS):
        table.update(str.maketrans(digits, target))
    return table
