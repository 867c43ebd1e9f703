"""The packaged pipeline installs into a fresh venv and works on raw text there."""

import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import run_script


@pytest.mark.slow
def test_package_installs_and_annotates_raw_text(tiny_model: Path, tmp_path: Path) -> None:
    result = run_script("package", [tiny_model, tmp_path / "packages", "--name", "test_news", "--version", "0.0.1"])
    assert result.exit_code == 0, result.output
    sdist = tmp_path / "packages" / "fa_test_news-0.0.1" / "dist" / "fa_test_news-0.0.1.tar.gz"
    assert sdist.exists()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(sdist)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    code = (
        "import spacy, json\n"
        "nlp = spacy.load('fa_test_news')\n"
        "doc = nlp('بانكهاي صادرات و ملت در زمینه ۱۶رشته گفت: خوشه پوشاک در حال پیگیری است.')\n"
        "import persian_ie\n"
        "print(json.dumps({'text': doc.text, 'raw': doc._.raw_text, 'rel': doc._.relations is not None,"
        " 'code': persian_ie.__file__}))\n"
    )
    run = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    out = __import__("json").loads(run.stdout.strip().splitlines()[-1])
    assert out["text"].startswith("بانک‌های صادرات") and "۱۶ رشته" in out["text"]
    assert out["raw"].startswith("بانكهاي")
    assert out["rel"] is True
    assert "fa_test_news" in out["code"]  # the bundled code, not this checkout
