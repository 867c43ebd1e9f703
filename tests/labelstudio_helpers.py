"""A real Label Studio server for the tests: started from its own venv, on a free port, stopped by its pid.

Label Studio (about 1 GB, its own Django stack) lives in `<repo>/.venv-labelstudio` (`make labelstudio`),
or wherever `LABEL_STUDIO_BIN` points. The server reads unprefixed `USERNAME`, `PASSWORD`, `PORT` and
`HOST` from the environment into its settings, so they are removed; telemetry and version checks are
off; the legacy token lets a fixed `--user-token` authenticate the API. The client is label-studio-sdk,
run by the server venv's Python (`labelstudio_sdk_client.py`): the SDK pins a numpy older than the
project's, so it is not installed beside the project.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from .helpers import ROOT

DEFAULT_BIN = ROOT / ".venv-labelstudio" / "bin" / "label-studio"
SDK_CLIENT = Path(__file__).with_name("labelstudio_sdk_client.py")
# a data dir where the server has started once (`make labelstudio` prepares it): a copy starts in seconds,
# where an empty data dir takes about a minute of migrations
TEMPLATE_NAME = "data-template"
TEMPLATE_READY = ".ready"
TOKEN = "persian-ie-test-token-0123456789abcdef"
USER = "annotator@example.com"
# settings Label Studio reads from unprefixed environment variables
LEAKING_ENV = ("USERNAME", "PASSWORD", "PORT", "HOST")


def labelstudio_bin() -> Path:
    return Path(os.environ.get("LABEL_STUDIO_BIN", DEFAULT_BIN))


def labelstudio_python() -> Path:
    """The Python beside the label-studio executable: it has label-studio-sdk."""
    return labelstudio_bin().parent / "python"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabelStudio:
    """One server process and a minimal API client for it."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in LEAKING_ENV}
        env.update({
            "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "LATEST_VERSION_CHECK": "false",
            "COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
        })
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [str(labelstudio_bin()), "start", "--no-browser", "--data-dir", str(data_dir),
             "--internal-host", "127.0.0.1", "--port", str(self.port), "--username", USER,
             "--password", "test-password-123", "--user-token", TOKEN, "--enable-legacy-api-token",
             "--log-level", "WARNING"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_healthy(self, timeout: float = 240.0) -> float:
        """Seconds until /health/ answers and the token authenticates."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"label-studio exited with {self.process.returncode}; see {self.log.name}")
            try:
                self.request("GET", "/api/projects/")
                return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1.0)
        raise TimeoutError(f"label-studio did not answer on {self.url} within {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        """Stop the server this object started: its process group, by pid."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self.log.close()

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Plain HTTP, for the health check before the client is used."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
        return json.loads(payload) if payload else None

    def sdk(self, op: str, **args: Any) -> Any:
        """One call through label-studio-sdk, in the server's venv (see labelstudio_sdk_client.py)."""
        request = {"url": self.url, "token": TOKEN, "calls": [{"op": op, "args": args}]}
        process = subprocess.run([str(labelstudio_python()), str(SDK_CLIENT)], input=json.dumps(request),
                                 capture_output=True, text=True, timeout=300)
        if process.returncode != 0:
            raise RuntimeError(f"label-studio-sdk {op} failed: {process.stderr.strip()[-2000:]}")
        return json.loads(process.stdout)[0]

    def push(self, title: str, label_config: str, tasks: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Create a project, import the tasks with their predictions: project id, counts, served tasks."""
        return self.sdk("push", title=title, label_config=label_config, tasks=tasks)

    def annotate(self, annotations: List[Dict[str, Any]]) -> List[int]:
        """Submit annotations ({task, result, was_cancelled, lead_time}) as annotators do."""
        return self.sdk("annotate", annotations=annotations)

    def export(self, project: int) -> List[Dict[str, Any]]:
        """The full JSON export, with annotations (JSON_MIN drops relations)."""
        return self.sdk("export", project=project)


def template_dir() -> Path:
    """Beside the venv the server comes from (`.venv-labelstudio/data-template`)."""
    return labelstudio_bin().parent.parent / TEMPLATE_NAME


def prepare_template(path: Optional[Path] = None) -> float:
    """Start a server once on a fresh `path` and stop it; seconds the first start took."""
    path = path or template_dir()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    server = LabelStudio(path, path.parent / "data-template.log")
    try:
        seconds = server.wait_healthy()
    finally:
        server.stop()
    (path / TEMPLATE_READY).write_text(f"{seconds:.1f}\n", encoding="utf-8")
    return seconds


def fresh_data_dir(target: Path) -> Path:
    """A data dir for one test session: a copy of the prepared template where there is one."""
    template = template_dir()
    if (template / TEMPLATE_READY).exists():
        shutil.copytree(template, target)
    return target


ZWNJ = "\u200c"
ALL_RELATIONS = frozenset({"AFFILIATED_WITH", "HAS_STATUS", "HAS_QUANTITY", "SUPPORTS"})


def real_samples(gold: Path, limit: int = 400) -> Dict[str, Dict[str, Any]]:
    """Corpus tasks chosen by what they hold, not by line (annotators keep editing the corpus):
    `all_relations` holds the four relation labels and a multi-token span, `zwnj` a span with a ZWNJ
    followed by another span and a word outside every span, and `plain` three more with spans."""
    from persian_ie.io.prodigy import read_jsonl

    samples: Dict[str, Dict[str, Any]] = {}
    plain: List[Dict[str, Any]] = []
    for line, task in read_jsonl(gold):
        if line > limit:
            break
        text = task["text"]
        labels = {r["label"] for r in task["relations"]}
        if "all_relations" not in samples and labels >= ALL_RELATIONS and snappable_span(task) is not None:
            samples["all_relations"] = task
        elif "zwnj" not in samples and free_word(task) is not None and any(
                ZWNJ in text[s["start"]:s["end"]] and any(o["start"] > s["end"] for o in task["spans"])
                for s in task["spans"]):
            samples["zwnj"] = task
        elif len(plain) < 3 and task["spans"] and task["relations"]:
            plain.append(task)
    for i, task in enumerate(plain):
        samples[f"plain{i}"] = task
    assert {"all_relations", "zwnj", "plain2"} <= set(samples), "corpus/gold.jsonl lacks the tasks the tests need"
    return samples


def free_word(task: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """A token of letters (three or more) outside every span: where an annotator can add one."""
    covered = {i for s in task["spans"] for i in range(s["token_start"], s["token_end"] + 1)}
    for token in task["tokens"]:
        if token["id"] not in covered and len(token["text"]) >= 3 and token["text"].isalpha():
            return token
    return None


def snappable_span(task: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """A span of two or more tokens whose first and last tokens are long enough to be selected sloppily."""
    tokens = task["tokens"]
    for span in task["spans"]:
        if span["token_end"] > span["token_start"] and len(tokens[span["token_start"]]["text"]) >= 3 \
                and len(tokens[span["token_end"]]["text"]) >= 3:
            return span
    return None


def drop_one_relation(result: List[Dict[str, Any]]) -> Tuple[List[Dict[str, Any]], Tuple[int, int, str]]:
    """The result without its first relation, and that relation as (head start, child start, label)."""
    regions = {r["id"]: r["value"] for r in result if r["type"] == "labels"}
    index = next(i for i, r in enumerate(result) if r["type"] == "relation")
    rel = result[index]
    key = (regions[rel["from_id"]]["start"], regions[rel["to_id"]]["start"], rel["labels"][0])
    return result[:index] + result[index + 1:], key


if __name__ == "__main__":
    print(f"Label Studio data template ready in {template_dir()} (first start {prepare_template():.0f} s)")
