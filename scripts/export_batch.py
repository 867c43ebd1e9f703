"""Export the next annotation batch: whole real-news articles, pre-annotated, least confident first.

Draws a topical pool of articles from the raw-news asset (never one already in the corpus, in an
earlier batch under --batches-dir, or in the development set), pre-annotates every paragraph with
the model, and takes the least confident articles plus a random share of the others. Writes the
batch as Prodigy tasks, a review sheet for annotators without Prodigy, and a review page.
"""

from pathlib import Path
from typing import List

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.export import ExportPlan, article_records, candidate_pool, seen_lines, select_batch
from persian_ie.corpus.sheet import write_sheet
from persian_ie.io.files import write_text_atomic
from persian_ie.io.prodigy import read_jsonl, task_confidence, write_jsonl_atomic
from persian_ie.io.rawtext import read_articles
from persian_ie.io.review_page import render_review_page
from persian_ie.pipeline.loading import load_pipeline
from persian_ie.prediction.predict import Record, Unit, predict_tasks


def known_texts(corpus: Path, batches_dir: Path, realdev: Path) -> List[str]:
    texts: List[str] = []
    if corpus.exists():
        texts += [t.get("meta", {}).get("raw_text") or t["text"] for _, t in read_jsonl(corpus)]
    for path in sorted(batches_dir.glob("*/preannotated.jsonl")) if batches_dir.exists() else []:
        texts += [t["meta"].get("raw_text") or t["text"] for _, t in read_jsonl(path)]
    if realdev.exists():
        texts += [t["text"] for _, t in read_jsonl(realdev)]
    return texts


@friendly_errors
def main(
    rawtext: Path = typer.Argument(..., help="Gzipped raw news, one paragraph per line (the asset)"),
    output: Path = typer.Argument(..., help="The batch: pre-annotated Prodigy tasks (JSONL)"),
    model: Path = typer.Option(Path("training/model-final"), "--model", help="Pipeline that pre-annotates"),
    corpus: Path = typer.Option(Path("corpus/gold.jsonl"), help="The corpus (its articles are never drawn)"),
    batches_dir: Path = typer.Option(Path("corpus/real"), help="Earlier batches (never drawn again)"),
    realdev: Path = typer.Option(Path("../shared/realdev/realdev.jsonl"), help="The development set (never drawn)"),
    n: int = typer.Option(200, help="About how many paragraphs (whole articles are kept)"),
    random_share: float = typer.Option(0.34, help="Share of paragraphs drawn at random, not by confidence"),
    variety_share: float = typer.Option(0.08, help="Share of articles from the other outlets (sports and health "
                                                   "by default)"),
    outlet: List[str] = typer.Option(["fars"], "--outlet", help="An outlet of the topical pool (repeat for "
                                     "more; name `varzesh3` once the Fars articles are used up)"),
    seed: int = typer.Option(0, help="Sampling seed"),
    min_pairs: float = typer.Option(0.0, help="Least-confident articles need this many predicted relation "
                                              "candidates per paragraph (a relation-focused round)"),
    pool_factor: int = typer.Option(4, help="The topical pool holds about this many times the batch"),
    min_topic_score: float = typer.Option(1.5, help="Economy terms per 100 words a topical article needs to enter "
                                          "the pool (lower it once the economic articles are used up)"),
    min_paragraphs: int = typer.Option(3, help="Usable paragraphs an article needs (lower it once the longer "
                                       "articles are used up)"),
    sheet: bool = typer.Option(True, "--sheet/--no-sheet", help="Also write <output>.sheet.txt for review"),
    review_dir: Path = typer.Option(Path("training/review"), help="Where the HTML review page goes"),
) -> None:
    plan = ExportPlan(n=n, random_share=random_share, variety_share=variety_share, seed=seed,
                       min_pairs=min_pairs, pool_factor=pool_factor, min_topic_score=min_topic_score,
                       outlets=tuple(outlet), min_paragraphs=min_paragraphs)
    excluded = seen_lines(known_texts(corpus, batches_dir, realdev))
    pool = candidate_pool(read_articles(rawtext), excluded, plan)
    records = [record for article in pool for record in article_records(article, rawtext.name)]
    units = [Unit(Record(f"{r['meta']['article']}:{r['meta']['paragraph']}", r["meta"]), 0, 0, r["text"])
             for r in records]
    nlp = load_pipeline(model)
    tasks = [task for batch in predict_tasks(nlp, units) for task in batch]
    batch = select_batch(tasks, plan, task_confidence)
    write_jsonl_atomic(output, batch)
    drawn = {how: sum(1 for t in batch if t["meta"]["drawn"] == how) for how in ("least_confident", "random",
                                                                                   "variety")}
    msg.good(f"{len(batch)} paragraphs from {len({t['meta']['article'] for t in batch})} articles "
             f"(pool: {len(records)} paragraphs of {len(pool)} articles) -> {output}")
    msg.info(", ".join(f"{how}: {count}" for how, count in drawn.items()))
    if sheet:
        sheet_path = output.with_name(output.stem + ".sheet.txt")
        write_text_atomic(sheet_path, write_sheet(batch, title=output.name))
        msg.info(f"Review sheet -> {sheet_path}")
    page = review_dir / f"{output.stem}.html"
    write_text_atomic(page, render_review_page(batch, title=output.name))
    msg.info(f"Review page -> {page}")


if __name__ == "__main__":
    typer.run(main)
