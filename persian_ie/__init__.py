"""Persian news information extraction: normalizer, tokenizer, NER and relation pipeline."""

__version__ = "0.1.0"

# importing the package registers its spaCy functions: the tokenizer and raw-offset extensions,
# the relation component and model, the CPU ops callback, the rule-based components and the raw-news
# reader of the pretraining step; and it reads .spacy files without a scan of the installed packages per paragraph
from .baselines import heuristic_relations, rules  # noqa: E402,F401
from .io.msgpack_plugins import load_msgpack_plugins_once  # noqa: E402
from .pipeline import cpu_ops, entity_tags, relation_component, relation_model, tokenizer  # noqa: E402,F401
from .training import pretrain  # noqa: E402,F401

load_msgpack_plugins_once()
