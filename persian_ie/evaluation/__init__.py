"""Scores, thresholds, error analysis, learning curves, lever experiments and the report."""
