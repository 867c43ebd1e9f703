"""Persian news information extraction: normalizer, tokenizer, NER and relation pipeline."""

__version__ = "0.1.0"

from . import tokenizer  # noqa: E402,F401  (registers the tokenizer and the raw-offset extensions)
