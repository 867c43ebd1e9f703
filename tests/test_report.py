"""The evaluation report and the benchmarks, built from the tiny model."""

from pathlib import Path

import pytest
import srsly

from persian_ie.corpus.report import corpus_stats
from persian_ie.evaluation.error_analysis import (
    RELATION_ERROR_TYPES,
    compare_entities,
    compare_relations,
    worst_relation_errors,
)
from persian_ie.evaluation.learning_curve import document_subsets
from persian_ie.io.prodigy import read_jsonl
from persian_ie.schema import ENTITY_LABELS

from .conftest import REALDEV_PATH
from .helpers import ROOT, run_script


@pytest.fixture(scope="module")
def evaluated(tiny_model: Path, baselines_dir: Path, corpus_dir: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("evaluation")
    model = folder / "model"
    before = {p.relative_to(tiny_model): p.read_bytes() for p in tiny_model.rglob("*") if p.is_file()}
    assert run_script("tune_thresholds", [tiny_model, corpus_dir / "dev.spacy", model,
                                          folder / "thresholds.json"]).exit_code == 0
    after = {p.relative_to(tiny_model): p.read_bytes() for p in tiny_model.rglob("*") if p.is_file()}
    assert after == before  # the trained model stays as training wrote it; the tuned copy is a new directory
    assert (model / "config.cfg").exists()
    assert run_script("evaluate", [model, baselines_dir, corpus_dir, REALDEV_PATH,
                                   folder / "metrics.json"]).exit_code == 0
    return folder


def test_learning_curve_on_document_subsets(corpus_dir: Path, tiny_config: Path, tmp_path: Path) -> None:
    result = run_script("learning_curve", [tiny_config, corpus_dir, tmp_path / "curve.json",
                                           "--work-dir", tmp_path / "work", "--max-steps", "5",
                                           "--fraction", "0.25", "--fraction", "1.0"])
    assert result.exit_code == 0, result.output
    points = srsly.read_json(tmp_path / "curve.json")["points"]
    assert [p["fraction"] for p in points] == [0.25, 1.0]
    from persian_ie.corpus.convert import read_docbin
    from persian_ie.pipeline.tokenizer import blank_nlp

    n_train = len(read_docbin(corpus_dir / "train.spacy", blank_nlp().vocab))
    assert points[0]["documents"] < points[1]["documents"] and points[1]["paragraphs"] == n_train
    for point in points:
        assert 0.0 <= point["ner_f"] <= 1.0 and 0.0 <= point["rel_end_to_end_f"] <= 1.0


def test_subsets_are_nested_whole_documents(corpus_dir: Path) -> None:
    from persian_ie.corpus.convert import read_docbin
    from persian_ie.pipeline.tokenizer import blank_nlp

    docs = read_docbin(corpus_dir / "train.spacy", blank_nlp().vocab)
    subsets = document_subsets(docs, (0.25, 0.5, 1.0))
    ids = {f: {d.user_data["meta"]["doc_id"] for d in subset} for f, subset in subsets.items()}
    assert ids[0.25] < ids[0.5] < ids[1.0]
    for fraction, subset in subsets.items():
        for doc_id in ids[fraction]:  # every paragraph of a chosen document comes along
            assert sum(d.user_data["meta"]["doc_id"] == doc_id for d in subset) == sum(
                d.user_data["meta"]["doc_id"] == doc_id for d in docs)


def test_report_tables_hold_the_metrics(tiny_model: Path, evaluated: Path, corpus_dir: Path, tmp_path: Path) -> None:
    curve = {"max_steps": 5, "points": [
        {"fraction": 0.5, "documents": 56, "paragraphs": 300, "ner_f": 0.5, "rel_end_to_end_f": 0.2,
         "rel_gold_ents_f": 0.4},
        {"fraction": 1.0, "documents": 113, "paragraphs": 599, "ner_f": 0.6, "rel_end_to_end_f": 0.3,
         "rel_gold_ents_f": 0.5}]}
    srsly.write_json(tmp_path / "curve.json", curve)
    result = run_script("report", [evaluated / "model", evaluated / "metrics.json", ROOT / "corpus" / "gold.jsonl",
                                   corpus_dir / "real_test.spacy", tmp_path / "report", "--thresholds",
                                   evaluated / "thresholds.json", "--learning", tmp_path / "curve.json"])
    assert result.exit_code == 0, result.output
    metrics = srsly.read_json(evaluated / "metrics.json")
    md = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    for png in ("confusion.png", "thresholds.png", "learning_curve.png"):
        assert (tmp_path / "report" / png).stat().st_size > 1000
    assert page.count("data:image/png;base64,") == 3
    test_ner = md.split("## Authored test split")[1].split("### NER on spans")[0]
    for label in ENTITY_LABELS:
        row = next(line for line in test_ner.splitlines() if line.startswith(f"| {label} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        ours = metrics["test"]["ner"]["per_label"][label]
        crf = metrics["test"]["baselines"]["crf"]["ner"]["per_label"][label]
        low, high = ours["f_ci95"]
        assert cells[1:4] == [f"{ours['p']:.3f}", f"{ours['r']:.3f}", f"{ours['f']:.3f} [{low:.2f}, {high:.2f}]"]
        assert cells[9].startswith(f"{crf['f']:.3f} [")
    micro = next(line for line in test_ner.splitlines() if line.startswith("| micro |"))
    assert f"{metrics['test']['ner']['f']:.3f}" in micro
    real_blocks = ("real_test", "real_dev") if REALDEV_PATH.exists() else ("real_test",)
    for split in real_blocks:  # the real blocks are in the report, with unseen-surface NER
        title = {"real_test": "## Real news, test split", "real_dev": "## Real news (Fars, realdev)"}[split]
        section = md.split(title)[1].split("\n## ")[0]
        assert f"{metrics[split]['ner']['f']:.3f}" in section and "### NER on spans whose surface" in section
    end_to_end = md.split("## Authored test split")[1].split("### Relations, end to end")[1].split("##")[0]
    assert f"{metrics['test']['rel_end_to_end']['f']:.3f}" in end_to_end
    outlets = md.split("## Real news, test split, by outlet")[1].split("\n## ")[0]
    for outlet, block in metrics["real_test"]["by_outlet"].items():
        assert f"| {outlet} | {block['paragraphs']} | {block['ner']['f']:.3f} [" in outlets
    entity_errors = md.split("## Entity errors on the real test split")[1].split("\n## ")[0]
    for kind in ("label", "boundary", "missed", "spurious"):
        assert kind in entity_errors
    # the relation errors between gold entities account for every link `evaluate` scored there, label by label
    relation_errors = md.split("## Relation errors on the real test split, between the gold entities")[1]
    relation_errors = relation_errors.split("\n## ")[0]
    rows = {cells[0]: [int(c) for c in cells[1:]] for cells in
            ([c.strip() for c in line.strip("|").split("|")] for line in relation_errors.splitlines()
             if line.startswith("| ") and not line.startswith("| label"))}
    scored = metrics["real_test"]["rel_gold_ents"]["per_label"]
    assert set(rows) == {label for label, v in scored.items() if v["tp"] + v["fp"] + v["fn"]}
    for label, (correct, spurious, wrong_partner, missed, taken, outside) in rows.items():
        assert (correct, spurious + wrong_partner, missed + taken + outside) == \
            (scored[label]["tp"], scored[label]["fp"], scored[label]["fn"]), label
    assert "| 100% | 113 | 599 | 0.600 | 0.300 |" in md
    stats = corpus_stats([task for _, task in read_jsonl(ROOT / "corpus" / "gold.jsonl")])
    assert f"| train | {stats.documents['train']} | {stats.paragraphs['train']} |" in md
    assert 'dir="rtl"' in page  # worst errors are shown right to left


def test_metrics_blocks_carry_intervals_and_unseen_scores(evaluated: Path) -> None:
    metrics = srsly.read_json(evaluated / "metrics.json")
    blocks = ("test", "real_test", "real_dev") if REALDEV_PATH.exists() else ("test", "real_test")
    for split in blocks[1:]:
        assert set(metrics[split]) >= {"ner", "ner_unseen", "rel_gold_ents", "rel_end_to_end", "baselines",
                                       "paragraphs"}
    for split in blocks:
        for key in ("ner", "ner_unseen", "rel_gold_ents", "rel_end_to_end"):
            block = metrics[split][key]
            low, high = block["f_ci95"]
            assert 0.0 <= low <= high <= 1.0
            for label, values in block["per_label"].items():
                assert values["f_ci95"][0] <= values["f_ci95"][1], label
        unseen = metrics[split]["ner_unseen"]
        assert unseen["gold_spans"] <= metrics[split]["ner"]["tp"] + metrics[split]["ner"]["fn"]
    # the real test split per outlet: the groups partition its paragraphs and its counts
    outlets = metrics["real_test"]["by_outlet"]
    assert outlets and sum(block["paragraphs"] for block in outlets.values()) == metrics["real_test"]["paragraphs"]
    for key in ("ner", "rel_gold_ents", "rel_end_to_end"):
        for count in ("tp", "fp", "fn"):
            assert sum(block[key][count] for block in outlets.values()) == metrics["real_test"][key][count]
    # relations from gold entities score the relation model alone: the gold relations are never echoed back
    assert metrics[blocks[-1]]["baselines"]["rules"]["rel_gold_ents"]["f"] < 1.0


def test_bootstrap_interval_is_narrow_for_many_paragraphs_and_wide_for_few() -> None:
    from persian_ie.evaluation.scores import score_keys

    many = [({(0, 1, "ORG")}, {(0, 1, "ORG")}) if i % 5 else (set(), {(0, 1, "ORG")}) for i in range(500)]
    few = many[:10]
    wide, narrow = score_keys(few, ["ORG"], ci=True)["f_ci95"], score_keys(many, ["ORG"], ci=True)["f_ci95"]
    assert narrow[1] - narrow[0] < wide[1] - wide[0]
    assert narrow[0] <= score_keys(many, ["ORG"])["f"] <= narrow[1]


def test_relation_error_kinds() -> None:
    text = "مدیرعامل شرکت الف، احمد رضایی، گفت بانک ب ۲۰ میلیارد ریال و شرکت الف ۵ طرح داشت"

    def span(surface: str, last: bool = False) -> tuple:
        start = text.rindex(surface) if last else text.index(surface)
        return start, start + len(surface)

    person, org_a, bank = span("احمد رضایی"), span("شرکت الف"), span("بانک ب")
    money, org_a2, plans = span("۲۰ میلیارد ریال"), span("شرکت الف", last=True), span("۵ طرح")
    gold = {(*person, *org_a, "AFFILIATED_WITH"), (*bank, *money, "HAS_QUANTITY"), (*org_a2, *plans, "HAS_QUANTITY")}
    predicted = {
        (*person, *org_a, "AFFILIATED_WITH"): 0.9,
        (*org_a2, *money, "HAS_QUANTITY"): 0.8,  # the bank's figure given to the company
        (*person, *bank, "AFFILIATED_WITH"): 0.6,  # the person's gold link of this label is to the company
    }
    candidates = {key[:4] for key in gold | set(predicted)} - {(*org_a2, *plans)}
    correct, errors = compare_relations(predicted, gold, text, candidates)
    assert correct == {"AFFILIATED_WITH": 1}
    assert {(e.kind, e.label, e.head_text, e.child_text) for e in errors} == {
        ("wrong partner", "HAS_QUANTITY", "شرکت الف", "۲۰ میلیارد ریال"),
        ("wrong partner", "AFFILIATED_WITH", "احمد رضایی", "بانک ب"),
        ("partner taken", "HAS_QUANTITY", "بانک ب", "۲۰ میلیارد ریال"),  # its figure went to the company instead
        ("outside window", "HAS_QUANTITY", "شرکت الف", "۵ طرح"),  # never a candidate (before partner taken)
    }
    # the report's lists show wrong links, most confident first, and then the missed ones
    worst = worst_relation_errors(errors, per_label=1)
    assert [e.kind for e in worst["HAS_QUANTITY"]] == ["wrong partner", "partner taken"]
    # a body may own several figures: another figure of the bank is spurious, not the bank's figure given away
    predicted = {(*person, *bank, "AFFILIATED_WITH"): 0.7, (*bank, *plans, "HAS_QUANTITY"): 0.6}
    _, errors = compare_relations(predicted, {(*bank, *money, "HAS_QUANTITY")}, text)
    assert sorted((e.kind, e.label, e.score) for e in errors) == [
        ("missed", "HAS_QUANTITY", 0.0), ("spurious", "AFFILIATED_WITH", 0.7), ("spurious", "HAS_QUANTITY", 0.6)]
    assert {e.kind for e in errors} <= set(RELATION_ERROR_TYPES)


def test_error_types() -> None:
    text = "شرکت فولاد مبارکه و خوشه فرش در حال اجرا"
    gold = [(0, 17, "ORG"), (20, 28, "CLUSTER"), (29, 40, "STATUS")]
    predicted = [(5, 17, "ORG"), (20, 28, "ORG"), (0, 3, "QUANTITY")]
    _, errors = compare_entities(predicted, gold, text)
    kinds = sorted(e.kind for e in errors)
    assert kinds == ["boundary", "boundary+label", "label", "missed"]


def test_benchmark_runs_on_a_tiny_input(tiny_model: Path, corpus_dir: Path, tmp_path: Path) -> None:
    steps = tmp_path / "steps.json"
    srsly.write_json(steps, {"workflow": "all", "steps": [{"step": "convert", "seconds": 1.0, "returncode": 0}]})
    output = tmp_path / "bench" / "pipeline.json"
    result = run_script("benchmark", [tiny_model, ROOT / "corpus" / "raw", corpus_dir / "test.spacy", output,
                                      "--speed-mb", "0.05", "--memory-mb", "0.05", "--steps", steps])
    assert result.exit_code == 0, result.output
    bench = srsly.read_json(output)
    speed = bench["speed"]
    for key in ("normalizer_persian_ie", "normalizer_hazm", "tokenizer_with_normalizer", "pipeline_1_process",
                "pipeline_2_processes_spacy_pipe"):
        assert speed[key] > 0
    assert [run["n_process"] for run in bench["predict"]["runs"]] == [1, 2] and bench["predict"]["speedup"] > 0
    assert [row["entities"] for row in bench["relation_cost"]] == [5, 10, 20, 40]
    assert all(row["candidate_pairs"] > 0 for row in bench["relation_cost"])
    assert bench["memory"]["peak_rss_mb"] > 10 and bench["model_size_mb"] > 0
    assert bench["steps"]["steps"][0]["step"] == "convert"
    assert "mean_words_per_second" in bench["spacy_benchmark_speed"]
    read = bench["corpus_read"]
    assert read["paragraphs"] > 0 and read["paragraphs_per_second"] > 0
    assert read["paragraphs_per_second_scanning_plugins"] > 0
    table = output.with_suffix(".md").read_text(encoding="utf-8")
    assert f"| full pipeline, 1 process (`nlp.pipe`) | {speed['pipeline_1_process']:,.0f} |" in table
    assert f"{bench['predict']['speedup']:.2f}x" in table and "| 40 | " in table and "| convert | 1.0 |" in table
    assert f"{read['paragraphs_per_second']:,.0f} paragraphs per second" in table


def test_real_subsets_keep_the_authored_corpus_and_whole_articles(corpus_dir: Path) -> None:
    from persian_ie.corpus.convert import read_docbin
    from persian_ie.evaluation.learning_curve import is_real, real_subsets
    from persian_ie.pipeline.tokenizer import blank_nlp

    docs = read_docbin(corpus_dir / "train.spacy", blank_nlp().vocab)
    subsets = real_subsets(docs, (0, 200, 400, -1))
    authored = sum(not is_real(d) for d in docs)
    real_ids = {n: {d.user_data["meta"]["doc_id"] for d in s if is_real(d)} for n, s in subsets.items()}
    assert all(sum(not is_real(d) for d in s) == authored for s in subsets.values())
    assert real_ids[0] == set() and real_ids[200] < real_ids[400] < real_ids[-1]
    assert 200 <= sum(is_real(d) for d in subsets[200]) < 400 and len(subsets[-1]) == len(docs)
    for n, subset in subsets.items():  # every paragraph of a chosen article comes along
        for doc_id in real_ids[n]:
            assert sum(d.user_data["meta"]["doc_id"] == doc_id for d in subset) == sum(
                d.user_data["meta"]["doc_id"] == doc_id for d in docs)


@pytest.mark.skipif(not REALDEV_PATH.exists(), reason="../shared/realdev is not beside the project")
def test_learning_curve_by_real_data(corpus_dir: Path, tiny_config: Path, tmp_path: Path) -> None:
    result = run_script("learning_curve", [tiny_config, corpus_dir, tmp_path / "real.json",
                                           "--work-dir", tmp_path / "work", "--max-steps", "5", "--by-real",
                                           "--realdev", REALDEV_PATH, "--real-count", "0", "--real-count", "200",
                                           "--real-count", "-1"])
    assert result.exit_code == 0, result.output
    points = srsly.read_json(tmp_path / "real.json")["points"]
    assert len(points) == 3 and 200 <= points[1]["real_paragraphs"] < points[2]["real_paragraphs"]
    assert points[0]["real_paragraphs"] == 0
    from persian_ie.corpus.convert import read_docbin
    from persian_ie.evaluation.learning_curve import is_real
    from persian_ie.pipeline.tokenizer import blank_nlp

    assert points[2]["real_paragraphs"] == sum(map(is_real, read_docbin(corpus_dir / "train.spacy", blank_nlp().vocab)))
    for point in points:
        for key in ("real_dev_ner_f", "real_dev_rel_f", "real_test_ner_f", "real_test_rel_f", "test_ner_f"):
            assert 0.0 <= point[key] <= 1.0


def test_experiment_scores_a_seed_per_label_and_scores_it_again_with_reuse(corpus_dir: Path, tiny_config: Path,
                                                                          tmp_path: Path) -> None:
    from persian_ie.schema import RELATION_LABELS

    from .helpers import corpus_sample

    # a realdev-shaped file (raw text, character spans and relations) from the sample, so the test needs no ../shared
    realdev = tmp_path / "realdev.jsonl"
    srsly.write_jsonl(realdev, ({key: task.get(key, []) for key in ("text", "spans", "relations")}
                                for task in corpus_sample()[:12]))
    args = [tiny_config, corpus_dir, tmp_path / "lever.json", "--set", "training.max_steps=5", "--seed", "3",
            "--realdev", realdev, "--work-dir", tmp_path / "work"]
    result = run_script("experiment", args)
    assert result.exit_code == 0, result.output
    lever = srsly.read_json(tmp_path / "lever.json")
    assert lever["overrides"] == {"training.max_steps": "5"}
    (run,) = lever["runs"]
    assert run["seed"] == 3 and run["train_seconds"] > 0 and (tmp_path / "work" / "seed3" / "model-final").exists()
    assert set(run["scores"]) == {"test", "real_test", "real_dev"}
    for scores in run["scores"].values():
        assert set(scores["per_label"]["ner"]) == set(ENTITY_LABELS)
        assert set(scores["per_label"]["rel_gold_ents"]) <= set(RELATION_LABELS)
        assert all(0.0 <= f <= 1.0 for block in scores["per_label"].values() for f in block.values())
        assert all(0.0 <= scores[key] <= 1.0 for key in ("ner", "rel_end_to_end", "rel_gold_ents", "ner_unseen"))
    assert lever["mean"] == run["scores"]
    # --reuse scores the trained seed again without training it: same scores, no training time
    assert run_script("experiment", [*args, "--reuse"]).exit_code == 0
    (rescored,) = srsly.read_json(tmp_path / "lever.json")["runs"]
    assert rescored["train_seconds"] is None and rescored["scores"] == run["scores"]


def test_mean_of_seeds_keeps_the_nesting_of_the_scores() -> None:
    from persian_ie.evaluation.experiments import mean_scores

    def run(ner: float, org: float, rel: float) -> dict:
        return {"scores": {"real_test": {"ner": ner, "rel_end_to_end": rel,
                                         "per_label": {"ner": {"ORG": org}, "rel_end_to_end": {}}}}}

    mean = mean_scores([run(0.8, 0.7, 0.4), run(0.9, 0.8, 0.5)])
    assert mean["real_test"]["ner"] == pytest.approx(0.85)
    assert mean["real_test"]["rel_end_to_end"] == pytest.approx(0.45)
    assert mean["real_test"]["per_label"]["ner"]["ORG"] == pytest.approx(0.75)
    assert mean["real_test"]["per_label"]["rel_end_to_end"] == {}
