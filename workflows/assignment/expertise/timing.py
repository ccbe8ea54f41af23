"""Wall-clock timing of the engine's steps."""

from __future__ import annotations

import time


class Laps:
    """Wall-clock seconds per named step."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        """Close the step ``name`` (added to if it repeats)."""
        now = time.perf_counter()
        self.laps[name] = round(self.laps.get(name, 0.0) + now - self.last, 3)
        self.last = now

    def total(self) -> float:
        """Seconds since the start."""
        return round(time.perf_counter() - self.started, 3)
