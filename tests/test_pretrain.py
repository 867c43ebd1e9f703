"""The raw-news reader that `spacy pretrain` reads the asset through (`corpora.pretrain` in the config)."""

import gzip
from pathlib import Path

import pytest
from spacy.util import load_config, registry

from persian_ie.errors import PersianIEError
from persian_ie.pipeline.tokenizer import blank_nlp
from persian_ie.training.pretrain import RawNewsCorpus

ROOT = Path(__file__).resolve().parent.parent
LINES = [
    "شهرکهای صنعتی خراسان شمالی ۱۵ واحد دارد.",
    "",
    "کوتاه",
    "مدیرعامل شرکت شهرک های صنعتی گفت: ۴۵ واحد تولیدی فعال شده اند.",
]


@pytest.fixture()
def raw_news(tmp_path: Path) -> Path:
    path = tmp_path / "news.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as file:
        file.write("\n".join(LINES) + "\n")
    return path


def test_reader_yields_the_pipeline_tokens_of_each_line(raw_news: Path) -> None:
    nlp = blank_nlp()
    examples = list(RawNewsCorpus(raw_news)(nlp))
    assert len(examples) == 3  # the empty line is skipped
    first = examples[0]
    # the tokens are the normalizing tokenizer's: the lost half-space is restored
    assert [t.text for t in first.predicted] == [t.text for t in nlp.make_doc(LINES[0])]
    assert "شهرک‌های" in [t.text for t in first.predicted]
    assert [t.text for t in first.reference] == [t.text for t in first.predicted]


def test_reader_length_bounds_and_limit(raw_news: Path) -> None:
    nlp = blank_nlp()
    lengths = [len(eg.predicted) for eg in RawNewsCorpus(raw_news, min_length=2)(nlp)]
    assert len(lengths) == 2 and min(lengths) >= 2
    longest = max(len(nlp.make_doc(line)) for line in LINES)
    assert len(list(RawNewsCorpus(raw_news, max_length=longest)(nlp))) == 2
    assert len(list(RawNewsCorpus(raw_news, limit=1)(nlp))) == 1


def test_missing_asset_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(PersianIEError, match="rawtext"):
        list(RawNewsCorpus(tmp_path / "absent.txt.gz")(blank_nlp()))


def test_config_pretrain_corpus_reads_the_asset(raw_news: Path) -> None:
    """The training config's pretraining corpus resolves to this reader over `paths.raw_text`."""
    config = load_config(ROOT / "configs" / "config.cfg", overrides={"paths.raw_text": str(raw_news)}, interpolate=True)
    reader = registry.resolve({"pretrain": config["corpora"]["pretrain"]})["pretrain"]
    assert isinstance(reader, RawNewsCorpus)
    assert reader.path == raw_news
    assert all(len(eg.predicted) >= reader.min_length for eg in reader(blank_nlp()))


def test_unset_raw_text_resolves_and_fails_only_when_read() -> None:
    """With `paths.raw_text = null` (as in `spacy train`) the reader resolves and fails only when read."""
    config = load_config(ROOT / "configs" / "config.cfg", interpolate=True)
    reader = registry.resolve({"pretrain": config["corpora"]["pretrain"]})["pretrain"]
    with pytest.raises(PersianIEError, match="paths.raw_text"):
        next(iter(reader(blank_nlp())))
