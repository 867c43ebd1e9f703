"""Put the raw news text in place: copy the shared file, or rebuild it from the asset's JSON files."""

import shutil
from pathlib import Path

import typer

from persian_ie.cli import friendly_errors, msg
from persian_ie.io.rawtext import article_lines, held_out_articles, unique_lines, write_gzip_lines


@friendly_errors
def main(
    shared_copy: Path = typer.Argument(..., help="The shared fa_news_apache.txt.gz, used when present"),
    source_folder: Path = typer.Argument(..., help="The asset folder exploring-datasets/"),
    realdev: Path = typer.Argument(..., help="realdev.jsonl: its articles are left out"),
    output: Path = typer.Argument(..., help="Where the gzipped text goes"),
) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if shared_copy.exists():
        shutil.copyfile(shared_copy, output)
        msg.good(f"Copied {shared_copy} -> {output}")
        return
    lines = unique_lines(article_lines(source_folder, held_out_articles(realdev)))
    count = write_gzip_lines(output, lines)
    msg.good(f"Built {count} paragraphs from {source_folder} -> {output}")


if __name__ == "__main__":
    typer.run(main)
