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
