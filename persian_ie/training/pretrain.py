"""The raw news as `spacy pretrain`'s corpus: one Example per paragraph line of the gzipped asset.

spaCy's `JsonlCorpus` wants a JSONL copy of the text; this reader takes the asset as it is, so the
`pretrain` step needs no intermediate file. Each line goes through `nlp.make_doc`, i.e. the project's
normalizing tokenizer, so the tok2vec is pretrained on the same tokens it later sees.
"""

from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry

from ..errors import PersianIEError
from ..io.rawtext import read_gzip_lines


class RawNewsCorpus:
    """Paragraphs of the gzipped raw news, one per line, as unannotated Examples."""

    def __init__(
        self, path: Optional[Union[str, Path]], min_length: int = 0, max_length: int = 0, limit: int = 0
    ) -> None:
        # `spacy train` resolves every corpus of the config, so an unset `paths.raw_text` must not fail here
        self.path = Path(path) if path is not None else None
        self.min_length = min_length
        self.max_length = max_length
        self.limit = limit

    def __call__(self, nlp: Language) -> Iterator[Example]:
        if self.path is None:
            raise PersianIEError("no raw text to pretrain on: pass --paths.raw_text assets/fa_news_apache.txt.gz")
        count = 0
        for line in read_gzip_lines(self.path):
            if not line.strip():
                continue
            doc = nlp.make_doc(line)
            if len(doc) < self.min_length or (self.max_length and len(doc) >= self.max_length):
                continue
            words = [token.text for token in doc]
            spaces = [bool(token.whitespace_) for token in doc]
            yield Example(doc, Doc(nlp.vocab, words=words, spaces=spaces))
            count += 1
            if self.limit and count >= self.limit:
                return


@registry.readers("persian_ie.RawNewsCorpus.v1")
def create_raw_news_reader(
    path: Optional[Union[str, Path]], min_length: int = 0, max_length: int = 0, limit: int = 0
) -> Callable[[Language], Iterator[Example]]:
    """Paragraphs of `path` (gzipped, one per line) with `min_length` <= tokens < `max_length`, at most `limit`."""
    return RawNewsCorpus(path, min_length=min_length, max_length=max_length, limit=limit)
