"""The normalizer's compact artifacts (lexicon, evidence): a msgpack dict under zlib, tagged with its format."""

import zlib
from typing import Any, Callable, Dict

import srsly

from ..errors import PersianIEError


def cached_blob(owner: Any, encode: Callable[[], bytes]) -> bytes:
    """`encode()` once per (frozen) object: a pipeline is saved many times during training."""
    blob = owner.__dict__.get("_blob")
    if blob is None:
        blob = encode()
        object.__setattr__(owner, "_blob", blob)
    return blob


def pack_artifact(data: Dict[str, Any], format_name: str, level: int = 6) -> bytes:
    """`data` with its format tag, msgpack-encoded and compressed."""
    return zlib.compress(srsly.msgpack_dumps({"format": format_name, **data}), level)


def unpack_artifact(blob: bytes, format_name: str, kind: str) -> Dict[str, Any]:
    """The dict of an artifact, or an error that says what the bytes are not."""
    try:
        data = srsly.msgpack_loads(zlib.decompress(blob))
    except (zlib.error, ValueError) as err:
        raise PersianIEError(f"not {kind} artifact: {err}") from None
    if not isinstance(data, dict) or data.get("format") != format_name:
        raise PersianIEError(f"not {kind} artifact (expected format {format_name})")
    return data
