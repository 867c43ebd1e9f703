"""Trained pipeline -> Prodigy tasks: batch prediction over files, with confidence scores."""
