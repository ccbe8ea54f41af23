"""Small builders shared by the expertise tests (public engine API only)."""

from __future__ import annotations

import random

from tests.workflows.assignment.expertise.checker import Problem
from workflows.assignment.expertise import HistoryPair, School


def to_schools(problem: Problem) -> list[School]:
    """Engine input from a checker problem."""
    return [
        School(
            sid,
            s["region"],
            f"m-{s['region']}",
            s["settlement"],
            s["pupils"],
            frozenset(s["risks"]),
        )
        for sid, s in problem.schools.items()
    ]


def to_history(problem: Problem) -> list[HistoryPair]:
    """Engine history from a checker problem."""
    return [HistoryPair(r, v, 2025) for r, v in sorted(problem.history)]


def review_tuples(result) -> list[tuple[str, str]]:
    """(reviewed, reviewer) pairs of a pairing result."""
    return [(r.reviewed, r.reviewer) for r in result.reviews]


def alternate_rows(result) -> dict[str, list[tuple[int, str]]]:
    """alternates.csv-shaped rows of a pairing result."""
    return {v: list(enumerate(cs, start=1)) for v, cs in result.alternates.items()}


def problem_of(rows, k=2, no_reciprocal=False, history=()) -> Problem:
    """Problem from (id, region, settlement, pupils, 'a;b;c') tuples."""
    schools = {
        sid: {"region": reg, "settlement": st, "pupils": pupils, "risks": set(risks.split(";"))}
        for sid, reg, st, pupils, risks in rows
    }
    return Problem(schools, set(history), k, no_reciprocal)


def random_problem(n, regions, k, no_reciprocal, seed, history_per_school=0) -> Problem:
    """Seeded random instance: regions round-robin, three risks from ten, random history."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        risks = ";".join(rng.sample("abcdefghij", 3))
        settlement = rng.choice(["urban", "rural"])
        rows.append((f"s{i}", f"r{i % regions}", settlement, rng.randint(20, 2000), risks))
    ids = [r[0] for r in rows]
    history = set()
    for i, sid in enumerate(ids):
        for other in rng.sample(ids, history_per_school):
            if int(other[1:]) % regions != i % regions:
                history.add((sid, other))
    return problem_of(rows, k, no_reciprocal, history)
