"""Loading pipelines with errors a user can act on (a wrong path is not a traceback)."""

import hashlib
from pathlib import Path
from typing import Union

import spacy
from spacy.language import Language

from ..errors import PersianIEError


def pipeline_location(path: Union[str, Path]) -> Union[Path, str]:
    """The pipeline folder, or the name of an installed pipeline package; an error a user can act on
    when it is neither. A cluster's driver checks this before its workers load the pipeline."""
    path = Path(path)
    if not path.exists():
        if spacy.util.is_package(str(path)):
            return str(path)
        raise PersianIEError("model not found (train it with `spacy project run train`)", str(path))
    if not path.is_dir() or not (path / "config.cfg").exists():
        raise PersianIEError("not a spaCy pipeline: expected a folder with config.cfg and meta.json", str(path))
    return path


def load_pipeline(path: Union[str, Path]) -> Language:
    """Load a trained pipeline directory (or an installed package name)."""
    location = pipeline_location(path)
    if isinstance(location, str):
        return spacy.load(location)
    path = location
    try:
        return spacy.load(path)
    except Exception as err:  # spaCy raises many kinds here: config, registry, IO
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise PersianIEError(f"cannot load the pipeline: {first_line}", str(path)) from None


def config_hash(path: Union[str, Path]) -> str:
    """A short hash of a pipeline's config.cfg, to tell models apart in reports."""
    config = Path(path) / "config.cfg"
    return hashlib.sha256(config.read_bytes()).hexdigest()[:12] if config.exists() else ""
