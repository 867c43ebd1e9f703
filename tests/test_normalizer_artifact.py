"""The lexicon artifact, the evidence table, and the normalizer data a pipeline carries and loads."""

import json
import time
from pathlib import Path

import pytest
import spacy
import srsly

from persian_ie.benchmarks.pipeline import load_times
from persian_ie.errors import PersianIEError
from persian_ie.normalization import Normalizer, get_normalizer
from persian_ie.normalization.artifact import pack_artifact
from persian_ie.normalization.chars import TABLES_PATH, hazm_tables
from persian_ie.normalization.evidence import (
    DATA_PATH as EVIDENCE_PATH,
)
from persian_ie.normalization.evidence import FORMAT as EVIDENCE_FORMAT
from persian_ie.normalization.evidence import (
    Evidence,
    bound_parts,
    count_careful,
    gather_evidence,
    load_evidence,
    read_evidence,
    write_evidence,
)
from persian_ie.normalization.lexicon import DATA_PATH as LEXICON_PATH
from persian_ie.normalization.lexicon import Lexicon, build_lexicon, load_lexicon, read_lexicon
from persian_ie.normalization.normalizer import FLAGS
from persian_ie.normalization.zwnj import compound_left
from persian_ie.pipeline.tokenizer import NORMALIZER_DATA, SETTINGS_FILE, NormalizingTokenizer, blank_nlp


def small_lexicon() -> Lexicon:
    return Lexicon(
        plain={"تنها": 120, "بزرگ": 900},
        joined={"شدهاند": "شده‌اند", "راهاندازی": "راه‌اندازی"},
        spelled={"شده‌اند": 10**7, "راه‌اندازی": 3_227_760},
        adjectives=frozenset({"بزرگ"}),
    )


def test_lexicon_round_trips_through_bytes() -> None:
    lexicon = small_lexicon()
    assert Lexicon.from_bytes(lexicon.to_bytes()) == lexicon


def test_lexicon_rejects_other_bytes() -> None:
    with pytest.raises(PersianIEError):
        Lexicon.from_bytes(b"not a lexicon")


@pytest.mark.skipif(not LEXICON_PATH.exists(), reason="lexicon artifact not built (scripts/build_lexicon.py)")
def test_shipped_artifact_is_the_lexicon_hazm_builds() -> None:
    assert read_lexicon(LEXICON_PATH) == build_lexicon()


@pytest.mark.skipif(not LEXICON_PATH.exists(), reason="lexicon artifact not built (scripts/build_lexicon.py)")
def test_shipped_artifact_loads_fast() -> None:
    start = time.perf_counter()
    read_lexicon(LEXICON_PATH)
    assert time.perf_counter() - start < 1.0  # about 0.1 s; generous for a busy machine


@pytest.mark.skipif(not TABLES_PATH.exists(), reason="hazm tables not copied (scripts/build_lexicon.py)")
def test_copied_character_tables_are_hazms() -> None:
    assert json.loads(TABLES_PATH.read_text(encoding="utf-8")) == hazm_tables()


def test_evidence_round_trips_through_bytes_and_tsv(tmp_path: Path) -> None:
    evidence = Evidence(
        affixes={("مجموعه", "ای"): 12},
        spellings={"اینکه": ("این‌که", 67, 1373), "دامداران": ("", 0, 1)},
        junctions={("راه", "اندازی"): (93, 17)},
        bound={"گیری": (186, 32, 26)},
    )
    assert Evidence.from_bytes(evidence.to_bytes()) == evidence
    write_evidence(evidence, tmp_path / "evidence.tsv.gz")
    assert read_evidence(tmp_path / "evidence.tsv.gz") == evidence


def test_evidence_counts_careful_lines_only() -> None:
    lines = [
        "طرح‌های راه‌اندازی و راه‌اندازی ارائه شده است",  # careful: half-spaces, no bound morpheme alone
        "طرح های راه اندازی شده",  # `های` alone: half-spaces lost, not counted
    ]
    careful = count_careful(lines)
    assert careful.attached["راه", "اندازی"] == 2
    assert careful.spaced["ارائه", "شده"] == 1
    assert careful.spaced["راه", "اندازی"] == 0
    evidence = gather_evidence(careful.attached.__class__(), careful, lambda word: False, lambda a, b: True)
    assert evidence.junctions["راه", "اندازی"] == (2, 0)


def test_bound_parts_count_attached_uses_lefts_and_uses_alone() -> None:
    lines = ["قرآن‌خوانی و ترتیل‌خوانی و قرآن‌خوانی می‌شود و خوانی تنها"] * 3 + ["برمی‌خوانی و کتاب‌ها"] * 5
    careful = count_careful(lines)
    parts = bound_parts(careful, compound_left, min_attached=2)
    # `برمی` is a verb prefix, not the left of a compound: its five uses do not count
    assert parts["خوانی"] == (9, 2, 3)


def test_evidence_saved_before_bound_parts_still_reads() -> None:
    old = Evidence({("مجموعه", "ای"): 12}, {}, {("راه", "اندازی"): (93, 17)})
    columns = {"affix": [["مجموعه", "ای", "12"]], "spelling": [], "junction": [["راه", "اندازی", "93", "17"]]}
    blob = pack_artifact(columns, EVIDENCE_FORMAT, level=9)
    assert Evidence.from_bytes(blob) == old


def test_shipped_evidence_reads() -> None:
    if not EVIDENCE_PATH.exists():
        pytest.skip("evidence table not built")
    evidence = load_evidence()
    assert evidence.junctions and evidence.spellings and evidence.affixes


def test_normalizer_data_round_trips() -> None:
    normalizer = get_normalizer()
    loaded = Normalizer.from_data(normalizer.data_to_bytes(), **normalizer.settings())
    assert loaded.lexicon == normalizer.lexicon and loaded.lexicon is not normalizer.lexicon
    assert loaded.evidence == normalizer.evidence
    text = "شهرکهای صنعتی شده اند و راه اندازی ریال(۵۰۰"
    assert loaded.normalize(text) == normalizer.normalize(text)


def test_normalizer_data_without_restoration_is_none() -> None:
    assert Normalizer(restore_zwnj=False).data_to_bytes() is None


def test_pipeline_carries_its_lexicon(tmp_path: Path) -> None:
    nlp = blank_nlp()
    nlp.to_disk(tmp_path / "model")
    folder = tmp_path / "model" / "tokenizer"
    assert (folder / NORMALIZER_DATA).exists()
    assert srsly.read_json(folder / SETTINGS_FILE) == {flag: True for flag in FLAGS}  # every pass, by name
    loaded = spacy.load(tmp_path / "model")
    # the lexicon came from the pipeline, not from the package
    assert loaded.tokenizer.normalizer is not get_normalizer()
    assert loaded.tokenizer.normalizer.lexicon == load_lexicon()
    assert [t.text for t in loaded("شهرکهای صنعتی شده اند")] == ["شهرک‌های", "صنعتی", "شده‌اند"]
    # saving over it again (the folder exists) works
    loaded.to_disk(tmp_path / "model")


def test_pipeline_saved_before_the_artifact_still_loads(tmp_path: Path) -> None:
    nlp = blank_nlp()
    nlp.to_disk(tmp_path / "model")
    folder = tmp_path / "model" / "tokenizer"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    srsly.write_json(folder, {"restore_zwnj": True, "persian_digits": True})  # the former layout: a JSON file
    loaded = spacy.load(tmp_path / "model")
    assert [t.text for t in loaded("شهرکهای صنعتی")] == ["شهرک‌های", "صنعتی"]
    assert loaded.tokenizer.normalizer is get_normalizer()  # falls back to the package's lexicon
    loaded.to_disk(tmp_path / "resaved")
    assert (tmp_path / "resaved" / "tokenizer" / NORMALIZER_DATA).exists()


def test_tokenizer_bytes_round_trip_and_former_format() -> None:
    nlp = blank_nlp()
    tokenizer = NormalizingTokenizer(nlp.vocab).from_bytes(nlp.tokenizer.to_bytes())
    assert tokenizer.normalizer.lexicon == nlp.tokenizer.normalizer.lexicon
    assert tokenizer.normalizer is not nlp.tokenizer.normalizer
    former = srsly.msgpack_dumps({"restore_zwnj": False, "persian_digits": True})
    tokenizer = NormalizingTokenizer(nlp.vocab).from_bytes(former)
    assert tokenizer.normalizer.restore_zwnj is False
    assert [t.text for t in tokenizer("شهرکهای صنعتی")] == ["شهرکهای", "صنعتی"]


def test_creating_the_tokenizer_builds_nothing() -> None:
    nlp = blank_nlp()
    assert nlp.tokenizer._normalizer is None  # made on first use, or loaded from a saved pipeline
    nlp("سلام")
    assert nlp.tokenizer._normalizer is get_normalizer()


def test_load_times_of_a_pipeline_beside_blank(tmp_path: Path) -> None:
    blank_nlp().to_disk(tmp_path / "model")
    times = load_times(tmp_path / "model", runs=1)
    assert times["runs"] == 1
    assert times["model_seconds"] > 0 and times["blank_fa_seconds"] > 0
    assert times["model_first_doc_seconds"] < 1.0  # nothing left to build on first use
