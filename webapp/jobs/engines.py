"""The one place the job kinds import the assignment engines.

The engines are moving to ``workflows/assignment/{crosscheck,expertise}/``: change the import
below and nothing else. ``pair_schools`` takes no progress callback yet; once it grows a
``progress`` keyword the pairing job feeds it into the job's bar (see PAIRING_TAKES_PROGRESS).
"""

from __future__ import annotations

import inspect

from workflows.assignment.expertise import HistoryPair, PairingResult, pair_schools
from workflows.assignment.expertise import School as PairingSchool

PAIRING_TAKES_PROGRESS = "progress" in inspect.signature(pair_schools).parameters

__all__ = [
    "PAIRING_TAKES_PROGRESS",
    "HistoryPair",
    "PairingResult",
    "PairingSchool",
    "pair_schools",
]
