"""Timing for the benchmarks: the best of several runs, since the fastest run is the least disturbed."""

import time
from typing import Callable


def best_of(run: Callable[[], object], repeats: int = 3) -> float:
    """The shortest wall-clock time, in seconds, of `repeats` calls of `run`."""
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best
