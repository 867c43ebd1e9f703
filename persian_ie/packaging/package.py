"""An installable pipeline package that carries its own code.

`spacy package --code FILE` copies Python files into the package and imports them from its
`__init__`. Our code is a package, not a file, so the pipeline folder gets a copy of
`persian_ie/` (package data, with its lexicon evidence), and the `--code` file is a loader that
imports that copy under the name `persian_ie`, unless `persian_ie` is installed already. The
package's requirements are those of the code (spaCy, hazm, ...), not `persian-ie` itself.
"""

import importlib.metadata
import shutil
from pathlib import Path
from typing import List

import srsly

from ..errors import PersianIEError

LOADER = '''"""Registers the Persian news pipeline's code: the installed persian_ie, or the bundled copy."""

import importlib.util
import sys
from pathlib import Path

try:
    import persian_ie  # noqa: F401
except ImportError:
    _init = next(Path(__file__).parent.glob("*/persian_ie/__init__.py"))
    _spec = importlib.util.spec_from_file_location("persian_ie", _init, submodule_search_locations=[str(_init.parent)])
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["persian_ie"] = _module
    _spec.loader.exec_module(_module)
'''

def runtime_requirements() -> List[str]:
    """The runtime dependencies declared in pyproject.toml (read from the installed distribution's metadata)."""
    return [req for req in importlib.metadata.requires("persian-ie") or [] if "extra ==" not in req]


def stage_pipeline(model_dir: Path, staging_dir: Path, code_root: Path) -> Path:
    """Copy the trained pipeline and the package code into `staging_dir`; returns the loader file."""
    model_dir, staging_dir = Path(model_dir), Path(staging_dir)
    if not (model_dir / "config.cfg").exists():
        raise PersianIEError("not a trained pipeline (no config.cfg)", str(model_dir))
    if staging_dir.exists():
        shutil.rmtree(staging_dir)
    shutil.copytree(model_dir, staging_dir / "pipeline")
    shutil.copytree(
        Path(code_root) / "persian_ie",
        staging_dir / "pipeline" / "persian_ie",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    meta_path = staging_dir / "pipeline" / "meta.json"
    meta = srsly.read_json(meta_path)
    requirements: List[str] = [r for r in meta.get("requirements", []) if not r.startswith("persian")]
    meta["requirements"] = sorted(set(requirements) | set(runtime_requirements()))
    srsly.write_json(meta_path, meta)
    loader = staging_dir / "persian_ie_loader.py"
    loader.write_text(LOADER, encoding="utf-8")
    return loader


def drop_own_requirement(package_dir: Path) -> None:
    """`spacy package` adds the distribution that registered the code (persian-ie): the code is bundled."""
    for meta_path in Path(package_dir).rglob("meta.json"):
        meta = srsly.read_json(meta_path)
        meta["requirements"] = [r for r in meta.get("requirements", []) if not r.startswith("persian")]
        srsly.write_json(meta_path, meta)
