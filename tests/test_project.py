"""project.yml as a build tool: every dep and output is a real path, and the README documents the commands."""

import shutil
import subprocess
import sys
from pathlib import Path

from weasel.util import load_project_config

from .helpers import ROOT

MARKER_START = "<!-- WEASEL: AUTO-GENERATED DOCS START (do not remove) -->"


def test_readme_command_reference_is_generated_from_project_yml(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    shutil.copyfile(ROOT / "README.md", readme)
    result = subprocess.run([sys.executable, "-m", "spacy", "project", "document", str(ROOT), "--output", str(readme)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert MARKER_START in readme.read_text(encoding="utf-8")
    assert readme.read_text(encoding="utf-8") == (ROOT / "README.md").read_text(encoding="utf-8"), \
        "README's command reference is stale: run `spacy project document --output README.md`"


def test_every_dep_and_output_is_one_path() -> None:
    """weasel 1.x joins a var-only list item with the next ones into one string: none may slip through."""
    config = load_project_config(ROOT)
    for command in config["commands"]:
        for key in ("deps", "outputs"):
            for path in command.get(key, []):
                assert ", " not in path, f"{command['name']} {key}: {path!r} is several paths joined"
        scripts = " ".join(command["script"])
        for dep in command.get("deps", []):
            if dep.startswith("scripts/"):
                assert dep in scripts, f"{command['name']} depends on {dep} but does not run it"


def test_workflow_steps_that_write_files_declare_them() -> None:
    """Every step of `all` but the corpus check writes outputs, so a second run can skip it."""
    config = load_project_config(ROOT)
    commands = {c["name"]: c for c in config["commands"]}
    for step in config["workflows"]["all"]:
        if step != "validate-corpus":
            assert commands[step].get("outputs"), f"{step} lists no outputs"
            assert commands[step].get("deps"), f"{step} lists no deps"


def test_code_and_data_deps_of_the_repository_exist() -> None:
    """A dep on a moved module (`persian_ie/tokenizer.py` after the redesign) makes its command refuse to run."""
    config = load_project_config(ROOT)
    generated = ("training/", "packages/", "assets/", "../")
    for command in config["commands"]:
        for dep in command.get("deps", []):
            if dep.startswith(generated) or dep.startswith(str(ROOT.parent)):
                continue
            assert (ROOT / dep).exists(), f"{command['name']} depends on {dep}, which does not exist"
