"""A spaCy tokenizer that normalizes Persian news text first and keeps the raw offsets on the Doc.

`nlp(raw_text)` normalizes, then tokenizes the normalized text with Persian rules fixed for news:
dateline dashes (`بجنورد- ایرنا-`), glued numbers (`۱۶رشته`), decimals (`۶/۳`), « » quotes, brackets,
slashes and plus signs (the normalizer spaces them off the words they were glued to); words joined by a
half-space stay one token. The tokenizer saves the normalizer's lexicon with the pipeline, so loading
a pipeline builds nothing. The alignment to the raw text is stored in
`doc.user_data`, so it travels with `DocBin` and `Doc.to_bytes`, and is read through extensions:

- `doc._.raw_text`: the text as it was given;
- `span._.raw_start`, `span._.raw_end`, `span._.raw_text`: the span in raw offsets (tokens too).
"""

import bisect
import re
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Sequence, Tuple, Union

import srsly
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token
from spacy.util import (
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
    get_lang_class,
    registry,
)
from spacy.vocab import Vocab

from ..io.files import write_bytes_atomic
from ..normalization import Normalizer, get_normalizer
from ..normalization.chars import PERSIAN_LETTERS
from ..normalization.normalizer import FLAGS

ALIGNMENT_KEY = "persian_ie_alignment"
# the tokenizer's folder in a saved pipeline: the normalizer's flags and its lexicon and evidence
SETTINGS_FILE = "settings.json"
NORMALIZER_DATA = "normalizer.bin"

PERSIAN_DIGITS = "۰-۹"
LETTERS = f"[{PERSIAN_LETTERS}]"

# numbers written with a decimal or thousands mark stay one token: ۶/۳، ۱٫۸، ۱٬۲۰۰، 2.5
NUMBER_RE = re.compile(rf"^[{PERSIAN_DIGITS}0-9]+(?:[/٫٬.,:][{PERSIAN_DIGITS}0-9]+)+$")

EXTRA_PREFIXES = (
    rf"[{PERSIAN_DIGITS}]+(?={LETTERS})",  # a number glued to the next word: ۱۶رشته
    r"-(?=[\u0600-\u06FF])",  # a dash before a Persian word
)
EXTRA_SUFFIXES = (
    r"(?<=[\u0600-\u06FF)»])-",  # a dateline dash: بجنورد- ایرنا-
    rf"(?<={LETTERS})[{PERSIAN_DIGITS}]+",  # a word glued to the next number: افزایش۵۰۰
    r"(?<=[»)\]])[.:؛!؟]",  # a full stop after a closing quote or bracket: «زلاتان ابراهیموویچ».
)


def persian_news_tokenizer(vocab: Vocab) -> Tokenizer:
    """spaCy's Persian rules plus the splits news text needs."""
    defaults = get_lang_class("fa").Defaults
    prefixes = list(defaults.prefixes or []) + list(EXTRA_PREFIXES)
    suffixes = list(defaults.suffixes or []) + list(EXTRA_SUFFIXES)
    infixes = list(defaults.infixes or [])
    return Tokenizer(
        vocab,
        rules=dict(defaults.tokenizer_exceptions or {}),
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=NUMBER_RE.match,
        url_match=defaults.url_match,
    )


class NormalizingTokenizer:
    """Normalize with `Normalizer.align`, tokenize the result, keep the alignment on the Doc.

    The normalizer is made on first use, so a pipeline being loaded never builds the package's
    lexicon only to replace it with the one it saved: `to_disk`/`to_bytes` save the normalizer's flags
    and its lexicon and evidence (`NORMALIZER_DATA`, about 1 MB), and `from_disk`/`from_bytes` load
    them back. A pipeline saved before that (its tokenizer a JSON file of flags) uses the package's
    lexicon and evidence.
    """

    def __init__(
        self, vocab: Vocab, normalizer: Optional[Normalizer] = None, settings: Optional[Dict[str, bool]] = None
    ) -> None:
        self.vocab = vocab
        self._normalizer = normalizer
        self._settings = normalizer.settings() if normalizer is not None else dict(settings or {})
        self.tokenizer = persian_news_tokenizer(vocab)

    @property
    def normalizer(self) -> Normalizer:
        if self._normalizer is None:
            self._normalizer = get_normalizer(**self._settings)
        return self._normalizer

    @normalizer.setter
    def normalizer(self, normalizer: Normalizer) -> None:
        self._normalizer = normalizer
        self._settings = normalizer.settings()

    def __call__(self, text: str) -> Doc:
        alignment = self.normalizer.align(text)
        doc = self.tokenizer(alignment.text)
        doc.user_data[ALIGNMENT_KEY] = alignment.to_dict()
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def _load(self, settings: Dict[str, Any], data: Optional[bytes]) -> "NormalizingTokenizer":
        settings = {key: bool(value) for key, value in settings.items() if key in FLAGS}
        if data is None:
            self._normalizer, self._settings = None, settings
        else:
            self.normalizer = Normalizer.from_data(data, **settings)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return srsly.msgpack_dumps({"settings": self.normalizer.settings(), "data": self.normalizer.data_to_bytes()})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> "NormalizingTokenizer":
        message = srsly.msgpack_loads(data)
        if "settings" not in message:  # saved before the tokenizer carried its lexicon: flags only
            return self._load(message, None)
        return self._load(message["settings"], message.get("data"))

    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> None:
        path = Path(path)
        if path.is_file():  # the former layout: one JSON file of flags
            path.unlink()
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / SETTINGS_FILE, self.normalizer.settings())
        data = self.normalizer.data_to_bytes()
        if data is not None:
            write_bytes_atomic(path / NORMALIZER_DATA, data)
        elif (path / NORMALIZER_DATA).exists():
            (path / NORMALIZER_DATA).unlink()

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = tuple()) -> "NormalizingTokenizer":
        path = Path(path)
        if path.is_file():  # saved before the tokenizer carried its lexicon: flags only
            return self._load(srsly.read_json(path), None)
        data_path = path / NORMALIZER_DATA
        data = data_path.read_bytes() if data_path.exists() else None
        return self._load(srsly.read_json(path / SETTINGS_FILE), data)


@registry.tokenizers("persian_ie.NormalizingTokenizer.v1")
def create_normalizing_tokenizer(
    restore_zwnj: bool = True, persian_digits: bool = True, separate_glued_marks: bool = True
) -> Callable[[Language], NormalizingTokenizer]:
    """The config entry: `[nlp.tokenizer] @tokenizers = "persian_ie.NormalizingTokenizer.v1"`."""

    def make_tokenizer(nlp: Language) -> NormalizingTokenizer:
        settings = {
            "restore_zwnj": restore_zwnj,
            "persian_digits": persian_digits,
            "separate_glued_marks": separate_glued_marks,
        }
        return NormalizingTokenizer(nlp.vocab, settings=settings)

    return make_tokenizer


def raw_offsets(doc: Doc, start_char: int, end_char: int) -> Tuple[int, int]:
    """Raw offsets of the normalized character span [start_char, end_char) of `doc`."""
    data = doc.user_data.get(ALIGNMENT_KEY)
    if data is None:
        return start_char, end_char
    points = data["points"]
    if end_char > start_char:
        return _raw_start(data, points, start_char), _raw_end(data, points, end_char - 1)
    if start_char < len(doc.text):
        point = _raw_start(data, points, start_char)
    elif doc.text:
        point = _raw_end(data, points, len(doc.text) - 1)
    else:
        point = 0
    return point, point


def _anchor(points: Sequence[int], index: int) -> int:
    """The last alignment point at or before `index` (-1 if none); `points` is a sorted list."""
    return bisect.bisect_right(points, index) - 1


def _raw_start(data: Dict[str, Any], points: Any, index: int) -> int:
    anchor = _anchor(points, index)
    if anchor < 0:
        return index
    if points[anchor] == index:
        return int(data["starts"][anchor])
    return int(data["starts"][anchor]) - int(points[anchor]) + index


def _raw_end(data: Dict[str, Any], points: Any, index: int) -> int:
    anchor = _anchor(points, index)
    if anchor >= 0 and points[anchor] == index:
        return int(data["ends"][anchor])
    return _raw_start(data, points, index) + 1


def _doc_raw_text(doc: Doc) -> str:
    data = doc.user_data.get(ALIGNMENT_KEY)
    return doc.text if data is None else data["raw"]


def _span_raw(span: Union[Span, Token]) -> Tuple[int, int]:
    if isinstance(span, Token):
        return raw_offsets(span.doc, span.idx, span.idx + len(span.text))
    return raw_offsets(span.doc, span.start_char, span.end_char)


def _span_raw_text(span: Union[Span, Token]) -> str:
    start, end = _span_raw(span)
    return _doc_raw_text(span.doc)[start:end]


def register_extensions() -> None:
    """Register the raw-offset extensions (idempotent)."""
    if not Doc.has_extension("raw_text"):
        Doc.set_extension("raw_text", getter=_doc_raw_text)
    for cls in (Span, Token):
        if not cls.has_extension("raw_start"):
            cls.set_extension("raw_start", getter=lambda s: _span_raw(s)[0])
            cls.set_extension("raw_end", getter=lambda s: _span_raw(s)[1])
            cls.set_extension("raw_text", getter=_span_raw_text)


register_extensions()


def blank_nlp(restore_zwnj: bool = True, persian_digits: bool = True, separate_glued_marks: bool = True) -> Language:
    """A blank Persian pipeline with the normalizing tokenizer, as the training config builds it."""
    import spacy

    config = {
        "nlp": {
            "tokenizer": {
                "@tokenizers": "persian_ie.NormalizingTokenizer.v1",
                "restore_zwnj": restore_zwnj,
                "persian_digits": persian_digits,
                "separate_glued_marks": separate_glued_marks,
            }
        }
    }
    return spacy.blank("fa", config=config)
