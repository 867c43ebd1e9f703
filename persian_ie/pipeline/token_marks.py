"""Prefix counts of marker tokens (sentence ends, commas, cue words), computed on the Doc's ORTH ids.

Relation features and rules ask "is there a full stop between these two entities?" for every
candidate pair; prefix counts answer each question with one subtraction. Comparing integer ids
with a Python set is cheaper than creating a string per token, and than numpy on paragraphs of a
few dozen tokens.
"""

from itertools import accumulate
from typing import FrozenSet, Iterable, List

from spacy.attrs import ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc


def orth_ids(texts: Iterable[str]) -> FrozenSet[int]:
    """The ORTH ids of token texts (string hashes: the same in every vocab)."""
    return frozenset(get_string_id(text) for text in texts)


def doc_orths(doc: Doc) -> List[int]:
    return doc.to_array(ORTH).tolist()


def prefix_counts(flags: Iterable[bool]) -> List[int]:
    """m[i] = flagged tokens before token i; tokens a..b-1 hold m[b] - m[a] of them."""
    return list(accumulate(flags, initial=0))


def token_marks(orths: List[int], ids: FrozenSet[int]) -> List[int]:
    """Prefix counts of the tokens whose id is in `ids`."""
    return prefix_counts(orth in ids for orth in orths)
