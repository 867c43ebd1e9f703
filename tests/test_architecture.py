"""The layout reads like the data flow: imports go one way, and the documented layout is the tree."""

import ast
import re
import subprocess
from pathlib import Path

import pytest

from persian_ie.errors import PersianIEError
from persian_ie.training.config import config_overrides, derive_config, flatten

from .helpers import ROOT

PACKAGE = ROOT / "persian_ie"
# the steps of the flow, in order; the shared modules at the top may be imported by any step
FLOW = ("io", "normalization", "pipeline", "corpus", "training", "prediction", "baselines", "evaluation",
        "benchmarks", "packaging")
SHARED = {"errors", "schema", "punctuation", "cli"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path):
    """Every persian_ie module `path` imports (at the top or inside a function), as absolute names."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name == "persian_ie" or name.startswith("persian_ie."):
                for alias in node.names:
                    yield f"{name}.{alias.name}" if name.count(".") == 0 else name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("persian_ie."):
                    yield alias.name


def step_of(module: str) -> str:
    return module.split(".")[1]


def test_every_folder_is_a_step_of_the_flow() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(FLOW)
    top_level = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert top_level == SHARED


def test_no_module_imports_from_a_later_step() -> None:
    late = []
    for path in PACKAGE.rglob("*.py"):
        module = module_name(path)
        if module == "persian_ie" or step_of(module) in SHARED:
            if module != "persian_ie":
                assert all(step_of(m) in SHARED for m in imported_modules(path)), module
            continue
        rank = FLOW.index(step_of(module))
        for target in imported_modules(path):
            step = step_of(target)
            if step not in SHARED and FLOW.index(step) > rank:
                late.append(f"{module} imports {target}")
    assert late == []


def documented_modules(text: str, table_title: str):
    """(folder, file) pairs named in the rows of the markdown table under `table_title`."""
    section = text.split(table_title, 1)[1].split("\n## ", 1)[0]
    for row in section.splitlines():
        cells = row.split("|")
        if len(cells) < 4 or not cells[1].strip().startswith("`"):
            continue
        folder = cells[1].strip().strip("`")
        for name in re.findall(r"`([a-z_]+\.py)`", cells[3]):
            yield folder, name


def test_architecture_md_matches_the_tree() -> None:
    named = set(documented_modules((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"), "## Which folder owns"))
    missing = sorted(f"{folder}{name}" for folder, name in named if not (PACKAGE / folder / name).exists())
    assert missing == [], "ARCHITECTURE.md names modules that do not exist"
    modules = {(p.parent.name + "/", p.name) for p in PACKAGE.glob("*/*.py") if p.name != "__init__.py"}
    assert sorted(modules - named) == [], "modules ARCHITECTURE.md does not place"
    contracts = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").split("## Which file owns", 1)[1]
    for path in re.findall(r"`((?:persian_ie|configs)/[\w/.]+)`", contracts) + ["pyproject.toml"]:
        assert (ROOT / path).exists(), path


def test_readme_layout_names_existing_paths() -> None:
    layout = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"^\| `([\w/.]+)`", layout, flags=re.M)
    assert len(paths) >= 10
    # a generated folder (`training/`) may be absent from a fresh clone; it must then be one git ignores
    missing = [p for p in paths if not (ROOT / p).exists()
               and subprocess.run(["git", "check-ignore", "-q", p], cwd=ROOT).returncode != 0]
    assert missing == []
    folders = {p.rstrip("/").split("/")[1] for p in paths if p.startswith("persian_ie/") and p.count("/") == 2}
    assert folders == set(FLOW)


def test_tiny_config_is_the_full_config_with_a_small_diff(tmp_path: Path) -> None:
    overrides = config_overrides(ROOT / "configs" / "tiny.overrides.cfg")
    assert 5 <= len(overrides) <= 20
    from spacy.util import load_config

    full = flatten(dict(load_config(ROOT / "configs" / "config.cfg", interpolate=False)))
    tiny = flatten(dict(derive_config(ROOT / "configs" / "config.cfg", ROOT / "configs" / "tiny.overrides.cfg")))
    changed = {key for key in full if tiny[key] != full[key]}
    assert changed == set(overrides)  # nothing else differs: the tokenizer, the components, the corpora
    assert tiny.keys() == full.keys()
    assert tiny["training.max_steps"] < full["training.max_steps"]
    bad = tmp_path / "bad.cfg"
    bad.write_text("[training]\nmax_stepz = 3\n", encoding="utf-8")
    with pytest.raises(PersianIEError, match="training.max_stepz"):
        derive_config(ROOT / "configs" / "config.cfg", bad)
