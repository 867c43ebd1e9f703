"""Benchmark half-space restoration and speed: this normalizer beside hazm's and shekar's.

Take correctly written Persian paragraphs, damage their half-spaces the three ways news does
(every half-space deleted, every half-space turned into a space, and the mixed noise of copied news),
normalize, and score each reference word: it is right when the output has the same word boundaries
and the same half-spaces inside it. Punctuation is a boundary and is not scored (normalizers move the
spaces around it differently, which is not what this measures). A half-space after a letter that never
joins (ا د ذ ر ز ژ و) is invisible, so `کار‌ها` and `کارها` count as the same.

The paragraphs are ones the lexicon and the evidence were not tuned on: the authored documents of
the test split, and the real-news development paragraphs whose own half-spaces can be trusted.
"""

import copy
import difflib
import platform
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import srsly

from ..errors import PersianIEError
from ..io.inputs import split_paragraphs
from ..normalization.chars import (
    LATIN_DIGITS,
    NON_JOINING,
    PERSIAN_DIGITS,
    TRANSLATION,
    ZWNJ,
    digit_translation,
    fold_characters,
)
from ..normalization.zwnj import JOIN_RATIO
from .timing import best_of

NONE, HALF, SPACE = 0, 1, 2
MODES = ("deleted", "spaced", "mixed")
DAMAGES = {
    "deleted": "every half-space deleted (`شهرکهای`, `شدهاند`)",
    "spaced": "every half-space replaced by a space (`شهرک های`, `شده اند`)",
    "mixed": "copied-news noise: half the words that carry a half-space lose it (deleted or spaced, "
    "at random), Arabic ي/ك for ی/ک, Latin digits",
}
# morphemes that never stand alone in carefully written news: seen alone, a half-space was lost
BOUND_MORPHEMES = frozenset(("ها", "های", "هایی", "ترین", "می", "نمی", "اند", "ایم", "اید"))
# a silent ه glued to a plural or a verb ending: `پروژههای`, `شدهاند`
_GLUED_AFTER_H_RE = re.compile(r"[^\W\d_]+ه(?:ها|های|هایی|اند)(?![\w\u200c])")
_VERB_PREFIX_RE = re.compile(r"^(ن?می)(\w{2,})$")
_PERSIAN_KAF_YEH = str.maketrans({"ی": "ي", "ک": "ك"})
_TO_LATIN_DIGITS = str.maketrans(PERSIAN_DIGITS + "٠١٢٣٤٥٦٧٨٩", LATIN_DIGITS + LATIN_DIGITS)
_SKELETON_TABLE = str.maketrans({"٫": ".", "٬": ",", "٪": "%"})
TRUSTED_FILTER = (
    "a realdev paragraph is kept when it writes half-spaces at all (one or more between two letters) "
    "and shows no sign of having lost any: no bound morpheme standing alone as a word "
    f"({'، '.join(sorted(BOUND_MORPHEMES))}), no silent ه glued to a plural or verb ending "
    "(`پروژههای`, `شدهاند`), and no می/نمی glued to a verb form that hazm's conjugations write with "
    "a half-space (`میشود`)"
)


@dataclass
class RestorationScore:
    words: int = 0
    correct: int = 0
    zwnj_words: int = 0
    zwnj_correct: int = 0
    false_joins: int = 0

    def __add__(self, other: "RestorationScore") -> "RestorationScore":
        return RestorationScore(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values())))

    @property
    def accuracy(self) -> float:
        return self.correct / self.words if self.words else 0.0

    @property
    def zwnj_recall(self) -> float:
        return self.zwnj_correct / self.zwnj_words if self.zwnj_words else 0.0

    @property
    def false_join_rate(self) -> float:
        return self.false_joins / self.words if self.words else 0.0

    def to_dict(self) -> Dict[str, float]:
        return {
            **asdict(self),
            "zwnj_word_recall": self.zwnj_recall,
            "word_accuracy": self.accuracy,
            "false_join_rate": self.false_join_rate,
        }


def skeleton(text: str) -> Tuple[str, List[int]]:
    """The letters and digits of `text` and, for each, what separates it from the previous one.

    Punctuation and every other mark count as a space: only what lies between two word characters
    is scored.
    """
    text = fold_characters(text).translate(digit_translation()).translate(_SKELETON_TABLE)
    chars: List[str] = []
    seps: List[int] = []
    pending = SPACE
    for char in text:
        if char == ZWNJ:
            pending = max(pending, HALF)
        elif not char.isalnum():
            pending = SPACE
        else:
            if pending == HALF and chars and chars[-1] in NON_JOINING:
                pending = NONE
            chars.append(char)
            seps.append(pending)
            pending = NONE
    return "".join(chars), seps


def _spell(chars: str, seps: Sequence[int]) -> str:
    return "".join(("" if sep == NONE else ZWNJ if sep == HALF else " ") + char for sep, char in zip(seps, chars))


def score_restoration(reference: str, output: str, missed: Optional[Counter] = None) -> RestorationScore:
    """Word-level agreement of `output` with `reference` on spaces and half-spaces.

    `missed` collects each half-space word the output gets wrong, as `reference -> output`.
    """
    ref_chars, ref_seps = skeleton(reference)
    out_chars, out_seps = skeleton(output)
    if ref_chars == out_chars:
        mapped = out_seps
    else:
        # a normalizer changed letters or digits somewhere: align the visible characters first
        mapped = [SPACE] * len(ref_chars)
        matcher = difflib.SequenceMatcher(None, ref_chars, out_chars, autojunk=False)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                mapped[block.a + k] = out_seps[block.b + k]
    score = RestorationScore()
    n = len(ref_chars)
    start = 0
    while start < n:
        end = start + 1
        while end < n and ref_seps[end] != SPACE:
            end += 1
        right = mapped[start] == SPACE and (end == n or mapped[end] == SPACE)
        right = right and all(mapped[k] == ref_seps[k] for k in range(start + 1, end))
        has_zwnj = HALF in ref_seps[start + 1 : end]
        score.words += 1
        score.correct += right
        score.zwnj_words += has_zwnj
        score.zwnj_correct += has_zwnj and right
        if missed is not None and has_zwnj and not right:
            reference_word = _spell(ref_chars[start:end], [NONE] + ref_seps[start + 1 : end])
            output_word = _spell(ref_chars[start:end], [NONE] + mapped[start + 1 : end])
            missed[f"{reference_word} -> {output_word}"] += 1
        # two reference words that the output writes as one
        score.false_joins += start > 0 and mapped[start] != SPACE
        start = end
    return score


def damage(text: str, mode: str, seed: int = 0) -> str:
    """Lose the half-spaces as news does (see `DAMAGES`); `mixed` draws from `seed`."""
    if mode == "deleted":
        return text.replace(ZWNJ, "")
    if mode == "spaced":
        return text.replace(ZWNJ, " ")
    if mode != "mixed":
        raise PersianIEError(f"unknown damage {mode!r}: expected one of {', '.join(MODES)}")
    rng = random.Random(seed)

    def lose(match: re.Match) -> str:
        word = match.group()
        if ZWNJ not in word or rng.random() < 0.5:
            return word
        return word.replace(ZWNJ, "" if rng.random() < 0.5 else " ")

    text = re.sub(r"\S+", lose, text)
    return text.translate(_PERSIAN_KAF_YEH).translate(_TO_LATIN_DIGITS)


def lost_half_spaces(text: str, verbs: Iterable[str] = ()) -> List[str]:
    """The words of `text` that show a lost half-space (the reasons a paragraph is not trusted)."""
    text = text.translate(TRANSLATION)
    verb_set = verbs if isinstance(verbs, (set, frozenset)) else frozenset(verbs)
    signs = [word for word in text.split() if word in BOUND_MORPHEMES]
    signs += [m.group() for m in _GLUED_AFTER_H_RE.finditer(text)]
    for word in re.findall(r"[^\W\d_]+", text):
        match = _VERB_PREFIX_RE.match(word)
        if match and match.group(1) + ZWNJ + match.group(2) in verb_set:
            signs.append(word)
    return signs


def has_half_spaces(text: str) -> bool:
    return re.search(rf"[^\W\d_]{ZWNJ}[^\W\d_]", text) is not None


def trusted_paragraphs(texts: Sequence[str], verbs: Iterable[str]) -> List[str]:
    """The paragraphs whose half-spaces can serve as a reference (see `TRUSTED_FILTER`)."""
    verb_set = frozenset(verbs)
    return [t for t in texts if has_half_spaces(t) and not lost_half_spaces(t, verb_set)]


def held_out_paragraphs(
    authored: Path, splits: Path, raw_dir: Path, split: str = "test"
) -> Tuple[List[str], List[str]]:
    """The correctly written documents of one split: their ids and their raw paragraphs.

    Documents marked "as received" lost their half-spaces already, and the seed article is in
    train; both are left out.
    """
    from ..corpus.build import read_documents

    if not Path(splits).exists():
        raise PersianIEError("splits file not found", str(splits))
    held_out = set(srsly.read_json(splits).get(split, []))
    if not held_out:
        raise PersianIEError(f"no documents in the {split!r} split", str(splits))
    doc_ids, paragraphs = [], []
    for document in read_documents(authored):
        source = document.header.get("source", "")
        if document.doc_id not in held_out or "as received" in source or source.startswith("seed"):
            continue
        raw = (Path(raw_dir) / f"{document.doc_id}.txt").read_text(encoding="utf-8")
        doc_ids.append(document.doc_id)
        paragraphs.extend(paragraph for _, _, paragraph in split_paragraphs(raw))
    return doc_ids, paragraphs


def realdev_texts(path: Path) -> List[str]:
    return [str(record["text"]) for record in srsly.read_jsonl(path)]


def measure_speed(normalize: Callable[[str], str], text: str, repeats: int = 3) -> float:
    """Characters per second, best of `repeats` runs over `text` (after one warm-up run)."""
    normalize(text[:1000])
    best = best_of(lambda: normalize(text), repeats)
    return len(text) / best if best > 0 else float("inf")


def score_set(
    paragraphs: Sequence[str],
    normalize: Callable[[str], str],
    modes: Sequence[str] = MODES,
    keep_missed: int = 0,
) -> Dict[str, Dict[str, object]]:
    """The restoration scores of one normalizer on one set of paragraphs, per damage.

    With `keep_missed`, each damage also lists its most frequent missed half-space words
    (`[reference -> output, count]`), so a reader sees what the recall is lost on.
    """
    results: Dict[str, Dict[str, object]] = {}
    for mode in modes:
        total = RestorationScore()
        missed: Counter = Counter()
        for index, paragraph in enumerate(paragraphs):
            output = normalize(damage(paragraph, mode, seed=index))
            total = total + score_restoration(paragraph, output, missed)
        results[mode] = total.to_dict()
        if keep_missed:
            results[mode]["missed"] = [[word, count] for word, count in missed.most_common(keep_missed)]
    return results


def benchmark(
    sets: Dict[str, Sequence[str]],
    normalizers: Dict[str, Callable[[str], str]],
    modes: Sequence[str] = MODES,
    repeats: int = 3,
    ours: str = "persian_ie",
    keep_missed: int = 40,
) -> Dict[str, object]:
    """Restoration scores per set and damage, and speed, for every normalizer on the same text.

    Speed is measured on every set under every damage, joined into one text. The words `ours`
    missed are kept (`keep_missed` per set and damage).
    """
    speed_text = "\n\n".join(
        damage(p, mode, seed=index) for paragraphs in sets.values() for mode in modes
        for index, p in enumerate(paragraphs)
    )
    results: Dict[str, object] = {
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "damages": {mode: DAMAGES[mode] for mode in modes},
        "speed_characters": len(speed_text),
        "normalizers": {},
    }
    for name, normalize in normalizers.items():
        kept = keep_missed if name == ours else 0
        entry: Dict[str, object] = {set_name: score_set(paragraphs, normalize, modes, kept)
                                    for set_name, paragraphs in sets.items()}
        entry["chars_per_second"] = measure_speed(normalize, speed_text, repeats)
        results["normalizers"][name] = entry
    return results


def check_targets(results: Dict[str, object], ours: str = "persian_ie") -> Dict[str, bool]:
    """The issue's targets, on every set: recall >= 0.97 and ahead of the others under each damage,
    word accuracy >= 0.995 with every half-space deleted or spaced, false joins under 0.2% of words."""
    normalizers = results["normalizers"]
    mine = normalizers[ours]
    targets: Dict[str, bool] = {}
    for set_name in results["sets"]:
        for mode in results["damages"]:
            score = mine[set_name][mode]
            others = [v[set_name][mode]["zwnj_word_recall"] for k, v in normalizers.items() if k != ours]
            targets[f"{set_name}/{mode}/recall>=0.97"] = score["zwnj_word_recall"] >= 0.97
            targets[f"{set_name}/{mode}/recall_ahead"] = all(score["zwnj_word_recall"] > o for o in others)
            targets[f"{set_name}/{mode}/false_joins<0.2%"] = score["false_join_rate"] < 0.002
            if mode in ("deleted", "spaced"):
                targets[f"{set_name}/{mode}/accuracy>=0.995"] = score["word_accuracy"] >= 0.995
    return targets


def markdown_table(results: Dict[str, object], labels: Optional[Dict[str, str]] = None) -> str:
    """The README's tables: one per set, a row per damage and normalizer, the best recall in bold."""
    labels = labels or {}
    normalizers = results["normalizers"]
    lines: List[str] = []
    for set_name, about in results["sets"].items():
        lines += [f"**{about['title']}**: {about['description']}", "",
                  "| damage | normalizer | ZWNJ-word recall | word accuracy | false joins |", "|---|---|---|---|---|"]
        for mode in results["damages"]:
            best = max(entry[set_name][mode]["zwnj_word_recall"] for entry in normalizers.values())
            for name, entry in normalizers.items():
                score = entry[set_name][mode]
                recall = f"{score['zwnj_word_recall']:.3f}"
                if score["zwnj_word_recall"] == best:
                    recall = f"**{recall}**"
                lines.append(
                    f"| {mode} | {labels.get(name, name)} | {recall} | {score['word_accuracy']:.4f} | "
                    f"{score['false_joins']} ({100 * score['false_join_rate']:.2f}%) |"
                )
        lines.append("")
    lines += ["| normalizer | characters per second |", "|---|---|"]
    lines += [f"| {labels.get(name, name)} | {entry['chars_per_second']:,.0f} |" for name, entry in normalizers.items()]
    lines += ["", "Damages: " + "; ".join(f"**{mode}**: {text}" for mode, text in results["damages"].items()) + "."]
    return "\n".join(lines) + "\n"


def _junction(reference: str, output: str) -> Tuple[str, str]:
    """The two parts around the first half-space of `reference` that `output` lost."""
    for index, char in enumerate(reference):
        if char == ZWNJ and (index >= len(output) or output[index] != ZWNJ):
            return reference[:index].rpartition(ZWNJ)[2], reference[index + 1 :].partition(ZWNJ)[0]
    left, _, right = reference.partition(ZWNJ)
    return left.rpartition(ZWNJ)[2], right.partition(ZWNJ)[0]


def explain_missed(results: Dict[str, object], junctions: Dict[Tuple[str, str], Tuple[int, int]],
                   ours: str = "persian_ie") -> Dict[str, object]:
    """The results with each missed word of `ours` given the raw-news evidence of its lost junction,
    and `missed_why`: how many misses there are of each reason, per set and mode.

    A miss is `news does not clearly join` when careful writers join that pair less than JOIN_RATIO
    times as often as they space it (the normalizer then keeps the words apart on purpose), `unseen`
    when the news never shows the pair (names, rare compounds), and `news joins` otherwise: an error
    of the normalizer's own. `results` is left as it was: the benchmark step's output is never edited.
    """
    explained = copy.deepcopy(results)
    summary: Dict[str, Dict[str, int]] = {}
    for set_name, modes in explained["normalizers"][ours].items():
        if not isinstance(modes, dict):
            continue
        for mode, score in modes.items():
            rows, reasons = [], Counter()
            for word, count in score.get("missed", []):
                reference, _, output = word.partition(" -> ")
                left, right = _junction(reference, output)
                joined, spaced = junctions.get((left, right), (0, 0))
                if joined + spaced == 0:
                    reason = "unseen"
                elif joined < JOIN_RATIO * spaced:
                    reason = "news does not clearly join"
                else:
                    reason = "news joins"
                reasons[reason] += count
                rows.append({"reference": reference, "output": output, "count": count,
                             "news_joined": joined, "news_spaced": spaced, "reason": reason})
            if rows:
                score["missed"] = rows
                summary[f"{set_name}/{mode}"] = dict(reasons)
    explained["missed_why"] = summary
    return explained


def missed_table(results: Dict[str, object], set_name: str, mode: str, ours: str = "persian_ie",
                 limit: int = 25) -> str:
    """The words `ours` missed on one set and damage, with the raw news's joined:spaced counts."""
    rows = results["normalizers"][ours][set_name][mode].get("missed", [])[:limit]
    lines = ["| reference | output | times | raw news joined:spaced | why |", "|---|---|---|---|---|"]
    lines += [f"| {r['reference']} | {r['output']} | {r['count']} | {r['news_joined']}:{r['news_spaced']} | "
              f"{r['reason']} |" for r in rows if isinstance(r, dict)]
    return "\n".join(lines) + "\n"
