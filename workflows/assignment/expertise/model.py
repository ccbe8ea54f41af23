"""Plain data objects of the mutual-expertise pairing engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

SETTLEMENTS = ("urban", "rural")


class Status(StrEnum):
    """Outcome of a pairing run."""

    OPTIMAL = "optimal"  # proven optimal for the whole lexicographic objective
    FEASIBLE = "feasible"  # valid; see the gap to the proven bound
    INFEASIBLE = "infeasible"  # proven impossible; ``reason`` says why
    NOT_FOUND = "not_found"  # not proven impossible, but no valid pairing was found


@dataclass(frozen=True)
class School:
    """A participating school as read from schools.csv."""

    school_id: str
    region_id: str
    municipality_id: str
    settlement: str
    pupils: int
    risks: frozenset[str]


@dataclass(frozen=True)
class HistoryPair:
    """An earlier review: ``reviewer`` reviewed ``reviewed`` in ``year``."""

    reviewer: str
    reviewed: str
    year: int = 0


@dataclass(frozen=True)
class Review:
    """One assignment: ``reviewer`` reviews the documents of ``reviewed``."""

    reviewed: str
    reviewer: str


@dataclass(frozen=True)
class PairingOptions:
    """Tuning knobs; the defaults are the documented ones."""

    alternates: int = 5
    candidates: int = 16  # partners kept per school when the graph is pruned
    full_graph_max: int = 700  # up to this many schools every valid arc enters the flow
    exact_max_arcs: int = 20_000  # CP-SAT on the whole model when no more valid arcs than this
    cpsat_seconds: float = 5.0  # CP-SAT deterministic-time budget per call
    region_guided: bool = True  # when pruning, try the region-guided candidate arcs first
    seed: int = 0


@dataclass
class PairingResult:
    """What ``pair_schools`` returns."""

    status: Status
    reason: str | None = None
    reviews: list[Review] = field(default_factory=list)
    alternates: dict[str, list[str]] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when ``reviews`` holds a valid pairing."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)
