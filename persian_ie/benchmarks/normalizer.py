"""Benchmark half-space restoration and speed: this normalizer beside hazm's default Normalizer.

Take correctly written Persian paragraphs, delete every half-space (or turn it into a space, the
other way news loses them), normalize, and score each reference word: it is right when the output
has the same word boundaries and the same half-spaces inside it. A half-space after a letter that
never joins (ا د ذ ر ز ژ و) is invisible, so `کار‌ها` and `کارها` count as the same.
"""

import difflib
import platform
import time
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Sequence, Tuple

from ..normalization.chars import (
    CHANGED_CHARS_RE,
    EXPANSIONS,
    NON_JOINING,
    TRANSLATION,
    ZWNJ,
    digit_translation,
)

NONE, HALF, SPACE = 0, 1, 2
_SKELETON_TABLE = str.maketrans({"«": '"', "»": '"', "٫": ".", "٬": ",", "٪": "%", "…": "."})


@dataclass
class RestorationScore:
    words: int
    correct: int
    zwnj_words: int
    zwnj_correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.words if self.words else 0.0

    @property
    def zwnj_accuracy(self) -> float:
        return self.zwnj_correct / self.zwnj_words if self.zwnj_words else 0.0

    def to_dict(self) -> Dict[str, float]:
        return {**asdict(self), "accuracy": self.accuracy, "zwnj_word_accuracy": self.zwnj_accuracy}


def skeleton(text: str) -> Tuple[str, List[int]]:
    """The visible characters of `text` and, for each, what separates it from the previous one."""
    text = CHANGED_CHARS_RE.sub(lambda m: EXPANSIONS.get(m.group(), ""), text.translate(TRANSLATION))
    text = text.translate(digit_translation()).translate(_SKELETON_TABLE)
    chars: List[str] = []
    seps: List[int] = []
    pending = NONE
    for char in text:
        if char.isspace():
            pending = SPACE
        elif char == ZWNJ:
            pending = max(pending, HALF)
        else:
            if pending == HALF and chars and chars[-1] in NON_JOINING:
                pending = NONE
            chars.append(char)
            seps.append(pending if chars[:-1] else SPACE)
            pending = NONE
    return "".join(chars), seps


def score_restoration(reference: str, output: str) -> RestorationScore:
    """Word-level agreement of `output` with `reference` on spaces and half-spaces."""
    ref_chars, ref_seps = skeleton(reference)
    out_chars, out_seps = skeleton(output)
    if ref_chars == out_chars:
        mapped = out_seps
    else:
        # punctuation or digits changed somewhere: align the visible characters first
        mapped = [SPACE] * len(ref_chars)
        matcher = difflib.SequenceMatcher(None, ref_chars, out_chars, autojunk=False)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                mapped[block.a + k] = out_seps[block.b + k]
    words = correct = zwnj_words = zwnj_correct = 0
    start = 0
    n = len(ref_chars)
    while start < n:
        end = start + 1
        while end < n and ref_seps[end] != SPACE:
            end += 1
        right = all(mapped[k] == ref_seps[k] for k in range(start + 1, end))
        right = right and mapped[start] == SPACE and (end == n or mapped[end] == SPACE)
        has_zwnj = HALF in ref_seps[start + 1 : end]
        words += 1
        correct += right
        zwnj_words += has_zwnj
        zwnj_correct += has_zwnj and right
        start = end
    return RestorationScore(words, correct, zwnj_words, zwnj_correct)


def damage(text: str, mode: str) -> str:
    """Lose the half-spaces as news does: `deleted` glues the parts, `spaced` puts a space."""
    return text.replace(ZWNJ, "" if mode == "deleted" else " ")


def measure_speed(normalize: Callable[[str], str], text: str, repeats: int = 3) -> float:
    """Characters per second, best of `repeats` runs over `text`."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        normalize(text)
        best = min(best, time.perf_counter() - start)
    return len(text) / best if best > 0 else float("inf")


def benchmark(
    paragraphs: Sequence[str],
    normalizers: Dict[str, Callable[[str], str]],
    modes: Sequence[str] = ("deleted", "spaced"),
    repeats: int = 3,
) -> Dict[str, object]:
    """Restoration accuracy per mode and speed for every normalizer, on the same paragraphs."""
    results: Dict[str, object] = {
        "paragraphs": len(paragraphs),
        "characters": sum(len(p) for p in paragraphs),
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "normalizers": {},
    }
    joined = "\n\n".join(damage(p, "deleted") for p in paragraphs)
    for name, normalize in normalizers.items():
        entry: Dict[str, object] = {}
        for mode in modes:
            total = RestorationScore(0, 0, 0, 0)
            for paragraph in paragraphs:
                score = score_restoration(paragraph, normalize(damage(paragraph, mode)))
                total = RestorationScore(
                    total.words + score.words,
                    total.correct + score.correct,
                    total.zwnj_words + score.zwnj_words,
                    total.zwnj_correct + score.zwnj_correct,
                )
            entry[mode] = total.to_dict()
        entry["chars_per_second"] = measure_speed(normalize, joined, repeats)
        results["normalizers"][name] = entry
    return results
