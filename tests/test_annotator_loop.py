"""The annotator loop: predict -> Prodigy tasks and review page -> reviewed edits -> corpus -> training."""

import shutil
from pathlib import Path

import srsly

from persian_ie.corpus.review_import import split_for_document
from persian_ie.io.prodigy import get_hash, set_hashes
from persian_ie.io.review_page import render_review_page

from .helpers import run_script

SPAN_KEYS = {"start", "end", "token_start", "token_end", "label", "score"}


def predict(tiny_model: Path, input_path: Path, output: Path, *extra: str):
    args = [input_path, output, "--model", tiny_model, "--review-dir", output.parent / "review", *extra]
    return run_script("predict", args)


def test_predict_writes_prodigy_tasks(tiny_model: Path, seed_text: str, tmp_path: Path) -> None:
    source = tmp_path / "seed.txt"
    source.write_text(seed_text, encoding="utf-8")
    output = tmp_path / "out" / "seed.jsonl"
    result = predict(tiny_model, source, output)
    assert result.exit_code == 0, result.output
    tasks = list(srsly.read_jsonl(output))
    assert len(tasks) == 14  # one task per paragraph
    for index, task in enumerate(tasks):
        assert "answer" not in task
        assert task["_view_id"] == "relations"
        assert task["_input_hash"] == get_hash(task, ("text",))
        assert task["meta"]["paragraph"] == index and task["meta"]["record"] == "seed.txt"
        assert task["meta"]["model"] and task["meta"]["model_version"]
        for token in task["tokens"]:
            assert set(token) == {"text", "start", "end", "id", "ws"}
            assert task["text"][token["start"] : token["end"]] == token["text"]
        for span in task["spans"]:
            assert set(span) == SPAN_KEYS and isinstance(span["score"], float)
        for rel in task["relations"]:
            assert rel["head"] == rel["head_span"]["token_end"] and rel["child"] == rel["child_span"]["token_end"]
            assert isinstance(rel["score"], float)
        raw = task["meta"]["raw_text"]
        assert seed_text[task["meta"]["raw_start"] :].startswith(raw)
        for raw_span in task["meta"]["raw_spans"]:
            assert raw[raw_span["start"] : raw_span["end"]] == raw_span["text"]
    assert "شهرکهای" in tasks[0]["meta"]["raw_text"] and "شهرک‌های" in tasks[0]["text"]
    page = (tmp_path / "out" / "review" / "seed.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in page and page.count('class="task') == 14


def test_predict_jsonl_folder_sort_and_rules(tiny_model: Path, baselines_dir: Path, tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    srsly.write_jsonl(records, [
        {"text": "مدیرعامل شرکت شهرک‌های صنعتی استان یزد گفت: خوشه کاشی میبد در حال اجرا است.", "meta": {"id": "a"}},
        {"text": "سلام", "meta": {"id": "b", "extra": 1}},
        {"text": "رضا کریمی مدیرعامل بانک ملت گفت: ۲۰۰ میلیارد ریال تسهیلات پرداخت شد.\n\nپاراگراف دوم."},
    ])
    output = tmp_path / "sorted.jsonl"
    assert predict(tiny_model, records, output, "--sort", "uncertainty").exit_code == 0
    tasks = list(srsly.read_jsonl(output))
    assert len(tasks) == 4
    confidences = [min([s["score"] for s in t["spans"]] + [r["score"] for r in t["relations"]] + [1.0]) for t in tasks]
    assert confidences == sorted(confidences)
    assert any(t["meta"].get("extra") == 1 for t in tasks)  # input meta is kept
    rules_output = tmp_path / "rules.jsonl"
    result = run_script("predict", [records, rules_output, "--rules", "--rules-model", baselines_dir / "rules",
                                    "--review-dir", tmp_path])
    assert result.exit_code == 0, result.output
    first = next(t for t in srsly.read_jsonl(rules_output) if t["meta"].get("id") == "a")
    assert ("STATUS", "در حال اجرا") in {(s["label"], first["text"][s["start"] : s["end"]]) for s in first["spans"]}


def test_review_page_escapes_html() -> None:
    task = set_hashes({"text": "<script>alert(1)</script> خوشه فرش", "tokens": [],
                       "spans": [{"start": 26, "end": 34, "token_start": 1, "token_end": 2, "label": "CLUSTER",
                                  "score": 0.3}], "relations": [], "meta": {"source": "<b>x</b>"}})
    page = render_review_page([task], title="<t>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>x</b>" not in page
    assert "needs-review" in page


def test_reviewed_tasks_go_back_into_training(tiny_model: Path, tiny_config: Path, sample_gold: Path,
                                               tmp_path: Path) -> None:
    """predict -> a reviewer fixes a label and accepts -> import -> convert -> train -> the fix is trained on."""
    text = "خوشه زعفران قائنات با ۱۲۰ واحد عضو در حال اجرا است و از حمایت بانک کشاورزی برخوردار است."
    source = tmp_path / "new.jsonl"
    srsly.write_jsonl(source, [{"text": text, "meta": {"id": "new-1", "doc_id": "new-article"}}])
    predicted = tmp_path / "predicted.jsonl"
    assert predict(tiny_model, source, predicted).exit_code == 0
    task = next(iter(srsly.read_jsonl(predicted)))
    # the reviewer's answer: exactly these spans and one relation, accepted
    tokens = task["tokens"]

    def span(surface: str, label: str) -> dict:
        start = task["text"].index(surface)
        end = start + len(surface)
        ids = [t["id"] for t in tokens if t["start"] >= start and t["end"] <= end]
        return {"start": start, "end": end, "token_start": ids[0], "token_end": ids[-1], "label": label}

    cluster = span("خوشه زعفران قائنات", "CLUSTER")
    status = span("در حال اجرا", "STATUS")
    bank = span("بانک کشاورزی", "ORG")
    task["spans"] = [cluster, span("۱۲۰ واحد", "QUANTITY"), status, bank]
    task["relations"] = [{"head": cluster["token_end"], "child": status["token_end"], "head_span": cluster,
                          "child_span": status, "label": "HAS_STATUS"}]
    task["answer"] = "accept"
    task["_timestamp"] = 1700000000
    rejected = dict(task, answer="reject", text="متن دیگری که رد شد")
    broken = dict(task, spans=[dict(bank, label="LOCATION")])
    reviewed = tmp_path / "reviewed.jsonl"
    srsly.write_jsonl(reviewed, [set_hashes(task), rejected, set_hashes(broken)])
    corpus = tmp_path / "gold.jsonl"
    shutil.copyfile(sample_gold, corpus)
    before = corpus.read_bytes()
    refused = run_script("import_reviewed", [reviewed, corpus])
    assert refused.exit_code == 1 and corpus.read_bytes() == before  # nothing changes without --skip-invalid
    result = run_script("import_reviewed", [reviewed, corpus, "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "1 added, 0 updated, 0 unchanged, 1 rejected, 0 ignored, 1 refused" in result.output
    assert "unknown label 'LOCATION'" in result.output
    assert (tmp_path / "gold.jsonl.bak").read_bytes() == before
    log = [entry["outcome"] for entry in srsly.read_jsonl(tmp_path / "review_log.jsonl")]
    assert sorted(log) == ["added", "refused", "rejected"]  # the rejected task is recorded too
    split = split_for_document("new-article")
    merged = list(srsly.read_jsonl(corpus))
    added = [t for t in merged if t["text"] == text]
    assert len(added) == 1 and added[0]["meta"]["split"] == split and "review" in added[0]["meta"]
    assert run_script("validate_corpus", [corpus]).exit_code == 0
    # a second import of the same review changes nothing, never duplicates
    again = run_script("import_reviewed", [reviewed, corpus, "--skip-invalid"])
    assert "0 added, 0 updated, 1 unchanged" in again.output
    assert sum(t["text"] == text for t in srsly.read_jsonl(corpus)) == 1
    # convert and train the tiny config: the corrected span is in the training data
    assert run_script("convert", [corpus, tmp_path / "spacy"]).exit_code == 0
    from spacy.cli.train import train

    from persian_ie.corpus.convert import read_docbin
    from persian_ie.pipeline.loading import load_pipeline

    train(tiny_config, tmp_path / "model",
          overrides={"paths.train": str(tmp_path / "spacy" / "train.spacy"),
                     "paths.dev": str(tmp_path / "spacy" / "dev.spacy"), "training.max_steps": 5})
    nlp = load_pipeline(tmp_path / "model" / "model-last")
    docs = read_docbin(tmp_path / "spacy" / f"{'real_test' if split == 'test' else split}.spacy", nlp.vocab)
    trained = next(doc for doc in docs if doc.text == text)
    assert ("در حال اجرا", "STATUS") in {(e.text, e.label_) for e in trained.ents}
    assert ("خوشه زعفران قائنات", "CLUSTER") in {(e.text, e.label_) for e in trained.ents}
