"""Commands answer bad input with one line naming the file, never a traceback."""

from pathlib import Path

import pytest
import yaml

from .helpers import ROOT, run_project, run_script


def test_normalize_file_and_folder(tmp_path: Path, seed_text: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(seed_text, encoding="utf-8")
    (folder / "b.txt").write_text("بانكهاي صادرات و ملت", encoding="utf-8")
    result = run_script("normalize", [folder, tmp_path / "out"])
    assert result.exit_code == 0, result.output
    assert "شهرک‌های" in (tmp_path / "out" / "a.txt").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "b.txt").read_text(encoding="utf-8").startswith("بانک‌های")


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"\xd8\xa8\xd8\xa7\xff\xfe", "not UTF-8"),
        (None, "not found"),
    ],
)
def test_normalize_bad_input(tmp_path: Path, content, expected: str) -> None:
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    result = run_script("normalize", [path, tmp_path / "out.txt"])
    assert result.exit_code == 1
    assert expected in result.output and str(path) in result.output
    assert "Traceback" not in result.output
    if content is not None:
        assert "(byte 4)" in result.output


def test_normalize_empty_and_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text("\x00\x07 سلام\u200e دنیا\r\n", encoding="utf-8")
    result = run_script("normalize", [path, tmp_path / "out.txt"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.txt").read_text(encoding="utf-8").strip() == "سلام دنیا"
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert run_script("normalize", [empty, tmp_path / "empty_out.txt"]).exit_code == 0


def test_project_workflow_resolves() -> None:
    """weasel collapses lists of bare ${vars.x} items: every dep and output must resolve to a path."""
    result = run_project(["all", ".", "--dry"], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "${" not in result.stdout
    from weasel.util import load_project_config

    resolved = load_project_config(ROOT)
    for command in resolved["commands"]:
        for key in ("deps", "outputs"):
            paths = command.get(key, [])
            assert isinstance(paths, list), command["name"]
            # the collapse turns two paths into one string "a, b"
            assert all("," not in path and "${" not in path for path in paths), (command["name"], key, paths)
    project = yaml.safe_load((ROOT / "project.yml").read_text(encoding="utf-8"))
    for command in project["commands"]:
        for line in command["script"]:
            script = line.split()[1]
            if script.startswith("scripts/"):
                assert (ROOT / script).exists(), f"{command['name']}: {script} is missing"
