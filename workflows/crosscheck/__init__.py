"""ВПР cross-check assignment engine: who checks which school's works (no Flask, no database)."""

from workflows.crosscheck.engine import solve
from workflows.crosscheck.model import (
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
