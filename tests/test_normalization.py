"""The normalizer on the seed article, on hand-picked news cases, and as properties."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persian_ie.normalization import Alignment, canonical, get_normalizer, normalize
from persian_ie.normalization.chars import ZWNJ

SEED_WORDS = ["شهرک‌های", "مجموعه‌ای", "شده‌اند", "فعالیت‌های", "می‌یابد", "منطقه‌ای", "چالش‌ها"]


@pytest.fixture(scope="module")
def seed_normalized(seed_text: str) -> str:
    return normalize(seed_text)


@pytest.mark.parametrize("word", SEED_WORDS)
def test_seed_half_spaces_restored(seed_normalized: str, word: str) -> None:
    assert word in seed_normalized.split() or re.search(rf"(^|\s){word}", seed_normalized)


def test_seed_glued_numbers_separated(seed_normalized: str) -> None:
    assert "۱۶ رشته" in seed_normalized
    assert "۳ خوشه" in seed_normalized
    assert "۱۶رشته" not in seed_normalized


def test_seed_keeps_compound_verbs_apart(seed_normalized: str) -> None:
    # hazm writes ارائه‌شده; news editors (and the STATUS spans) keep the auxiliary apart
    assert "ارائه شده است" in seed_normalized
    assert "مستقل شده‌اند" in seed_normalized


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("بانكهاي صادرات", "بانک‌های صادرات"),
        ("رشته ها و شده اند", "رشته‌ها و شده‌اند"),
        ("می کنند و نمی شود", "می‌کنند و نمی‌شود"),
        ("استفاده تخصصیتر", "استفاده تخصصی‌تر"),
        ("کار ها و واحد ها", "کارها و واحدها"),
        ("تنها راه", "تنها راه"),  # a lexicon word is never split
        ("ظرفیت\u00a0های استان", "ظرفیت‌های استان"),
        ("افزایش۵۰۰ هزار لیتر", "افزایش ۵۰۰ هزار لیتر"),
        ("٥٠ هزار تن", "۵۰ هزار تن"),
        ("COVID-19 و 20 درصد", "COVID-19 و ۲۰ درصد"),
        ("1.8 میلیارد", "۱٫۸ میلیارد"),
        ("گفت :« سلام »", "گفت: «سلام»"),
        ("خوشـــه", "خوشه"),
        ("پرسپولیس ـ راه آهن", "پرسپولیس - راه‌آهن"),  # a kashida standing alone is a dash
        ("ـ تاخیر در خواب ــ بیداری", "- تاخیر در خواب - بیداری"),
        ("حَذفِ اِعراب", "حذف اعراب"),
        ("ﻻزم", "لازم"),
        ("سلام\r\nدنیا", "سلام\nدنیا"),
        ("کتاب\u200c\u200cها", "کتاب‌ها"),
        ("\u200cسلام\u200c", "سلام"),
        ("ولی\u200e پور", "ولی پور"),
    ],
)
def test_news_cases(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("raw", ["", " ", "   \n\n  ", "Hello world 2024", "\x00\x01\x07"])
def test_degenerate_inputs(raw: str) -> None:
    alignment = get_normalizer().align(raw)
    assert alignment.text == alignment.text.strip() or alignment.text == ""
    assert len(alignment.starts) == len(alignment.text)


def test_latin_only_text_is_kept() -> None:
    assert normalize("Hello world 2024, version 3.8") == "Hello world 2024, version 3.8"


def test_mixed_scripts() -> None:
    assert normalize("سامانه ERP نسخه 2 و iPhone 15") == "سامانه ERP نسخه ۲ و iPhone 15"


def test_megabyte_paragraph(seed_text: str) -> None:
    paragraph = seed_text.replace("\n", " ")
    big = (paragraph + " ") * (1_000_000 // len(paragraph) + 1)
    alignment = get_normalizer().align(big)
    assert len(alignment.raw) >= 1_000_000
    assert "شهرک‌های" in alignment.text[:2000]


def test_alignment_maps_seed_spans_back(seed_text: str) -> None:
    alignment = get_normalizer().align(seed_text)
    for word in SEED_WORDS + ["۱۶ رشته"]:
        start = alignment.text.index(word)
        raw_start, raw_end = alignment.to_raw(start, start + len(word))
        assert canonical(seed_text[raw_start:raw_end]) == canonical(word)
        assert alignment.to_normalized(raw_start, raw_end) == (start, start + len(word))


def test_alignment_serializes() -> None:
    alignment = get_normalizer().align("  بانكهاي  ۱۶رشته… گفت :\u200e سلام ﻻ")
    restored = Alignment.from_dict(alignment.to_dict())
    assert restored.text == alignment.text
    assert restored.starts.tolist() == alignment.starts.tolist()
    assert restored.ends.tolist() == alignment.ends.tolist()


# Text drawn from the characters that news contains, including the troublesome ones.
NEWS_ALPHABET = (
    "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآئ"
    "يكىة"
    "۰۱۲۳۴۵۶۷۸۹0123456789٠١٢٣٤٥٦٧٨٩"
    "    \n\u00a0\u200c\u200c\u200e\u200fـًٌٍَُِّْ"
    ".,:;!؟،؛«»\"()-%/"
    "abcXYZ"
    "ﻻﷲ…"
)
news_text = st.text(alphabet=NEWS_ALPHABET, max_size=120)
news_words = st.lists(
    st.sampled_from(
        ["شهرکهای", "شده", "اند", "می", "کنند", "ها", "های", "ای", "خوشه", "۱۶رشته", "بانك",
         "مجموعهای", "تر", "بزرگ", "تنها", "«", "»", ":", "-", "COVID-19", "2.5", "\u200c", " ", "\n"]
    ),
    max_size=30,
).map(" ".join)

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(st.one_of(news_text, news_words))
def test_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@PROPERTY_SETTINGS
@given(st.one_of(news_text, news_words), st.data())
def test_alignment_round_trip(text: str, data: st.DataObject) -> None:
    alignment = get_normalizer().align(text)
    n = len(alignment.text)
    assert len(alignment.starts) == len(alignment.ends) == n
    assert all(a <= b for a, b in zip(alignment.starts, alignment.ends))
    assert all(a <= b for a, b in zip(alignment.starts, alignment.starts[1:]))
    # every span between token boundaries maps to raw text that canonicalizes to the same string
    boundaries = sorted({0, n} | {m.start() for m in re.finditer(r"\S+", alignment.text)}
                        | {m.end() for m in re.finditer(r"\S+", alignment.text)})
    start = data.draw(st.sampled_from(boundaries))
    end = data.draw(st.sampled_from([b for b in boundaries if b >= start]))
    raw_start, raw_end = alignment.to_raw(start, end)
    assert canonical(text[raw_start:raw_end]) == canonical(alignment.text[start:end])


def test_insertion_inside_an_expansion_keeps_the_alignment_monotonic() -> None:
    """A half-space restored inside a ligature's expansion maps to the ligature (found by hypothesis)."""
    alignment = get_normalizer().align("ﷲا")
    assert alignment.text == "الل\u200cها"
    assert alignment.starts.tolist() == sorted(alignment.starts.tolist())
    assert alignment.ends.tolist() == sorted(alignment.ends.tolist())
    assert alignment.to_raw(0, len(alignment.text)) == (0, 2)


def test_zwnj_never_after_non_joining_letter() -> None:
    text = normalize("کار‌ها و دیوار‌های واحد‌ها")
    assert not re.search(f"[ادذرزژو]{ZWNJ}", text)
