"""The normalizing tokenizer: news tokenization, raw offsets on the Doc, serialization."""

import pytest
import spacy
from spacy.tokens import Doc, DocBin

from persian_ie.normalization import canonical
from persian_ie.pipeline.tokenizer import blank_nlp


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return blank_nlp()


def words(nlp, text: str) -> list:
    return [t.text for t in nlp(text)]


def test_dateline_dashes(nlp) -> None:
    assert words(nlp, "بجنورد- ایرنا- مدیر عامل")[:4] == ["بجنورد", "-", "ایرنا", "-"]


def test_glued_numbers_and_quotes(nlp) -> None:
    assert words(nlp, "در زمینه ۱۶رشته «فعالیت» کرد") == ["در", "زمینه", "۱۶", "رشته", "«", "فعالیت", "»", "کرد"]


@pytest.mark.parametrize("text,expected", [
    ("جواب داد: «زلاتان ابراهیموویچ». این", ["جواب", "داد", ":", "«", "زلاتان", "ابراهیموویچ", "»", ".", "این"]),
    ("بازیکن تیم (الاهلی). او", ["بازیکن", "تیم", "(", "الاهلی", ")", ".", "او"]),
    ("گفت «نه»: و رفت", ["گفت", "«", "نه", "»", ":", "و", "رفت"]),
])
def test_a_stop_after_a_closing_quote_or_bracket_leaves_the_word_alone(nlp, text: str, expected: list) -> None:
    assert words(nlp, text) == expected


def test_decimals_and_thousands_stay_whole(nlp) -> None:
    assert words(nlp, "6/3 میلیون و 1.8 و 1,200 تن") == ["۶/۳", "میلیون", "و", "۱٫۸", "و", "۱٬۲۰۰", "تن"]


def test_zwnj_words_are_one_token(nlp) -> None:
    assert words(nlp, "شهرکهای صنعتی شده اند") == ["شهرک‌های", "صنعتی", "شده‌اند"]


def test_seed_tokens_map_to_raw_offsets(nlp, seed_text: str) -> None:
    doc = nlp(seed_text)
    assert doc._.raw_text == seed_text
    for token in doc:
        assert canonical(seed_text[token._.raw_start : token._.raw_end]) == canonical(token.text)
    span = doc.char_span(doc.text.index("شهرک‌های"), doc.text.index("شهرک‌های") + len("شهرک‌های"))
    assert span._.raw_text == "شهرکهای"
    start = doc.text.index("۱۶ رشته")
    assert doc.char_span(start, start + len("۱۶ رشته"))._.raw_text == "۱۶رشته"


def test_alignment_survives_docbin(nlp) -> None:
    doc = nlp("بانكهاي صادرات و ملت 300هزار تن")
    docbin = DocBin(store_user_data=True)
    docbin.add(doc)
    restored = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(nlp.vocab))[0]
    assert restored[0]._.raw_text == "بانكهاي"
    assert restored[4:7]._.raw_text == "300هزار تن"


def test_doc_without_alignment_falls_back_to_identity(nlp) -> None:
    doc = Doc(nlp.vocab, words=["خوشه", "فرش"])
    assert doc[1:2]._.raw_start == 5 and doc._.raw_text == doc.text


def test_tokenizer_round_trips_to_disk(nlp, tmp_path) -> None:
    nlp.to_disk(tmp_path / "model")
    loaded = spacy.load(tmp_path / "model")
    assert [t.text for t in loaded("شهرکهای ۱۶رشته")] == ["شهرک‌های", "۱۶", "رشته"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("۲۰۰ ریال(۵۰۰ تومان)", ["۲۰۰", "ریال", "(", "۵۰۰", "تومان", ")"]),
        ("آبادی(معاون وزیر)", ["آبادی", "(", "معاون", "وزیر", ")"]),
        ("ساچس(goldman sachs)", ["ساچس", "(", "goldman", "sachs", ")"]),
        ("گچساران/خبرنگار ایرنا", ["گچساران", "/", "خبرنگار", "ایرنا"]),
        ("گچساران/ خبرنگار", ["گچساران", "/", "خبرنگار"]),
        ("تومان+جدول", ["تومان", "+", "جدول"]),
        ("۶/۳ درصد در ۱۴۰۲/۰۵/۱۰", ["۶/۳", "درصد", "در", "۱۴۰۲/۰۵/۱۰"]),
    ],
)
def test_glued_brackets_slashes_and_plus_are_tokens(nlp, text: str, expected: list) -> None:
    assert words(nlp, text) == expected


def test_glued_bracket_token_maps_to_raw_offsets(nlp) -> None:
    doc = nlp("ریال(۵۰۰ تومان)")
    assert [t._.raw_text for t in doc[:3]] == ["ریال", "(", "۵۰۰"]
