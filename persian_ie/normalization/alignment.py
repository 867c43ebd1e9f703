"""Character alignment between a raw text and its normalized form.

Every normalized character records the raw span it came from: a character copied or substituted
one for one maps to one raw character, a character produced by a block replacement (`...` -> `…`)
maps to the whole raw block, and an inserted character (a restored half-space) maps to the empty
span at its insertion point. Deleted raw characters (kashida, diacritics, doubled spaces) have no
normalized character. Both arrays are non-decreasing, so spans map both ways by binary search.
"""

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np

# (start, end, replacement) in the coordinates of the text being edited; sorted, non-overlapping
Edit = Tuple[int, int, str]

INDEX = np.int64


@dataclass(frozen=True)
class Alignment:
    """The raw text, its normalized form, and the raw span of every normalized character."""

    raw: str
    text: str
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def identity(cls, raw: str) -> "Alignment":
        positions = np.arange(len(raw), dtype=INDEX)
        return cls(raw, raw, positions, positions + 1)

    def to_raw(self, start: int, end: int) -> Tuple[int, int]:
        """Map a normalized span [start, end) to its raw span."""
        n = len(self.text)
        if not 0 <= start <= end <= n:
            raise ValueError(f"span ({start}, {end}) is outside the normalized text (0, {n})")
        if end > start:
            return int(self.starts[start]), int(self.ends[end - 1])
        point = self._raw_point(start)
        return point, point

    def _raw_point(self, position: int) -> int:
        if position < len(self.text):
            return int(self.starts[position])
        return int(self.ends[-1]) if len(self.text) else 0

    def to_normalized(self, start: int, end: int) -> Tuple[int, int]:
        """Map a raw span [start, end) to the normalized span of the characters it produced."""
        n = len(self.raw)
        if not 0 <= start <= end <= n:
            raise ValueError(f"span ({start}, {end}) is outside the raw text (0, {n})")
        norm_start = int(np.searchsorted(self.ends, start, side="right"))
        norm_end = int(np.searchsorted(self.starts, end, side="left"))
        return norm_start, max(norm_start, norm_end)

    def apply(self, edits: Sequence[Edit]) -> "Alignment":
        """A new alignment for the normalized text with `edits` applied to it.

        The new text is a run of blocks, each a copy of old characters or a replacement; the raw
        spans of every character are gathered in one vectorized step, as a pass may make thousands
        of edits.
        """
        if not edits:
            return self
        if all(end - start == 1 and len(replacement) == 1 for start, end, replacement in edits):
            # one-for-one substitutions: every character keeps its raw span, only the text changes
            pieces: List[str] = []
            position = 0
            for start, _, replacement in sorted(edits):
                pieces.append(self.text[position:start])
                pieces.append(replacement)
                position = start + 1
            pieces.append(self.text[position:])
            return Alignment(self.raw, "".join(pieces), self.starts, self.ends)
        text, starts, ends = self.text, self.starts, self.ends
        n = len(text)
        pieces: List[str] = []
        # per block: where its raw spans come from (an old index, or a replacement's own entry),
        # its length, and whether it copies (step 1) or repeats one span (step 0)
        sources: List[int] = []
        lengths: List[int] = []
        steps: List[int] = []
        replaced_starts: List[int] = []
        replaced_ends: List[int] = []
        position = 0
        for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
            if start < position or end < start:
                raise ValueError(f"edits overlap or are unsorted at {start}")
            if start > position:
                pieces.append(text[position:start])
                sources.append(position)
                lengths.append(start - position)
                steps.append(1)
            if replacement:
                if end > start:
                    raw_start, raw_end = int(starts[start]), int(ends[end - 1])
                elif 0 < start < n and starts[start - 1] == starts[start] and ends[start - 1] == ends[start]:
                    # inserted inside one raw block's expansion (`ﷲا` -> `الل‌ها`): it maps to that block
                    raw_start, raw_end = int(starts[start]), int(ends[start])
                else:
                    raw_start = raw_end = int(ends[start - 1]) if start > 0 else self._raw_point(0)
                pieces.append(replacement)
                sources.append(n + len(replaced_starts))
                lengths.append(len(replacement))
                steps.append(0)
                replaced_starts.append(raw_start)
                replaced_ends.append(raw_end)
            position = end
        if position < n:
            pieces.append(text[position:])
            sources.append(position)
            lengths.append(n - position)
            steps.append(1)
        all_starts = np.concatenate([starts, np.asarray(replaced_starts, dtype=INDEX)])
        all_ends = np.concatenate([ends, np.asarray(replaced_ends, dtype=INDEX)])
        block_lengths = np.asarray(lengths, dtype=INDEX)
        block_offsets = np.cumsum(block_lengths) - block_lengths
        total = int(block_lengths.sum())
        within = np.arange(total, dtype=INDEX) - np.repeat(block_offsets, block_lengths)
        index = np.repeat(np.asarray(sources, dtype=INDEX), block_lengths) + within * np.repeat(
            np.asarray(steps, dtype=INDEX), block_lengths
        )
        return Alignment(self.raw, "".join(pieces), all_starts[index], all_ends[index])

    def to_dict(self) -> Dict[str, object]:
        """A compact, msgpack- and JSON-friendly form: only the characters that are not copies."""
        offsets = self.starts - np.arange(len(self.text), dtype=INDEX)
        widths = self.ends - self.starts
        changed = np.flatnonzero((widths != 1) | (np.diff(offsets, prepend=0) != 0))
        return {
            "raw": self.raw,
            "text": self.text,
            "points": changed.tolist(),
            "starts": self.starts[changed].tolist(),
            "ends": self.ends[changed].tolist(),
        }

    @classmethod
    def from_dict(cls, data: Dict[str, object]) -> "Alignment":
        """Rebuild an alignment from `to_dict`: copies run on from the last recorded character."""
        text = str(data["text"])
        n = len(text)
        points = np.asarray(data["points"], dtype=INDEX)
        starts = np.arange(n, dtype=INDEX)
        ends = starts + 1
        if n:
            recorded_starts = np.asarray(data["starts"], dtype=INDEX)
            recorded_ends = np.asarray(data["ends"], dtype=INDEX)
            # each character takes the offset of the last recorded point at or before it
            anchor = np.searchsorted(points, np.arange(n), side="right") - 1
            has_anchor = anchor >= 0
            safe = np.where(has_anchor, anchor, 0)
            delta = np.where(has_anchor, recorded_starts[safe] - points[safe], 0) if len(points) else 0
            starts = starts + delta
            ends = starts + 1
            if len(points):
                starts[points] = recorded_starts
                ends[points] = recorded_ends
        return cls(str(data["raw"]), text, starts, ends)
