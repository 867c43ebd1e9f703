"""Shared fixtures: the seed article and the shared data beside the project."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PERSIAN_IE_SHARED", ROOT.parent / "shared"))
SEED_PATH = SHARED / "seed" / "000_4a35d0ee4191a94a.txt"
# the corpus keeps the seed article as received, so the tests run where ../shared is absent too
SEED_COPY = ROOT / "corpus" / "raw" / "000_seed_north_khorasan_clusters.txt"
REALDEV_PATH = SHARED / "realdev" / "realdev.jsonl"


@pytest.fixture(scope="session")
def seed_text() -> str:
    if SEED_PATH.exists():
        return SEED_PATH.read_text(encoding="utf-8")
    return SEED_COPY.read_text(encoding="utf-8").rstrip("\n")
