"""Re-review batches: corpus paragraphs sent back through the loop for one relation, and what the report says."""

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import srsly

from persian_ie.corpus.report import review_tables
from persian_ie.corpus.rereview import first_batches, rereview_tasks, rereviewed, split_by_article
from persian_ie.corpus.review_changes import audit_batches
from persian_ie.errors import PersianIEError
from persian_ie.io.prodigy import read_jsonl

from .helpers import ROOT, run_script

GOLD = ROOT / "corpus" / "gold.jsonl"


def real_tasks(require=("ORG", "QUANTITY")) -> List[Dict[str, Any]]:
    tasks = [task for _, task in read_jsonl(GOLD) if task["meta"].get("origin") == "real"]
    return [t for t in tasks if set(require) <= {s["label"] for s in t["spans"]}]


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    """Three real articles with an ORG and a QUANTITY, one without, and an authored paragraph; one old batch."""
    chosen, articles = [], []
    for task in real_tasks():
        if task["meta"]["article"] not in articles:
            articles.append(task["meta"]["article"])
        if len(articles) > 3:
            break
        chosen.append(task)
    without = next(t for _, t in read_jsonl(GOLD) if t["meta"].get("origin") == "real"
                   and "QUANTITY" not in {s["label"] for s in t["spans"]})
    authored = next(t for _, t in read_jsonl(GOLD) if t["meta"].get("origin") == "authored"
                    and {"ORG", "QUANTITY"} <= {s["label"] for s in t["spans"]})
    srsly.write_jsonl(tmp_path / "gold.jsonl", chosen + [without, authored])
    old = tmp_path / "real" / "batch-03"
    old.mkdir(parents=True)
    srsly.write_jsonl(old / "preannotated.jsonl", chosen[:1])
    srsly.write_jsonl(old / "resolved.jsonl", chosen[:1])
    return tmp_path


def test_selects_real_paragraphs_that_can_hold_the_relation(small_corpus: Path) -> None:
    corpus = [task for _, task in read_jsonl(small_corpus / "gold.jsonl")]
    first = first_batches(small_corpus / "real")
    assert first == {corpus[0]["_input_hash"]: 3}
    tasks = rereview_tasks(corpus, "HAS_QUANTITY", ["ORG", "QUANTITY"], first)
    assert len(tasks) == len(corpus) - 2  # not the paragraph without a QUANTITY, not the authored one
    for task, original in zip(tasks, corpus):
        assert "answer" not in task and task["meta"]["rereview"] == "HAS_QUANTITY"
        assert task["spans"] == original["spans"] and task["relations"] == original["relations"]
        assert task["_input_hash"] == original["_input_hash"] and task["text"] == original["text"]
    # only the paragraphs from before batch 3 (the ones no batch folder holds count as batch 0)
    before = rereview_tasks(corpus, "HAS_QUANTITY", ["ORG", "QUANTITY"], first, before_batch=3)
    assert [t["_input_hash"] for t in before] == [t["_input_hash"] for t in tasks[1:]]
    excluded = rereview_tasks(corpus, "HAS_QUANTITY", ["ORG"], first, exclude={corpus[1]["_input_hash"]})
    assert corpus[1]["_input_hash"] not in {t["_input_hash"] for t in excluded}
    with pytest.raises(PersianIEError):
        rereview_tasks(corpus, "OWNS", ["ORG"], first)
    with pytest.raises(PersianIEError):
        rereview_tasks(corpus, "HAS_QUANTITY", ["PLACE"], first)


def test_batches_keep_articles_together_and_even() -> None:
    tasks = real_tasks()[:60]
    batches = split_by_article(tasks, 20)
    assert len(batches) == 3 and sum(map(len, batches)) == 60
    homes = {}
    for number, batch in enumerate(batches):
        for task in batch:
            assert homes.setdefault(task["meta"]["article"], number) == number
    assert max(map(len, batches)) - min(map(len, batches)) <= max(
        sum(t["meta"]["article"] == a for t in tasks) for a in homes)
    assert split_by_article([], 20) == []
    with pytest.raises(PersianIEError):
        split_by_article(tasks, 0)


def test_script_writes_batches_once_and_report_shows_the_relation(small_corpus: Path) -> None:
    real = small_corpus / "real"
    args = [small_corpus / "gold.jsonl", real, "--first-batch", "10", "--size", "2"]
    result = run_script("export_rereview", args)
    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in real.glob("batch-1*"))
    assert folders and folders[0] == "batch-10"
    exported = [t for f in folders for _, t in read_jsonl(real / f / "preannotated.jsonl")]
    assert rereviewed(real, "HAS_QUANTITY") == {t["_input_hash"] for t in exported}
    sheet = (real / folders[0] / "preannotated.sheet.txt").read_text(encoding="utf-8")
    assert sheet.count("\n## ") == sum(1 for _ in read_jsonl(real / folders[0] / "preannotated.jsonl"))
    # a second run finds nothing left; an existing folder is never overwritten
    again = run_script("export_rereview", args)
    said = " ".join(again.output.split())
    assert again.exit_code == 0 and "left to re-review for HAS_QUANTITY" in said
    # a second pass over the linked paragraphs only: the first pass does not exclude them, the second is marked
    linked = [t for t in exported if any(r["label"] == "HAS_QUANTITY" for r in t["relations"])]
    assert 0 < len(linked) < len(exported)
    second = run_script("export_rereview", [small_corpus / "gold.jsonl", real, "--first-batch", "30", "--size", "50",
                                            "--pass", "2", "--paragraphs", "linked"])
    assert second.exit_code == 0, second.output
    passed = [t for _, t in read_jsonl(real / "batch-30" / "preannotated.jsonl")]
    assert {t["_input_hash"] for t in passed} == {t["_input_hash"] for t in linked}
    assert all(t["meta"]["rereview_pass"] == 2 for t in passed)
    assert not any("rereview_pass" in t["meta"] for t in linked)  # the first pass carries no mark
    assert rereviewed(real, "HAS_QUANTITY", 2) == {t["_input_hash"] for t in linked}
    assert rereviewed(real, "HAS_QUANTITY") == {t["_input_hash"] for t in exported}
    bad = run_script("export_rereview", [small_corpus / "gold.jsonl", real, "--first-batch", "40",
                                         "--paragraphs", "some"])
    assert bad.exit_code != 0 and "'all' or 'linked'" in bad.output
    (real / "batch-20").mkdir()
    clash = run_script("export_rereview", [small_corpus / "gold.jsonl", real, "--first-batch", "20",
                                           "--label", "AFFILIATED_WITH", "--with", "ORG"])
    assert clash.exit_code != 0 and "already exist" in clash.output
    # the re-review removes one HAS_QUANTITY and the report says what share of the relation's links moved
    batch = real / folders[0]
    resolved = [t for _, t in read_jsonl(batch / "preannotated.jsonl")]
    target = next(t for t in resolved if any(r["label"] == "HAS_QUANTITY" for r in t["relations"]))
    before = sum(r["label"] == "HAS_QUANTITY" for t in resolved for r in t["relations"])
    dropped = next(r for r in target["relations"] if r["label"] == "HAS_QUANTITY")
    target["relations"] = [r for r in target["relations"] if r is not dropped]
    srsly.write_jsonl(batch / "resolved.jsonl", [{**t, "answer": "accept"} for t in resolved])
    audit = next(a for a in audit_batches(real) if a.name == folders[0])
    assert audit.changes.rereview == "HAS_QUANTITY"
    assert audit.changes.rereview_share == pytest.approx(1 / before)
    row = next(line for line in review_tables(audit_batches(real)) if line.startswith(f"| {folders[0]} |"))
    assert "re-review of HAS_QUANTITY" in row and "look again" not in row
    assert re.search(rf"{round(100 / before)}% of its links changed", row)


def test_agreement_counts_and_pools_by_spans_not_by_batch(tmp_path: Path) -> None:
    """Per-label agreement between two passes, and the report's pooled row: summed counts, not averaged F1s."""
    from persian_ie.corpus.review_changes import agreement, pooled_agreement

    tasks = real_tasks(require=("PERSON", "ORG"))
    with_relation = [t for t in tasks if any(r["label"] == "AFFILIATED_WITH" for r in t["relations"])][:2]
    first = with_relation + [t for t in tasks if t not in with_relation][:3]
    second = [dict(t, relations=[]) if t is with_relation[0] else t for t in first]
    dropped = len(with_relation[0]["relations"])
    one = agreement(first, second)
    kept = sum(r["label"] == "AFFILIATED_WITH" for t in second for r in t["relations"])
    assert one["AFFILIATED_WITH"]["only_first"] == sum(r["label"] == "AFFILIATED_WITH"
                                                       for r in with_relation[0]["relations"])
    assert one["AFFILIATED_WITH"]["only_second"] == 0 and one["AFFILIATED_WITH"]["both"] == kept
    assert one["PERSON"]["f1"] == 1.0 and one["ORG"]["only_first"] == 0 and dropped >= 1
    # a second batch that agrees on everything: the pooled F1 counts both batches' relations
    two = agreement(second, second)
    pooled = pooled_agreement([one, two])["AFFILIATED_WITH"]
    both = one["AFFILIATED_WITH"]["both"] + two["AFFILIATED_WITH"]["both"]
    assert pooled["both"] == both and pooled["only_first"] == one["AFFILIATED_WITH"]["only_first"]
    assert pooled["f1"] == pytest.approx(2 * both / (2 * both + pooled["only_first"]))
    assert one["AFFILIATED_WITH"]["f1"] < pooled["f1"] < 1.0


def test_batches_are_audited_in_batch_order(tmp_path: Path) -> None:
    """batch-100 comes after batch-99 in the corpus report, not after batch-10."""
    from persian_ie.corpus.review_changes import batch_folders

    task = real_tasks()[0]
    for number in (100, 9, 99, 10):
        folder = tmp_path / f"batch-{number}"
        folder.mkdir()
        srsly.write_jsonl(folder / "preannotated.jsonl", [task])
    (tmp_path / "batch-notes").mkdir()  # not a batch folder
    assert [a.name for a in audit_batches(tmp_path)] == ["batch-9", "batch-10", "batch-99", "batch-100"]
    assert [p.name for p in batch_folders(tmp_path)] == ["batch-9", "batch-10", "batch-99", "batch-100"]


def test_agreement_is_pooled_per_round_as_rounds_json_names_them(tmp_path: Path) -> None:
    """`rounds.json` maps a round to batch ranges; the report gets one pooled row per round, and a batch
    named in two rounds, or a range that is not one, is refused with the file and the batch."""
    from persian_ie.corpus.report import review_tables
    from persian_ie.corpus.review_changes import parse_batch_ranges, pooled_agreement, read_rounds, round_agreement
    from persian_ie.errors import PersianIEError

    assert parse_batch_ranges("39-41, 51,60-61") == {39, 40, 41, 51, 60, 61}
    with pytest.raises(PersianIEError, match="ends before it starts"):
        parse_batch_ranges("9-3")
    with pytest.raises(PersianIEError, match="not a batch range"):
        parse_batch_ranges("batch-9")
    tasks = real_tasks(require=("PERSON", "ORG"))[:4]
    disagreeing = [dict(t, spans=t["spans"][1:]) for t in tasks]
    for number, second in ((1, tasks), (2, disagreeing), (7, tasks)):
        folder = tmp_path / f"batch-{number}"
        folder.mkdir()
        for name, rows in (("preannotated.jsonl", tasks), ("answers-annotator.jsonl", tasks),
                           ("answers-checker.jsonl", second)):
            srsly.write_jsonl(folder / name, rows)
    srsly.write_json(tmp_path / "rounds.json", {"first": "1-2", "second": "3-9"})
    rounds = read_rounds(tmp_path / "rounds.json")
    assert rounds == {"first": {1, 2}, "second": set(range(3, 10))}
    audits = audit_batches(tmp_path)
    rows = dict(round_agreement(audits, rounds))
    assert rows["first"] == pooled_agreement([a.agreement for a in audits if a.name in ("batch-1", "batch-2")])
    assert any(scores["only_first"] for scores in rows["first"].values())  # batch-2's dropped spans count there
    assert all(scores["f1"] == 1.0 for scores in rows["second"].values() if scores["both"])
    table = review_tables(audits, rounds)
    assert any(line.startswith("| round: first, pooled |") for line in table)
    assert table.index(next(line for line in table if line.startswith("| round: second"))) < \
        table.index(next(line for line in table if line.startswith("| **all batches, pooled**")))
    srsly.write_json(tmp_path / "rounds.json", {"first": "1-2", "second": "2-9"})
    with pytest.raises(PersianIEError, match="batch 2 is in round 'first' and in round 'second'"):
        read_rounds(tmp_path / "rounds.json")
    assert read_rounds(tmp_path / "missing.json") == {}


def test_blind_samples_are_drawn_from_named_batches_and_each_gets_its_agreement_table(tmp_path: Path) -> None:
    """`export-blind-sample` draws paragraphs with a proposed span from each named batch into a new
    `agreement-NAME/` folder; the report shows one table per blind sample, against the resolved batches."""
    from persian_ie.corpus.report import blind_table
    from persian_ie.corpus.review_changes import blind_agreement

    tasks = real_tasks(require=("PERSON", "ORG"))[:12]
    empty = [dict(t, spans=[], relations=[]) for t in real_tasks()[:5]]
    for number, batch in ((3, tasks[:6] + empty), (12, tasks[6:])):
        folder = tmp_path / f"batch-{number:02d}"
        folder.mkdir()
        srsly.write_jsonl(folder / "preannotated.jsonl", batch)
        srsly.write_jsonl(folder / "resolved.jsonl", [{**t, "answer": "accept"} for t in batch])
    result = run_script("export_blind_sample", [tmp_path, "late", "--batches", "3,12", "--per-batch", "4",
                                                "--description", "Four of each."])
    assert result.exit_code == 0, result.output
    sample = [task for _, task in read_jsonl(tmp_path / "agreement-late" / "preannotated.jsonl")]
    hashes = {t["_input_hash"] for t in sample}
    assert len(sample) == 8 and all(t["spans"] for t in sample)  # never one of the empty paragraphs
    assert len(hashes & {t["_input_hash"] for t in tasks[:6]}) == 4
    assert srsly.read_json(tmp_path / "agreement-late" / "sample.json")["batches"] == [3, 12]
    again = run_script("export_blind_sample", [tmp_path, "late", "--batches", "3", "--description", "x"])
    assert again.exit_code != 0 and "already exists" in again.output
    too_many = run_script("export_blind_sample", [tmp_path, "big", "--batches", "12", "--per-batch", "7",
                                                  "--description", "x"])
    assert too_many.exit_code != 0 and "fewer than the 7" in too_many.output
    # a HAS_QUANTITY sample draws only paragraphs whose proposal holds an ORG and a QUANTITY
    holding = [t for t in tasks[:6] + empty if {"ORG", "QUANTITY"} <= {s["label"] for s in t["spans"]}]
    assert 0 < len(holding) < 6
    focused = run_script("export_blind_sample", [tmp_path, "hq", "--batches", "3", "--per-batch", str(len(holding)),
                                                 "--description", "x", "--with", "ORG,QUANTITY"])
    assert focused.exit_code == 0, focused.output
    drawn = [task for _, task in read_jsonl(tmp_path / "agreement-hq" / "preannotated.jsonl")]
    assert {t["_input_hash"] for t in drawn} == {t["_input_hash"] for t in holding}
    assert srsly.read_json(tmp_path / "agreement-hq" / "sample.json")["with"] == ["ORG", "QUANTITY"]
    short = run_script("export_blind_sample", [tmp_path, "hq2", "--batches", "3", "--per-batch", "6",
                                               "--description", "x", "--with", "ORG,QUANTITY"])
    assert short.exit_code != 0 and "with ORG and QUANTITY, fewer than the 6" in short.output
    unknown = run_script("export_blind_sample", [tmp_path, "hq3", "--batches", "3", "--description", "x",
                                                 "--with", "MONEY"])
    assert unknown.exit_code != 0 and "unknown span labels ['MONEY']" in unknown.output
    assert blind_agreement(tmp_path) == []  # drawn, not yet annotated
    # the blind pass drops the first paragraph's first span; an older sample agrees on everything
    blind = [dict(sample[0], spans=sample[0]["spans"][1:], relations=[])] + sample[1:]
    srsly.write_jsonl(tmp_path / "agreement-late" / "answers-annotator.jsonl", blind)
    (tmp_path / "agreement").mkdir()
    srsly.write_jsonl(tmp_path / "agreement" / "answers-annotator.jsonl", tasks[:3])
    samples = blind_agreement(tmp_path)
    assert [s.name for s in samples] == ["agreement", "agreement-late"]
    assert samples[0].description == "agreement" and samples[1].description == "Four of each."
    dropped = sample[0]["spans"][0]["label"]
    assert samples[1].scores[dropped]["only_first"] == 1 and samples[1].scores[dropped]["only_second"] == 0
    assert all(row["f1"] == 1.0 for row in samples[0].scores.values())
    table = "\n".join(blind_table(samples))
    assert "`agreement-late/`: Four of each." in table and table.count("| label | F1 |") == 2
