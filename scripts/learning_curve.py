"""Learning curves: train on 25/50/75/100% of the training documents (scored on test), or, with --by-real,
on the authored corpus plus 0/200/400/1000/2000/all real paragraphs (scored on real_dev and real_test)."""

from pathlib import Path
from typing import List

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.evaluation.learning_curve import FRACTIONS, REAL_COUNTS, learning_curve, real_data_curve
from persian_ie.io.files import write_json_atomic


@friendly_errors
def main(
    config: Path = typer.Argument(..., help="Training config"),
    corpus_dir: Path = typer.Argument(..., help="Folder with train/dev/test.spacy"),
    output: Path = typer.Argument(..., help="learning_curve.json"),
    work_dir: Path = typer.Option(Path("training/learning_curve"), help="Where the subset models go"),
    vectors: str = typer.Option("", help="Vectors model for [initialize] vectors, if the config uses them"),
    max_steps: int = typer.Option(1000, help="Training steps per subset model (kept short)"),
    fractions: List[float] = typer.Option(list(FRACTIONS), "--fraction", help="Training shares"),
    by_real: bool = typer.Option(False, "--by-real", help="Vary the real paragraphs (see --real-count), the "
                                 "authored corpus always included; score on real_dev and real_test"),
    real_counts: List[int] = typer.Option(list(REAL_COUNTS), "--real-count",
                                          help="Real training paragraphs per point, in whole articles (-1: all)"),
    realdev: Path = typer.Option(Path("../shared/realdev/realdev.jsonl"), help="The real-news dev set"),
) -> None:
    overrides = {"training.max_steps": max_steps}
    if vectors:
        overrides["paths.vectors"] = vectors
    if by_real:
        points = real_data_curve(config, corpus_dir, work_dir, realdev, real_counts, overrides)
        write_json_atomic(output, {"max_steps": max_steps, "points": points})
        msg.table([(p["real_paragraphs"], f"{p['real_dev_ner_f']:.3f}", f"{p['real_dev_rel_f']:.3f}",
                    f"{p['real_test_ner_f']:.3f}", f"{p['real_test_rel_f']:.3f}") for p in points],
                  header=("real paragraphs", "real_dev NER", "real_dev rel", "real_test NER", "real_test rel"))
        msg.good(f"Learning curve by real data -> {output}")
        return
    points = learning_curve(config, corpus_dir, work_dir, fractions, overrides)
    write_json_atomic(output, {"max_steps": max_steps, "points": points})
    msg.table([(f"{p['fraction']:.0%}", p["paragraphs"], f"{p['ner_f']:.3f}", f"{p['rel_end_to_end_f']:.3f}")
               for p in points], header=("share", "paragraphs", "NER F", "rel F"))
    msg.good(f"Learning curve -> {output}")


if __name__ == "__main__":
    typer.run(main)
