"""Write Prodigy tasks (predictions, an export batch, or corpus tasks) as Label Studio tasks and its config.

Each task becomes one Label Studio task: `data.text` is the normalized paragraph, with `meta` (and the
raw offsets in it) and the hashes under `data`, and one prediction (`model_version`, `score`: the least
confident item) whose results hold code-point offsets into `data.text` and the relations. The labeling
config (right-to-left text, the schema's labels in the review page's colours) goes to --config, by
default beside OUTPUT as OUT.config.xml. Corpus tasks work too, to review existing gold.
"""

from pathlib import Path
from typing import Optional

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.errors import PersianIEError
from persian_ie.io.labelstudio import default_config_path, to_labelstudio, write_labelstudio
from persian_ie.io.prodigy import read_jsonl


@friendly_errors
def main(
    input_path: Path = typer.Argument(..., help="Prodigy tasks (JSONL): predict's or export's output, or the "
                                      "corpus (corpus/gold.jsonl)"),
    output: Path = typer.Argument(..., help="The Label Studio tasks to import (JSON)"),
    config: Optional[Path] = typer.Option(None, "--config", help="The labeling config XML (default: OUT.config.xml)"),
    model_version: Optional[str] = typer.Option(None, "--model-version", help="The predictions' model_version "
                                                "(default: meta.model and meta.model_version, else 'corpus')"),
) -> None:
    if input_path.suffix not in (".jsonl", ".json"):
        raise PersianIEError("expected Prodigy tasks as JSONL (predict's, export's or the corpus's)", str(input_path))
    records = []
    for line, task in read_jsonl(input_path):
        if not isinstance(task.get("text"), str):
            raise PersianIEError("the task has no text", str(input_path), line)
        try:
            records.append(to_labelstudio(task, model_version))
        except (KeyError, TypeError) as err:
            raise PersianIEError(f"not a Prodigy relations task ({err!r} missing or malformed)", str(input_path),
                                 line) from err
        except PersianIEError as err:
            raise PersianIEError(err.message, str(input_path), line) from err
    config = config or default_config_path(output)
    count = write_labelstudio(records, output, config)
    msg.good(f"{count} Label Studio tasks -> {output}")
    msg.good(f"Labeling config -> {config}")


if __name__ == "__main__":
    typer.run(main)
