"""Half-spaces lost by deletion, by a space, or in copied-news noise: restored, and the properties kept.

The property tests draw correctly written news from a vocabulary, damage it the three ways of the
normalizer benchmark, and check that normalization is idempotent, that every span between token
boundaries maps back to the raw text it came from, and that text already correct is left alone.
"""

import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persian_ie.benchmarks.normalizer import MODES, damage
from persian_ie.normalization import canonical, get_normalizer, normalize
from persian_ie.normalization.chars import ZWNJ


def show(text: str) -> str:
    """Half-spaces as `_`, so that a failing assertion can be read."""
    return text.replace(ZWNJ, "_")


@pytest.mark.parametrize(
    "raw,expected",
    [
        # suffixes after a space join their stem
        ("شهرک های صنعتی", "شهرک‌های صنعتی"),
        ("رشته ها", "رشته‌ها"),
        ("کار ها و واحد های", "کارها و واحدهای"),  # after a letter that never joins: no half-space
        ("بزرگ ترین کارخانه", "بزرگ‌ترین کارخانه"),
        ("جلسه ای برگزار شد", "جلسه‌ای برگزار شد"),
        ("خانه ی ما", "خانه‌ی ما"),
        ("خانه اش", "خانه‌اش"),
        # verb prefixes and endings
        ("می شود و نمی کنند", "می‌شود و نمی‌کنند"),
        ("شده اند و کرده ایم", "شده‌اند و کرده‌ایم"),
        # compounds careful writers join, and surnames
        ("راه اندازی و بهره برداری", "راه‌اندازی و بهره‌برداری"),
        ("صادقی راد و قاسم زاده", "صادقی‌راد و قاسم‌زاده"),
    ],
)
def test_spaced_half_spaces_restored(raw: str, expected: str) -> None:
    assert show(normalize(raw)) == show(expected)


@pytest.mark.parametrize(
    "text",
    [
        "به این", "از آن", "که ای", "مریم اسدی", "علی اکبری",  # two real words, names
        "ارائه شده است", "تخصیص یافته",  # compound verbs keep the house style's space
        "صنایع دستی", "یک هزار", "این که", "به صورت",  # careful writers keep these apart
        "ولی پور",  # `ولی` is a word of its own first
    ],
)
def test_two_words_are_not_joined(text: str) -> None:
    assert show(normalize(text)) == show(text)


@pytest.mark.parametrize(
    "raw,expected",
    [
        # never seen as a pair in the news, but the right part is one careful writers attach (bound)
        ("ترتیل خوانی", "ترتیل‌خوانی"),
        ("مقررات زدایی", "مقررات‌زدایی"),
        ("خواب آوری", "خواب‌آوری"),
        # joined every time careful writers wrote the pair (3:0)
        ("هم افزایی", "هم‌افزایی"),
    ],
)
def test_pairs_joined_on_the_evidence_of_their_right_part(raw: str, expected: str) -> None:
    assert show(normalize(raw)) == show(expected)


@pytest.mark.parametrize(
    "text",
    [
        "طناب دار", "اعتقاد داری",  # `دار`, `داری` also stand alone too often to count as bound
        "مدیران پدیده گیر نکنند",  # `گیر` of the verb `گیر کردن`
        "متن نامه", "بخشی از", "تعادل بخشی",  # `نامه`, `بخشی` are words of their own
    ],
)
def test_parts_that_stand_alone_are_not_joined(text: str) -> None:
    assert show(normalize(text)) == show(text)


def test_bound_parts_come_from_the_evidence() -> None:
    from persian_ie.normalization.evidence import Evidence
    from persian_ie.normalization.zwnj import bound_right_parts

    evidence = Evidence({}, {}, {}, {
        "خوانی": (24, 8, 3),  # attached 8 times as often as alone, after 8 words: bound
        "دار": (60, 29, 17),  # 3.5 times: stands alone too often
        "جویی": (16, 3, 0),  # after 3 words only
        "مان": (160, 88, 11),  # a possessive ending the rules decide
        "شده": (46, 33, 2037),  # an auxiliary
    })
    assert bound_right_parts(evidence) == frozenset({"خوانی"})


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("اینکه", "اینکه"),  # careful writers glue it freely: left alone
        ("بیشترین", "بیشترین"),
        ("آنها", "آنها"),
        ("بزرگترین", "بزرگ‌ترین"),  # they write the half-space too often to leave it glued
        ("شدهاند", "شده‌اند"),
        ("دانشبنیان", "دانش‌بنیان"),  # unknown to hazm, restored from the raw news
    ],
)
def test_glued_words_decided_by_evidence(raw: str, expected: str) -> None:
    assert show(normalize(raw)) == show(expected)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("۲۰۰ ریال(۵۰۰ تومان)", "۲۰۰ ریال (۵۰۰ تومان)"),
        ("آبادی(معاون وزیر)", "آبادی (معاون وزیر)"),
        ("گلدمن ساچس(goldman sachs)", "گلدمن ساچس (goldman sachs)"),
        ("ریال)و", "ریال) و"),
        ("گچساران/ خبرنگار", "گچساران / خبرنگار"),
        ("گچساران/خبرنگار", "گچساران / خبرنگار"),
        ("تومان+جدول", "تومان + جدول"),
        ("۶/۳ درصد در ۱۴۰۲/۰۵/۱۰", "۶/۳ درصد در ۱۴۰۲/۰۵/۱۰"),  # numbers keep their slashes
        ("and/or و A+B", "and/or و A+B"),  # Latin on both sides: left alone
        ("خبرگزاری فارس_ماهاتیر گفت", "خبرگزاری فارس _ ماهاتیر گفت"),
        ("file_name و ۱۴۰۲_۰۵", "file_name و ۱۴۰۲_۰۵"),  # Latin identifiers and numbers keep theirs
        ("پارتی،۱۴ کرسی و پشتون‌ها،۱", "پارتی، ۱۴ کرسی و پشتون‌ها، ۱"),  # a comma glued to a count
        ("نرخ ۲،۵ درصد", "نرخ ۲،۵ درصد"),  # between two digits it may be a decimal mark: left alone
    ],
)
def test_glued_brackets_slashes_and_plus_separated(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_glued_marks_pass_can_be_switched_off() -> None:
    from persian_ie.normalization import Normalizer

    assert Normalizer(separate_glued_marks=False).normalize("ریال(۵۰۰") == "ریال(۵۰۰"


# Correctly written news: words with and without half-spaces, numbers, punctuation. Every pair of
# them is checked below to be one the normalizer keeps apart, so any sequence is already correct.
CORRECT_WORDS = [
    "شهرک‌های", "صنعتی", "می‌شود", "شده‌اند", "مدیرعامل", "گفت", "خوشه", "فرش", "بانک", "استان",
    "راه‌اندازی", "سرمایه‌گذاری", "مهم‌ترین", "واحدهای", "تولیدی", "کارخانه‌ای", "در", "و", "با",
    "این", "که", "را", "اینکه", "بیشترین", "ارائه", "شده", "است", "۱۶", "۲۵۰", "میلیارد", "ریال",
    "۶/۳", "درصد", "تفاهم‌نامه", "می‌کنند", "نمایشگاه‌های", "حسینی", "مریم", "اسدی",
]
PUNCTUATION = ["،", ".", ":", "؛"]


def test_vocabulary_pairs_are_kept_apart() -> None:
    for left, right in itertools.product(CORRECT_WORDS, repeat=2):
        text = f"{left} {right}"
        assert show(normalize(text)) == show(text)


@st.composite
def correct_news(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(CORRECT_WORDS), min_size=1, max_size=25))
    text = words[0]
    for word in words[1:]:
        text += draw(st.sampled_from(["", "", "", *PUNCTUATION])) + " " + word
    return text + draw(st.sampled_from(["", "."]))


PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(correct_news())
def test_correct_text_is_left_alone(text: str) -> None:
    assert show(normalize(text)) == show(text)


@PROPERTIES
@given(correct_news(), st.sampled_from(MODES), st.integers(0, 1000))
def test_damaged_text_normalizes_idempotently(text: str, mode: str, seed: int) -> None:
    once = normalize(damage(text, mode, seed))
    assert show(normalize(once)) == show(once)


@PROPERTIES
@given(correct_news(), st.sampled_from(MODES), st.integers(0, 1000), st.data())
def test_damaged_text_aligns_to_raw_offsets(text: str, mode: str, seed: int, data: st.DataObject) -> None:
    raw = damage(text, mode, seed)
    alignment = get_normalizer().align(raw)
    n = len(alignment.text)
    assert alignment.starts.tolist() == sorted(alignment.starts.tolist())
    assert all(0 <= a <= b <= len(raw) for a, b in zip(alignment.starts.tolist(), alignment.ends.tolist()))
    boundaries = sorted({0, n} | {i for m in re.finditer(r"\S+", alignment.text) for i in m.span()})
    start = data.draw(st.sampled_from(boundaries))
    end = data.draw(st.sampled_from([b for b in boundaries if b >= start]))
    raw_start, raw_end = alignment.to_raw(start, end)
    assert canonical(raw[raw_start:raw_end]) == canonical(alignment.text[start:end])
    assert alignment.to_normalized(raw_start, raw_end) == (start, end) or start == end


@PROPERTIES
@given(correct_news(), st.sampled_from(("deleted", "spaced")))
def test_damage_of_the_vocabulary_is_undone(text: str, mode: str) -> None:
    """Every word of the vocabulary is restored from either damage, alone and among the others."""
    assert show(normalize(damage(text, mode))) == show(text)
