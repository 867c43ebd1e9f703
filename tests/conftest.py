"""Shared fixtures: the seed article and the shared data beside the project."""

import os
from pathlib import Path

import pytest

from .helpers import corpus_sample, write_corpus_sample

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


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The sampled corpus (tests/helpers.corpus_sample) converted to .spacy files, as `convert` does."""
    from persian_ie.corpus.convert import split_docs, write_docbin
    from persian_ie.pipeline.tokenizer import blank_nlp

    folder = tmp_path_factory.mktemp("corpus")
    nlp = blank_nlp()
    tasks = corpus_sample()
    for split, docs in split_docs(nlp.vocab, tasks).items():
        write_docbin(docs, folder / f"{split}.spacy")
    return folder


@pytest.fixture(scope="session")
def sample_gold(tmp_path_factory) -> Path:
    """The sampled corpus as a gold.jsonl (read-only: a test that imports into it copies it first)."""
    return write_corpus_sample(tmp_path_factory.mktemp("sample") / "gold.jsonl")


@pytest.fixture(scope="session")
def tiny_config(tmp_path_factory) -> Path:
    """config.cfg with the tiny overrides (configs/tiny.overrides.cfg): trains in seconds."""
    from persian_ie.training.config import derive_config

    path = tmp_path_factory.mktemp("config") / "tiny.cfg"
    path.write_text(derive_config(ROOT / "configs" / "config.cfg", ROOT / "configs" / "tiny.overrides.cfg").to_str(),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, corpus_dir, tiny_config) -> Path:
    """The tiny config trained for a few dozen steps (seconds): the full pipeline, badly trained."""
    from spacy.cli.train import train

    output = tmp_path_factory.mktemp("tiny")
    train(
        tiny_config,
        output,
        overrides={"paths.train": str(corpus_dir / "train.spacy"), "paths.dev": str(corpus_dir / "dev.spacy")},
    )
    return output / "model-last"


@pytest.fixture(scope="session")
def baselines_dir(tmp_path_factory, corpus_dir) -> Path:
    """The rule-based annotator and a quickly trained CRF."""
    from persian_ie.baselines.crf import CrfTagger
    from persian_ie.baselines.rules import build_rules_pipeline
    from persian_ie.corpus.convert import read_docbin
    from persian_ie.pipeline.tokenizer import blank_nlp

    folder = tmp_path_factory.mktemp("baselines")
    tasks = corpus_sample()
    build_rules_pipeline([t for t in tasks if t["meta"]["split"] == "train"]).to_disk(folder / "rules")
    nlp = blank_nlp()
    CrfTagger(nlp, folder / "crf.crfsuite").train(read_docbin(corpus_dir / "train.spacy", nlp.vocab), max_iterations=15)
    return folder


@pytest.fixture(scope="session")
def labelstudio(tmp_path_factory):
    """One real Label Studio server for the whole session: about 6 s from the data dir `make labelstudio`
    prepares, about a minute from an empty one.

    Skipped where `.venv-labelstudio` is absent (`make labelstudio` creates it); under CI (CI=true, where
    .ci/run creates it) its absence is a failure, so CI never passes without running the round trip.
    """
    from .labelstudio_helpers import LabelStudio, fresh_data_dir, labelstudio_bin

    if not labelstudio_bin().exists():
        reason = f"Label Studio not installed at {labelstudio_bin()}: run `make labelstudio` (or set LABEL_STUDIO_BIN)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("labelstudio")
    server = LabelStudio(fresh_data_dir(folder / "data"), folder / "server.log")
    try:
        server.started_in = server.wait_healthy()
        yield server
    finally:
        server.stop()
