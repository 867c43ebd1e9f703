"""The test's Label Studio client: label-studio-sdk, run by the Python of Label Studio's own venv.

label-studio-sdk pins a numpy older than the project's, so it is not installed beside the project; the
server's venv has it (label-studio depends on it). The tests send this script a JSON list of calls on
stdin and read the JSON list of their results on stdout: one process per phase of the round trip.
"""

import json
import sys
from typing import Any, Dict, List

from label_studio_sdk.client import LabelStudio


def call(client: LabelStudio, op: str, args: Dict[str, Any]) -> Any:
    if op == "push":
        # a project from the exported config, the exported tasks with their predictions, the tasks it serves
        project = client.projects.create(title=args["title"], label_config=args["label_config"]).id
        answer = client.projects.import_tasks(id=project, request=args["tasks"])
        served = [task.model_dump(mode="json") for task in client.tasks.list(project=project, fields="all")]
        return {"project": project, "task_count": answer.task_count,
                "prediction_count": answer.prediction_count, "tasks": served}
    if op == "annotate":
        # what the annotator's Submit (or Skip: was_cancelled) sends, one annotation per task
        return [client.annotations.create(id=item["task"], result=item["result"],
                                          was_cancelled=item.get("was_cancelled", False),
                                          lead_time=item.get("lead_time", 1.0)).id
                for item in args["annotations"]]
    if op == "export":
        # the full JSON export (JSON_MIN drops relations)
        chunks = client.projects.exports.download_sync(args["project"], export_type="JSON", download_all_tasks=True)
        return json.loads(b"".join(chunks))
    raise ValueError(f"unknown call {op!r}")


def main() -> None:
    request = json.load(sys.stdin)
    client = LabelStudio(base_url=request["url"], api_key=request["token"])
    results: List[Any] = [call(client, c["op"], c.get("args", {})) for c in request["calls"]]
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
