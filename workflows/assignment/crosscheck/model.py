"""Plain data of the ВПР cross-check engine: inputs, options and results."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

VPR_GRADES = frozenset({4, 5, 6, 7, 8, 10, 11})
SCHOOL_GRADES = frozenset(range(1, 12))


class Scope(enum.StrEnum):
    """Where an expert may come from, relative to the package's municipality."""

    ANY = "any"
    SAME_MUNICIPALITY = "same-municipality"
    OTHER_MUNICIPALITY = "other-municipality"


class Role(enum.StrEnum):
    """First check of a work or the second check by a third school."""

    PRIMARY = "primary"
    SECOND = "second"


@dataclass(frozen=True, slots=True)
class Package:
    """The works of one school in one subject and grade."""

    package_id: str
    school_id: str
    municipality_id: str
    subject: str
    grade: int
    works: int


@dataclass(frozen=True, slots=True)
class Expert:
    """A teacher who checks works of the listed subjects and grades, at most ``capacity``."""

    expert_id: str
    school_id: str
    municipality_id: str
    subjects: frozenset[str]
    grades: frozenset[int]
    capacity: int


@dataclass(frozen=True, slots=True)
class Options:
    """Rules chosen by the coordinator."""

    scope: Scope = Scope.ANY
    no_reciprocal: bool = False
    second_check: float = 0.0


@dataclass(frozen=True, slots=True)
class Assignment:
    """``works`` works of a package go to one expert in one role."""

    package_id: str
    expert_id: str
    works: int
    role: Role


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A package part that could not be placed, with the reason in Russian."""

    package_id: str
    works: int
    role: Role
    reason: str


@dataclass
class Result:
    """Assignments, unplaced parts and the summary figures."""

    assignments: list[Assignment]
    unassigned: list[Unassigned]
    summary: dict = field(default_factory=dict)


Progress = Callable[[str, float], None]


def no_progress(stage: str, fraction: float) -> None:
    """Ignore progress reports."""
