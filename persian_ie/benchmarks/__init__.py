"""Benchmarks that write JSON: normalizer accuracy and speed, pipeline speed and cost."""
