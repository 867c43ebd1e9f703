"""Persian news information extraction: normalizer, tokenizer, NER and relation pipeline."""

__version__ = "0.1.0"

from . import (  # noqa: E402,F401  (registers the factory and architectures)
    relation_component,
    relation_model,
    tokenizer,  # noqa: E402,F401  (registers the tokenizer and the raw-offset extensions)
)
from .baselines import heuristic_relations, rules  # noqa: E402,F401  (registers the rule components)
