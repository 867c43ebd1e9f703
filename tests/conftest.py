"""Shared fixtures: the seed article and the shared data beside the project."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_PATH = SHARED / "seed" / "000_4a35d0ee4191a94a.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_PATH.exists():
        pytest.fail(f"the seed article is missing: {SEED_PATH}")
    return SEED_PATH.read_text(encoding="utf-8")
