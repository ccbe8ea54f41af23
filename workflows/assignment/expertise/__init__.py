"""Mutual-expertise pairing: which school reviews which, across regions."""

from workflows.assignment.expertise.engine import pair_schools
from workflows.assignment.expertise.model import (
    HistoryPair,
    PairingOptions,
    PairingResult,
    Review,
    School,
    Status,
)
from workflows.assignment.expertise.replacements import rank_replacements

__all__ = [
    "HistoryPair",
    "PairingOptions",
    "PairingResult",
    "Review",
    "School",
    "Status",
    "pair_schools",
    "rank_replacements",
]
