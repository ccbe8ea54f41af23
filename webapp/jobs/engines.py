"""The one place the job kinds import the assignment engines."""

from __future__ import annotations

from workflows.assignment.crosscheck import Expert as CrossCheckExpertIn
from workflows.assignment.crosscheck import Options as CrossCheckOptions
from workflows.assignment.crosscheck import Package as CrossCheckPackage
from workflows.assignment.crosscheck import Scope as CrossCheckScope
from workflows.assignment.crosscheck import Unassigned as CrossCheckUnassigned
from workflows.assignment.crosscheck import solve as solve_crosscheck
from workflows.assignment.expertise import HistoryPair, PairingResult, pair_schools
from workflows.assignment.expertise import School as PairingSchool

__all__ = [
    "CrossCheckExpertIn",
    "CrossCheckOptions",
    "CrossCheckPackage",
    "CrossCheckScope",
    "CrossCheckUnassigned",
    "HistoryPair",
    "PairingResult",
    "PairingSchool",
    "pair_schools",
    "solve_crosscheck",
]
