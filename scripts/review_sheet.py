"""Review sheets for annotators without Prodigy: tasks -> editable markup -> db-out answers.

`write` turns pre-annotated tasks into a sheet; the annotator corrects the markup; `read` checks the
sheet against the tasks (words unchanged, spans on tokens, allowed relations) and writes the answers
in the shape `prodigy db-out` writes, ready for `import-reviewed`. Every problem is printed as
`sheet:line: reason` and nothing is written until the sheet is clean.
"""

from pathlib import Path
from typing import List

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.corpus.sheet import as_review, read_sheet, write_review_sheet, write_sheet
from persian_ie.io.files import write_text_atomic
from persian_ie.io.inputs import read_text
from persian_ie.io.prodigy import read_jsonl, write_jsonl_atomic

app = typer.Typer(help=__doc__, no_args_is_help=True)


@app.command("write")
@friendly_errors
def write(
    tasks: Path = typer.Argument(..., help="Pre-annotated Prodigy tasks (JSONL)"),
    sheet: Path = typer.Argument(..., help="The sheet to write"),
) -> None:
    """Write the review sheet of a task file."""
    records = [task for _, task in read_jsonl(tasks)]
    write_text_atomic(sheet, write_sheet(records, title=tasks.name))
    msg.good(f"{len(records)} tasks -> {sheet}")


@app.command("read")
@friendly_errors
def read(
    sheet: Path = typer.Argument(..., help="The edited sheet"),
    tasks: Path = typer.Argument(..., help="The tasks the sheet was written from"),
    output: Path = typer.Argument(..., help="db-out shaped answers (JSONL)"),
    annotator: str = typer.Option(..., "--annotator", help="Who reviewed (becomes _annotator_id's suffix)"),
    dataset: str = typer.Option("news_review", "--dataset", help="The dataset name (session = dataset-annotator)"),
    review_of: List[Path] = typer.Option([], "--review-of", help="Answer files this sheet adjudicates: the "
                                         "output then carries their `versions`, as Prodigy's review recipe writes"),
) -> None:
    """Check an edited sheet and write its answers as db-out JSONL."""
    records = [task for _, task in read_jsonl(tasks)]
    answers, problems = read_sheet(read_text(sheet), records, annotator, dataset, path=str(sheet))
    if review_of and not problems:
        answers = as_review(answers, [[task for _, task in read_jsonl(path)] for path in review_of])
    for problem in problems:
        msg.fail(problem)
    if problems:
        msg.fail(f"{len(problems)} problem(s); nothing written", exits=1)
    write_jsonl_atomic(output, answers)
    counts = {a: sum(1 for t in answers if t["answer"] == a) for a in ("accept", "reject", "ignore")}
    msg.good(f"{len(answers)} answers ({', '.join(f'{k} {v}' for k, v in counts.items())}) -> {output}")


@app.command("adjudicate")
@friendly_errors
def adjudicate(
    first: Path = typer.Argument(..., help="The first pass's answers (db-out JSONL)"),
    second: Path = typer.Argument(..., help="The second pass's answers (db-out JSONL)"),
    sheet: Path = typer.Argument(..., help="The adjudication sheet to write"),
) -> None:
    """Write the adjudication sheet: the second pass, with the first pass shown where they differ."""
    text, differ = write_review_sheet([t for _, t in read_jsonl(first)], [t for _, t in read_jsonl(second)],
                                      title=second.name)
    write_text_atomic(sheet, text)
    msg.good(f"{differ} paragraph(s) differ between the passes -> {sheet}")


if __name__ == "__main__":
    app()
