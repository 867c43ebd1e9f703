"""The formats at the edges of the flow.

Raw news and input files, Prodigy tasks and their hashes, crash-safe JSONL, the HTML review page.
"""
