"""The three-damage normalizer benchmark: damages, scores, the trusted-paragraph filter, the outputs."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from persian_ie.benchmarks.normalizer import (
    RestorationScore,
    benchmark,
    check_targets,
    damage,
    explain_missed,
    lost_half_spaces,
    markdown_table,
    missed_table,
    score_restoration,
    trusted_paragraphs,
)
from persian_ie.errors import PersianIEError
from persian_ie.normalization.chars import ZWNJ

ROOT = Path(__file__).resolve().parent.parent
TEXT = "شهرک‌های صنعتی ۱۶ واحد را راه‌اندازی کرده‌اند و یک کارخانه‌ای دیگر هم می‌سازند."


def test_damages() -> None:
    assert ZWNJ not in damage(TEXT, "deleted") and "شهرکهای" in damage(TEXT, "deleted")
    assert "شهرک های" in damage(TEXT, "spaced")
    mixed = damage(TEXT, "mixed", seed=3)
    assert mixed == damage(TEXT, "mixed", seed=3)  # reproducible
    assert "ي" in mixed and "ك" in mixed and "16" in mixed and "ی" not in mixed
    with pytest.raises(PersianIEError):
        damage(TEXT, "shuffled")


def test_scores_words_half_spaces_and_false_joins() -> None:
    perfect = score_restoration(TEXT, TEXT)
    assert perfect.words == perfect.correct and perfect.zwnj_words == perfect.zwnj_correct == 5
    assert perfect.false_joins == 0
    glued = score_restoration(TEXT, damage(TEXT, "deleted"))
    assert glued.zwnj_correct == 0 and glued.correct == glued.words - 5
    joined = score_restoration("ارائه شده است", "ارائه‌شده است")
    assert joined.false_joins == 1 and joined.correct == 1
    # punctuation and the spaces around it are not scored; digits in any script are the same
    assert score_restoration("گفت: «سلام» 16", "گفت :«سلام » ۱۶").correct == 3


def test_score_adds_up() -> None:
    total = RestorationScore(1, 1, 0, 0, 0) + RestorationScore(2, 1, 1, 1, 1)
    assert total.to_dict()["word_accuracy"] == pytest.approx(2 / 3)
    assert total.false_join_rate == pytest.approx(1 / 3)


def test_missed_words_and_why() -> None:
    """Each missed half-space word is listed with what came out, and the raw news's counts say why."""
    from collections import Counter

    missed: Counter = Counter()
    score_restoration(TEXT, damage(TEXT, "spaced"), missed)
    assert missed["شهرک‌های -> شهرک های"] == 1 and missed["کرده‌اند -> کرده اند"] == 1
    assert sum(missed.values()) == 5
    sets = {"held_out": [TEXT]}
    results = benchmark(sets, {"persian_ie": lambda text: text}, modes=("spaced",), repeats=1)
    results["sets"] = {"held_out": {"title": "Held out", "description": "one paragraph"}}
    junctions = {("شهرک", "های"): (50, 2), ("راه", "اندازی"): (4, 10)}
    before = copy.deepcopy(results)
    explained = explain_missed(results, junctions)
    assert results == before, "the benchmark's own results are not edited"
    assert explained["missed_why"]["held_out/spaced"] == {"news joins": 1, "news does not clearly join": 1, "unseen": 3}
    missed = explained["normalizers"]["persian_ie"]["held_out"]["spaced"]["missed"]
    rows = {row["reference"]: row for row in missed}
    assert rows["راه‌اندازی"]["output"] == "راه اندازی" and rows["راه‌اندازی"]["news_spaced"] == 10
    assert "| شهرک‌های | شهرک های | 1 | 50:2 | news joins |" in missed_table(explained, "held_out", "spaced")


def test_trusted_paragraph_filter() -> None:
    verbs = {"می‌شود"}
    assert lost_half_spaces("طرح های توسعه", verbs) == ["های"]
    assert lost_half_spaces("پروژههای عمرانی", verbs) == ["پروژههای"]
    assert lost_half_spaces("این کار انجام میشود", verbs) == ["میشود"]
    assert lost_half_spaces("میز و میزان", verbs) == []
    paragraphs = ["طرح‌های توسعه‌ای اجرا می‌شود", "طرح های توسعه", "بدون نیم‌فاصله نیست", "ساده و روان"]
    assert trusted_paragraphs(paragraphs, verbs) == [paragraphs[0], paragraphs[2]]


def test_benchmark_and_table() -> None:
    sets = {"held_out": [TEXT, "ارائه شده است"]}
    results = benchmark(sets, {"identity": lambda text: text, "perfect": lambda text: TEXT}, repeats=1)
    results["sets"] = {"held_out": {"title": "Held out", "description": "two paragraphs"}}
    identity = results["normalizers"]["identity"]["held_out"]
    assert identity["spaced"]["zwnj_word_recall"] == 0.0
    assert set(identity) == {"deleted", "spaced", "mixed"}
    assert results["normalizers"]["identity"]["chars_per_second"] > 0
    targets = check_targets(results, ours="identity")
    assert targets["held_out/deleted/recall>=0.97"] is False
    table = markdown_table(results)
    assert "| deleted | identity |" in table and "characters per second" in table


def test_script_writes_json_and_table(tmp_path: Path) -> None:
    output = tmp_path / "normalizer.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "benchmark_normalizer.py"), str(ROOT / "corpus" / "authored"),
         str(output), "--limit", "2", "--repeats", "1"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(output.read_text(encoding="utf-8"))
    assert {"persian_ie", "hazm"} <= set(data["normalizers"])
    assert data["sets"]["held_out"]["documents"]
    assert output.with_suffix(".md").read_text(encoding="utf-8").count("| deleted |") >= 2
