"""Measure one model lever: train a config with overrides under several seeds; scores on real text as JSON.

Example: python scripts/experiment.py configs/config.cfg training/corpus training/experiments/averages.json
--set training.optimizer.use_averages=true --seed 0 --seed 1
"""

from pathlib import Path
from typing import List

import typer
from spacy.cli._util import parse_config_overrides

from persian_ie.cli import friendly_errors, msg
from persian_ie.errors import PersianIEError
from persian_ie.evaluation.experiments import run_lever
from persian_ie.io.files import write_json_atomic


@friendly_errors
def main(
    config: Path = typer.Argument(..., help="Training config"),
    corpus_dir: Path = typer.Argument(..., help="Folder with train/dev/test/real_test.spacy"),
    output: Path = typer.Argument(..., help="JSON with per-seed and mean scores"),
    sets: List[str] = typer.Option([], "--set", help="Config override KEY=VALUE (repeatable)"),
    seeds: List[int] = typer.Option([0, 1], "--seed", help="Seeds (repeatable)"),
    realdev: Path = typer.Option(Path("../shared/realdev/realdev.jsonl"), help="The real-news dev set"),
    work_dir: Path = typer.Option(None, help="Where the models go (default: beside the output)"),
    reuse: bool = typer.Option(False, "--reuse", help="Score seeds already trained in the work dir again"),
) -> None:
    if any("=" not in item for item in sets):
        raise PersianIEError(f"--set takes KEY=VALUE, not {next(i for i in sets if '=' not in i)!r}")
    # spaCy's own parser for `--key value` overrides, so values read exactly as on `spacy train`
    overrides = parse_config_overrides([part for item in sets for part in ("--" + item.split("=", 1)[0],
                                                                            item.split("=", 1)[1])], env_var=None)
    result = run_lever(config, corpus_dir, work_dir or output.with_suffix(""), overrides, seeds, realdev, reuse)
    write_json_atomic(output, result)
    rows = [(split, *(f"{values[k]:.3f}" for k in ("ner", "rel_end_to_end", "rel_gold_ents", "ner_unseen")))
            for split, values in result["mean"].items()]
    msg.table(rows, header=("mean of seeds", "NER", "rel e2e", "rel gold ents", "NER unseen"))
    msg.good(f"{len(seeds)} run(s) -> {output}")


if __name__ == "__main__":
    typer.run(main)
