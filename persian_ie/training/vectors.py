"""Static vectors from raw news: normalize and tokenize as the pipeline does, then train floret.

floret vectors hash character n-grams into a fixed table, so every word (misspelled, glued or
never seen) gets a vector; `spacy init vectors --mode floret` turns them into a vectors model the
config loads through `[initialize] vectors`.
"""

from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language

from ..io.files import write_text_atomic


def tokenized_lines(nlp: Language, lines: Iterable[str], batch_size: int = 256) -> Iterator[str]:
    """Each paragraph normalized and tokenized by the pipeline's own tokenizer, tokens space-joined."""
    for doc in nlp.tokenizer.pipe(lines, batch_size=batch_size):
        tokens = [t.text for t in doc if not t.is_space]
        if tokens:
            yield " ".join(tokens)


def write_training_text(nlp: Language, lines: Iterable[str], path: Path) -> int:
    text = list(tokenized_lines(nlp, lines))
    write_text_atomic(path, "\n".join(text) + "\n")
    return len(text)


def train_floret(
    text_path: Path,
    output_prefix: Path,
    dim: int = 100,
    epoch: int = 10,
    min_count: int = 3,
    minn: int = 3,
    maxn: int = 5,
    bucket: int = 50000,
    hash_count: int = 2,
    threads: int = 2,
) -> Path:
    """Train floret skipgram vectors; returns the .floret file for `spacy init vectors`."""
    import floret

    model = floret.train_unsupervised(
        str(text_path),
        model="skipgram",
        mode="floret",
        dim=dim,
        epoch=epoch,
        minCount=min_count,
        minn=minn,
        maxn=maxn,
        bucket=bucket,
        hashCount=hash_count,
        thread=threads,
        verbose=0,
    )
    output = Path(f"{output_prefix}.floret")
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save_floret_vectors(str(output))
    return output
