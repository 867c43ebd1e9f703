"""Build the rule-based annotator and train the CRF tagger on the training split."""

from pathlib import Path

import typer

from persian_ie.baselines.crf import CrfTagger
from persian_ie.baselines.rules import build_rules_pipeline
from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.convert import split_docs
from persian_ie.corpus.validation import require_valid
from persian_ie.pipeline.tokenizer import blank_nlp


@friendly_errors
def main(
    corpus: Path = typer.Argument(..., help="The corpus JSONL (corpus/gold.jsonl)"),
    output_dir: Path = typer.Argument(..., help="Folder for rules/ and crf.crfsuite"),
) -> None:
    nlp = blank_nlp()
    tasks = require_valid(corpus, nlp)
    train_tasks = [t for t in tasks if t["meta"]["split"] == "train" and t.get("answer") == "accept"]
    output_dir.mkdir(parents=True, exist_ok=True)
    rules = build_rules_pipeline(train_tasks)
    rules.to_disk(output_dir / "rules")
    msg.good(f"Rule-based annotator from {len(train_tasks)} training paragraphs -> {output_dir / 'rules'}")
    crf = CrfTagger(nlp, output_dir / "crf.crfsuite")
    crf.train(split_docs(nlp.vocab, tasks)["train"])
    msg.good(f"CRF tagger -> {output_dir / 'crf.crfsuite'}")


if __name__ == "__main__":
    typer.run(main)
