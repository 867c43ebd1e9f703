"""Configs derived from `configs/config.cfg` by a small file of overrides, so that they cannot drift.

`configs/tiny.overrides.cfg` holds only what the tests' tiny pipeline changes (narrow tok2vec, no
static vectors, a few dozen steps); every other setting, the tokenizer and the components included,
comes from the base config.
"""

import configparser
from pathlib import Path
from typing import Any, Dict, Union

import srsly

from spacy.util import Config, load_config

from ..errors import PersianIEError


def flatten(section: Dict[str, Any], prefix: str = "") -> Dict[str, Any]:
    """Nested config sections as dotted keys: `{"a": {"b": 1}}` -> `{"a.b": 1}`."""
    flat: Dict[str, Any] = {}
    for key, value in section.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def config_overrides(path: Union[str, Path]) -> Dict[str, Any]:
    """The dotted overrides an overrides file holds: `[a.b]` + `c = 1` -> `{"a.b.c": 1}`.

    The file is in config syntax, but its sections need no parents: it names only what it changes.
    """
    path = Path(path)
    if not path.exists():
        raise PersianIEError("overrides file not found", str(path))
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keep the keys' case
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
    except configparser.Error as err:
        raise PersianIEError(f"not a config file: {err.message}", str(path)) from None
    overrides: Dict[str, Any] = {}
    for section in parser.sections():
        for key, value in parser.items(section):
            try:
                overrides[f"{section}.{key}"] = srsly.json_loads(value)
            except ValueError:
                overrides[f"{section}.{key}"] = value
    return overrides


def derive_config(base: Union[str, Path], overrides: Union[str, Path]) -> Config:
    """`base` with the settings of `overrides`; a key the base does not have is an error."""
    changes = config_overrides(overrides)
    known = flatten(dict(load_config(base, interpolate=False)))
    unknown = sorted(key for key in changes if key not in known)
    if unknown:
        raise PersianIEError(f"overrides name settings the base config does not have: {unknown}", str(overrides))
    return load_config(base, overrides=changes, interpolate=False)
