"""The review page in a real browser: entities and relations are in the DOM, HTML in text stays text."""

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import srsly

from .helpers import run_script

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = ("<script>document.body.setAttribute('data-pwned', '1')</script> "
           "<img src=x onerror=\"document.body.setAttribute('data-pwned', '1')\"> ")


class DomSummary(HTMLParser):
    """Counts what the test looks for in the DOM Chromium dumps after running the page."""

    def __init__(self) -> None:
        super().__init__()
        self.marks, self.relations, self.sections, self.scripts, self.images = [], [], 0, 0, 0
        self.body_attrs = {}
        self._in_mark = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.body_attrs = attrs
        elif tag == "mark" and "entity" in (attrs.get("class") or ""):
            self._in_mark = True
            self.marks.append("")
        elif tag == "tr" and "relation" in (attrs.get("class") or ""):
            self.relations.append(attrs.get("data-label"))
        elif tag == "section":
            self.sections += 1
        elif tag == "script":
            self.scripts += 1
        elif tag == "img":
            self.images += 1

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data):
        if self._in_mark:
            self.marks[-1] += data


NO_CHROMIUM = "Chromium is not installed (Debian package 'chromium'; .ci/run installs it)"


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_review_page_in_headless_chromium(baselines_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    srsly.write_jsonl(source, [
        {"text": HOSTILE + "مدیرعامل شرکت شهرک‌های صنعتی استان یزد گفت: خوشه کاشی میبد با ۱۲۰ واحد در حال اجرا است."},
        {"text": "رضا کریمی مدیرعامل بانک ملت گفت: ۲۰۰ میلیارد ریال تسهیلات به خوشه فرش پرداخت شد."},
    ])
    output = tmp_path / "out.jsonl"
    result = run_script("predict", [source, output, "--rules", "--rules-model", baselines_dir / "rules",
                                    "--review-dir", tmp_path / "review"])
    assert result.exit_code == 0, result.output
    tasks = list(srsly.read_jsonl(output))
    page = tmp_path / "review" / "out.html"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-1000:]
    summary = DomSummary()
    summary.feed(dom.stdout)
    assert summary.sections == 2
    assert "data-pwned" not in summary.body_attrs  # nothing the paragraph contained ran
    assert summary.scripts == 0 and summary.images == 0
    assert "<script>" in dom.stdout.replace("&lt;", "<").replace("&gt;", ">")  # shown as text
    expected = [" ".join(f"{t['text'][s['start']: s['end']]} {s['label']}".split()) for t in tasks for s in t["spans"]]
    assert len(expected) >= 4 and any(r for t in tasks for r in t["relations"])
    assert [" ".join(m.replace("?", "").split()) for m in summary.marks] == expected
    assert sorted(summary.relations) == sorted(r["label"] for t in tasks for r in t["relations"])
    assert 'dir="rtl"' in page.read_text(encoding="utf-8")
