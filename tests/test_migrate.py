"""Migrating reviewed tasks to a changed normalizer: spans and relations follow the alignment."""

from persian_ie.corpus.build import REVIEW_META_KEY
from persian_ie.corpus.migrate import migrate_corpus, migrate_task
from persian_ie.corpus.validation import validate_task
from persian_ie.io.prodigy import set_hashes
from persian_ie.pipeline.tokenizer import blank_nlp


def old_task(text: str, spans, relations=()) -> dict:
    """A task written on `text` as an older normalizer left it: whitespace tokens, spans by surface."""
    tokens, position = [], 0
    for i, word in enumerate(text.split(" ")):
        tokens.append({"text": word, "start": position, "end": position + len(word), "id": i, "ws": True})
        position += len(word) + 1
    built = []
    for surface, label in spans:
        start = text.index(surface)
        ids = [t["id"] for t in tokens if t["start"] >= start and t["end"] <= start + len(surface)]
        built.append({"start": start, "end": start + len(surface), "token_start": ids[0], "token_end": ids[-1],
                      "label": label})
    rels = [{"head": built[h]["token_end"], "child": built[c]["token_end"], "head_span": built[h],
             "child_span": built[c], "label": label} for h, c, label in relations]
    return set_hashes({"text": text, "tokens": tokens, "spans": built, "relations": rels, "answer": "accept",
                       "_view_id": "relations", "meta": {"doc_id": "real-L1", "paragraph": 0, REVIEW_META_KEY: {}}})


def test_spans_and_relations_follow_a_changed_text() -> None:
    nlp = blank_nlp()
    task = old_task("شركت شهركهاي صنعتي استان 16رشته فعاليت را مطالعه كرد",
                    [("شركت شهركهاي صنعتي استان", "ORG"), ("16رشته", "QUANTITY")], [(0, 1, "HAS_QUANTITY")])
    migrated, problems = migrate_task(nlp, task)
    assert problems == []
    assert migrated["text"] != task["text"] and "شرکت شهرک‌های صنعتی استان" in migrated["text"]
    surfaces = [(migrated["text"][s["start"]:s["end"]], s["label"]) for s in migrated["spans"]]
    assert surfaces == [("شرکت شهرک‌های صنعتی استان", "ORG"), ("۱۶ رشته", "QUANTITY")]
    rel = migrated["relations"][0]
    assert rel["label"] == "HAS_QUANTITY" and rel["child"] == migrated["spans"][1]["token_end"]
    assert validate_task(migrated, nlp) == []
    assert migrated["meta"]["doc_id"] == "real-L1"


def test_current_tasks_and_authored_tasks_are_left_alone() -> None:
    nlp = blank_nlp()
    tokens = [{"text": "بانک", "start": 0, "end": 4, "id": 0, "ws": True},
              {"text": "ملت", "start": 5, "end": 8, "id": 1, "ws": False}]
    current = set_hashes({"text": "بانک ملت", "tokens": tokens, "spans": [], "relations": [], "answer": "accept",
                          "meta": {REVIEW_META_KEY: {}}})
    authored = old_task("شركت 16رشته", [])
    del authored["meta"][REVIEW_META_KEY]
    result = migrate_corpus(nlp, [current, authored])
    assert result.changed == 0 and result.tasks[0] is current and result.tasks[1] is authored


def raw_task(raw: str, old_text: str, spans) -> dict:
    """A real task as an older normalizer wrote it from the raw paragraph it keeps in `meta.raw_text`."""
    task = old_task(old_text, spans)
    task["meta"]["raw_text"] = raw
    return task


def test_real_tasks_are_normalized_again_from_their_raw_text() -> None:
    """The older normalizer deleted the kashida dash, so the task text alone cannot get it back."""
    nlp = blank_nlp()
    raw = "دانشگاه علمي ـ كاربردي هرمزگان و باشگاه پرسپولیس"
    task = raw_task(raw, "دانشگاه علمی کاربردی هرمزگان و باشگاه پرسپولیس",
                    [("دانشگاه علمی کاربردی هرمزگان", "ORG"), ("باشگاه پرسپولیس", "ORG")])
    migrated, problems = migrate_task(nlp, task)
    assert problems == []
    assert migrated["text"] == nlp.make_doc(raw).text == "دانشگاه علمی - کاربردی هرمزگان و باشگاه پرسپولیس"
    surfaces = [migrated["text"][s["start"]:s["end"]] for s in migrated["spans"]]
    assert surfaces == ["دانشگاه علمی - کاربردی هرمزگان", "باشگاه پرسپولیس"]
    assert migrated["meta"]["raw_text"] == raw and validate_task(migrated, nlp) == []
    again, _ = migrate_task(nlp, migrated)
    assert again is migrated  # idempotent: the current text is left alone


def test_a_span_whose_edge_was_rewritten_is_reported_not_moved() -> None:
    nlp = blank_nlp()
    # the old text started the span on a character the raw paragraph does not have
    task = raw_task("باشگاه پرسپولیس", "xباشگاه پرسپولیس", [("xباشگاه", "ORG")])
    migrated, problems = migrate_task(nlp, task)
    assert migrated is None and len(problems) == 1 and "xباشگاه" in problems[0]
