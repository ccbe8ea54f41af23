"""Wall-clock timing of the engine's steps."""

from __future__ import annotations

import time
from collections.abc import Callable

# How far the pairing is when a step closes (measured shares of the time at 3,000–10,000 schools).
PROGRESS_AFTER = {
    "input_and_prechecks": 0.05,
    "class_bounds": 0.1,
    "region_class_flow": 0.2,
    "candidate_scan": 0.35,
    "min_cost_flow": 0.7,
    "reciprocity": 0.8,
    "alternates": 0.98,
}


class Laps:
    """Wall-clock seconds per named step; reports ``progress(step, fraction)`` as steps close."""

    def __init__(self, progress: Callable[[str, float], None] | None = None) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}
        self.progress = progress
        self.reached = 0.0

    def lap(self, name: str) -> None:
        """Close the step ``name`` (added to if it repeats)."""
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self.last, 3)
        self.last = now
        fraction = PROGRESS_AFTER.get(name, self.reached)
        if self.progress is not None and fraction > self.reached:
            self.reached = fraction
            self.progress(name, fraction)

    def total(self) -> float:
        """Seconds since the start."""
        return round(time.perf_counter() - self.started, 3)
