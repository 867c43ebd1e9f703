"""Reliability: bad input gets one line and a non-zero exit, interrupted runs lose nothing,
extreme input does not crash, output is deterministic, and the readers survive fuzzing."""

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import srsly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persian_ie.corpus.validation import validate_task
from persian_ie.errors import PersianIEError
from persian_ie.io.prodigy import read_jsonl
from persian_ie.normalization import get_normalizer
from persian_ie.pipeline.tokenizer import blank_nlp

from .helpers import ROOT, default_sigint, run_script

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])


def one_line_failure(result, *expected: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.strip().splitlines() if line.strip()]
    assert any(all(e in line for e in expected) for line in lines), result.output


# --- every command answers bad input in one line ----------------------------------------------------------------

def test_missing_inputs(tmp_path: Path, tiny_model: Path) -> None:
    missing = tmp_path / "nope"
    one_line_failure(run_script("normalize", [missing, tmp_path / "o.txt"]), str(missing), "not found")
    one_line_failure(run_script("validate_corpus", [missing]), str(missing), "not found")
    one_line_failure(run_script("import_reviewed", [missing, ROOT / "corpus" / "gold.jsonl"]), "not found")
    one_line_failure(run_script("predict", [missing, tmp_path / "o.jsonl", "--model", tiny_model]), "not found")
    one_line_failure(run_script("convert", [missing, tmp_path / "spacy"]), "not found")
    one_line_failure(run_script("evaluate", [missing, tmp_path, tmp_path, tmp_path, tmp_path / "m.json"]),
                     "model not found")


def test_model_that_is_not_a_pipeline(tmp_path: Path, seed_text: str) -> None:
    source = tmp_path / "in.txt"
    source.write_text(seed_text, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    one_line_failure(run_script("predict", [source, tmp_path / "o.jsonl", "--model", tmp_path / "folder"]),
                     "not a spaCy pipeline")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text("[nlp]\nlang = \n[components\n", encoding="utf-8")
    one_line_failure(run_script("predict", [source, tmp_path / "o.jsonl", "--model", broken]),
                     "cannot load the pipeline")


def test_not_utf8_names_file_and_byte(tmp_path: Path, tiny_model: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes('{"text": "سلام"}\n'.encode() + b'{"text": "\xff\xfe"}\n')
    one_line_failure(run_script("validate_corpus", [bad]), f"{bad}:2", "not UTF-8", "byte")
    result = run_script("predict", [bad, tmp_path / "o.jsonl", "--model", tiny_model])
    one_line_failure(result, "line 2", "not UTF-8")


@pytest.mark.parametrize(
    "line,reason",
    [
        ("{not json", "malformed JSON"),
        ('["a list"]', "not a JSON object"),
        ('{"meta": {}}', "no string 'text'"),
        ('{"text": 42}', "no string 'text'"),
        ('{"text": "سلام", "meta": "x"}', "'meta' must be an object"),
    ],
)
def test_bad_records_and_skip_invalid(tmp_path: Path, tiny_model: Path, line: str, reason: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "خوشه فرش در حال اجرا است."}\n' + line + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    one_line_failure(run_script("predict", [source, output, "--model", tiny_model]), "line 2", reason)
    assert not output.exists()
    result = run_script("predict", [source, output, "--model", tiny_model, "--skip-invalid",
                                    "--review-dir", tmp_path])
    assert result.exit_code == 0, result.output
    assert len(list(srsly.read_jsonl(output))) == 1
    rejected = list(srsly.read_jsonl(tmp_path / "out.jsonl.rejected.jsonl"))
    assert len(rejected) == 1 and reason in rejected[0]["reason"] and rejected[0]["line"] == 2
    assert "1 record(s) rejected" in result.output


@pytest.mark.parametrize(
    "breaker,reason",
    [
        (lambda t: t["spans"][0].update(start=-3), "out of bounds"),
        (lambda t: t["spans"][0].update(start=t["spans"][0]["start"] + 1), "token boundaries"),
        (lambda t: t["spans"].append(dict(t["spans"][0])), "overlaps"),
        (lambda t: t["relations"][0]["child_span"].update(label="ORG", start=0, end=2), "not an annotated span"),
        (lambda t: t["spans"][0].update(label="EVENT"), "unknown label"),
    ],
)
def test_validate_corpus_reports_file_line_reason(tmp_path: Path, breaker, reason: str) -> None:
    tasks = list(srsly.read_jsonl(ROOT / "corpus" / "gold.jsonl"))[:30]
    index = next(i for i, t in enumerate(tasks) if t["relations"])
    breaker(tasks[index])
    path = tmp_path / "corpus.jsonl"
    srsly.write_jsonl(path, tasks)
    result = run_script("validate_corpus", [path])
    one_line_failure(result, f"{path}:{index + 1}:", reason)


def test_import_reviewed_skip_invalid_writes_rejected(tmp_path: Path) -> None:
    tasks = list(srsly.read_jsonl(ROOT / "corpus" / "gold.jsonl"))
    broken = copy.deepcopy(tasks[1])
    broken["spans"][0]["label"] = "EVENT"
    reviewed = tmp_path / "reviewed.jsonl"
    srsly.write_jsonl(reviewed, [broken])
    corpus = tmp_path / "gold.jsonl"
    corpus.write_bytes((ROOT / "corpus" / "gold.jsonl").read_bytes())
    result = run_script("import_reviewed", [reviewed, corpus])
    one_line_failure(result, "refused", "unknown label")
    result = run_script("import_reviewed", [reviewed, corpus, "--skip-invalid"])
    assert result.exit_code == 0, result.output
    rejected = list(srsly.read_jsonl(tmp_path / "gold.jsonl.rejected.jsonl"))
    assert rejected[0]["line"] == 1 and "unknown label" in rejected[0]["reason"]
    assert corpus.read_bytes() == (ROOT / "corpus" / "gold.jsonl").read_bytes()


def test_normalize_folder_skip_invalid(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("بانكهاي صادرات", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\xd8\xa8\xff")
    one_line_failure(run_script("normalize", [folder, tmp_path / "out"]), "bad.txt", "byte 2")
    result = run_script("normalize", [folder, tmp_path / "out", "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "good.txt").exists() and not (tmp_path / "out" / "bad.txt").exists()
    assert "bad.txt" in (tmp_path / "out.rejected.jsonl").read_text(encoding="utf-8")


# --- interrupted runs ------------------------------------------------------------------------------------------

def _predict_command(model: Path, source: Path, output: Path, *extra: str) -> list:
    return [sys.executable, str(ROOT / "scripts" / "predict.py"), str(source), str(output), "--model", str(model),
            "--no-progress", "--no-entity-scores", "--batch-size", "8", "--review-dir", str(output.parent), *extra]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_predict_resumes_to_the_same_result(tiny_model: Path, tmp_path: Path, sig: int) -> None:
    paragraphs = [t["text"] for t in srsly.read_jsonl(ROOT / "corpus" / "gold.jsonl")][:400]
    source = tmp_path / "in.txt"
    source.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
    reference = tmp_path / "reference" / "out.jsonl"
    reference.parent.mkdir()
    subprocess.run(_predict_command(tiny_model, source, reference), check=True, capture_output=True)
    output = tmp_path / "run" / "out.jsonl"
    output.parent.mkdir()
    output.write_text("previous output\n", encoding="utf-8")
    process = subprocess.Popen(_predict_command(tiny_model, source, output), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, preexec_fn=default_sigint)
    progress = output.with_name("out.jsonl.partial.progress")
    deadline = time.time() + 120
    while time.time() < deadline:
        if progress.exists() and srsly.read_json(progress).get("units", 0) >= 16:
            break
        time.sleep(0.05)
    process.send_signal(sig)
    process.wait(timeout=60)
    assert output.read_text(encoding="utf-8") == "previous output\n"  # never a half-written file
    done = srsly.read_json(progress)["units"]
    assert 0 < done < 400
    result = subprocess.run(_predict_command(tiny_model, source, output, "--resume"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert output.read_bytes() == reference.read_bytes()
    assert not progress.exists()
    if sig == signal.SIGINT:
        assert "Traceback" not in process.stderr.read().decode()


def test_predict_is_deterministic(tiny_model: Path, tmp_path: Path, seed_text: str) -> None:
    source = tmp_path / "seed.txt"
    source.write_text(seed_text, encoding="utf-8")
    outputs = []
    for name in ("a", "b"):
        output = tmp_path / name / "out.jsonl"
        assert run_script("predict", [source, output, "--model", tiny_model, "--review-dir", tmp_path]).exit_code == 0
        outputs.append(output.read_bytes())
    assert outputs[0] == outputs[1]


# --- extreme input -----------------------------------------------------------------------------------------------

EXTREME = {
    "no_persian": "The quick brown fox, 2024 edition — no Persian here at all.",
    "emoji": "خوشه فرش 🧶🇮🇷 در حال اجرا است 👍",
    "bidi_marks": "\u200fشرکت\u200e ملی\u202b مس\u202c ایران\u2067 و\u2069 بانک",
    "zwj": "خوشه\u200dفرش و شرکت\u200d\u200dصنایع",
    "html": "<p>خوشه <b>فرش</b> &amp; <script>alert('x')</script></p>",
    "windows": "سطر اول\r\nسطر دوم\r\n\r\nسطر سوم\r",
    "controls": "\x00\x01خوشه\x1bفرش\x7f",
}


@pytest.mark.parametrize("name", sorted(EXTREME))
def test_extreme_text_through_the_pipeline(tiny_model: Path, name: str) -> None:
    from persian_ie.pipeline.loading import load_pipeline

    nlp = load_pipeline(tiny_model)
    text = EXTREME[name]
    doc = nlp(text)
    for ent in doc.ents:
        assert 0 <= ent._.raw_start <= ent._.raw_end <= len(text)
    assert doc._.raw_text == text


def test_big_paragraph_and_many_paragraphs_scale_linearly() -> None:
    normalizer = get_normalizer()
    unit = "بانكهاي صادرات و ملت در زمینه ۱۶رشته و شهرکهای صنعتی فعالیت میکنند. "

    def seconds(text: str, repeats: int) -> float:
        """Best of several runs, so a busy machine does not fake a slowdown."""
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            normalizer.align(text)
            best = min(best, time.perf_counter() - start)
        return best

    small = seconds(unit * 2_000, 3)
    large = seconds(unit * 16_000, 2)  # about 1 MB
    assert len(unit * 16_000) > 1_000_000
    assert large < 8 * small * 2.5  # 8x the input, well under quadratic time
    nlp = blank_nlp()
    docs = list(nlp.tokenizer.pipe(["خوشه فرش"] * 100_000))
    assert len(docs) == 100_000


# --- fuzzing -----------------------------------------------------------------------------------------------------

@FUZZ
@given(st.lists(st.binary(max_size=60), max_size=8))
def test_jsonl_reader_only_raises_its_own_error(tmp_path_factory, lines) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "x.jsonl"
    path.write_bytes(b"\n".join(lines))
    try:
        for _ in read_jsonl(path):
            pass
    except PersianIEError as err:
        assert str(path) in str(err)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 400) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(st.data())
def test_validator_never_crashes_on_mutated_tasks(data) -> None:
    task = copy.deepcopy(_sample_task())
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(_mutable_paths(task)))
        target = task
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = data.draw(json_values)
    reasons = validate_task(task, None)
    assert isinstance(reasons, list)


def _sample_task() -> dict:
    global _SAMPLE
    try:
        return _SAMPLE
    except NameError:
        _SAMPLE = next(t for t in srsly.read_jsonl(ROOT / "corpus" / "gold.jsonl") if t["relations"])
        return _SAMPLE


def _mutable_paths(task: dict) -> list:
    paths = [("text",), ("tokens",), ("spans",), ("relations",), ("answer",), ("meta",)]
    paths += [("spans", 0, key) for key in task["spans"][0]] if task.get("spans") and isinstance(task["spans"], list) \
        and task["spans"] and isinstance(task["spans"][0], dict) else []
    paths += [("tokens", 1, key) for key in ("start", "end", "text", "id")] if isinstance(task.get("tokens"), list) \
        and len(task["tokens"]) > 1 and isinstance(task["tokens"][1], dict) else []
    if isinstance(task.get("relations"), list) and task["relations"] and isinstance(task["relations"][0], dict):
        paths += [("relations", 0, key) for key in task["relations"][0]]
    return paths


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_normalizer_fuzz_any_unicode(text: str) -> None:
    alignment = get_normalizer().align(text)
    assert len(alignment.starts) == len(alignment.text)
    if alignment.text:
        assert 0 <= alignment.starts[0] and alignment.ends[-1] <= len(text)
    assert get_normalizer().normalize(alignment.text) == alignment.text


def test_sigint_is_one_line(tmp_path: Path) -> None:
    env = dict(os.environ)
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\nfrom persian_ie.cli import friendly_errors\n"
            "import time\n@friendly_errors\ndef f():\n    print('ready', flush=True)\n    time.sleep(60)\nf()")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, preexec_fn=default_sigint)
    # Signal only once the handler is installed: imports can take seconds on a loaded machine.
    assert process.stdout is not None and process.stdout.readline().strip() == b"ready"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "Traceback" not in err.decode()


def test_two_processes_give_the_same_output(tiny_model: Path, tmp_path: Path) -> None:
    paragraphs = [t["text"] for t in srsly.read_jsonl(ROOT / "corpus" / "gold.jsonl")][:150]
    source = tmp_path / "in.txt"
    source.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
    outputs = []
    for n in (1, 2):
        output = tmp_path / f"n{n}" / "out.jsonl"
        result = subprocess.run(_predict_command(tiny_model, source, output, "--n-process", str(n)),
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        outputs.append(output.read_bytes())
    assert outputs[0] == outputs[1]


def test_resumable_writer_sorts_across_a_resume_and_refuses_lines_without_keys(tmp_path: Path) -> None:
    from persian_ie.errors import PersianIEError
    from persian_ie.io.streaming import ResumableWriter

    output = tmp_path / "out.jsonl"
    first = ResumableWriter(output)
    first.write_batch([{"n": 0}, {"n": 1}], 2, sort_keys=[0.9, 0.2])  # then the process dies: no finish
    first.file.close()
    second = ResumableWriter(output, resume=True)
    second.write_batch([{"n": 2}], 1, sort_keys=[0.5])
    second.finish(sort=True)
    assert [srsly.json_loads(line)["n"] for line in output.read_text(encoding="utf-8").splitlines()] == [1, 2, 0]
    assert not output.with_name("out.jsonl.partial.keys").exists()

    unsorted = ResumableWriter(tmp_path / "plain.jsonl")
    unsorted.write_batch([{"n": 0}], 1)  # started without --sort
    unsorted.file.close()
    resumed = ResumableWriter(tmp_path / "plain.jsonl", resume=True)
    resumed.write_batch([{"n": 1}], 1, sort_keys=[0.1])
    with pytest.raises(PersianIEError, match="without sort keys"):
        resumed.finish(sort=True)
