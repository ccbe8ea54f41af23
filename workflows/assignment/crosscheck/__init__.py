"""ВПР cross-check assignment engine: who checks which school's works (no Flask, no database)."""

from workflows.assignment.crosscheck.engine import solve
from workflows.assignment.crosscheck.model import (
    VPR_GRADES,
    Assignment,
    Expert,
    Options,
    Package,
    Result,
    Role,
    Scope,
    Unassigned,
)

__all__ = [
    "VPR_GRADES",
    "Assignment",
    "Expert",
    "Options",
    "Package",
    "Result",
    "Role",
    "Scope",
    "Unassigned",
    "solve",
]
