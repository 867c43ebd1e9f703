"""The spaCy pipeline.

The normalizing tokenizer, relations on the Doc, the relation model and the `relation_extractor`
component with its scorer.
"""
