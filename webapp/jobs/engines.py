"""The one place the job kinds import the assignment engines."""

from __future__ import annotations

from workflows.assignment.expertise import HistoryPair, PairingResult, pair_schools
from workflows.assignment.expertise import School as PairingSchool

__all__ = ["HistoryPair", "PairingResult", "PairingSchool", "pair_schools"]
