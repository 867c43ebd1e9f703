"""Persian news normalization with a character alignment back to the raw text."""

from .alignment import Alignment
from .normalizer import Normalizer, align, canonical, get_normalizer, normalize

__all__ = ["Alignment", "Normalizer", "align", "canonical", "get_normalizer", "normalize"]
