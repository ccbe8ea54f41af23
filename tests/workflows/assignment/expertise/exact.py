"""An exact optimum written independently of the engine: a CP-SAT model over all pairs."""

from __future__ import annotations

import math
from fractions import Fraction

from ortools.sat.python import cp_model

from tests.workflows.assignment.expertise.checker import Problem, same_settlement, similarity


def exact_optimum(problem: Problem) -> tuple[Fraction, int] | None:
    """(max total Jaccard, then max settlement matches) over all valid pairings, or None."""
    ids = sorted(problem.schools)
    region = {sid: problem.schools[sid]["region"] for sid in ids}
    pairs = [
        (r, v) for r in ids for v in ids if region[r] != region[v] and (r, v) not in problem.history
    ]
    sims = {p: similarity(problem, *p) for p in pairs}
    scale = math.lcm(*(s.denominator for s in sims.values())) if sims else 1
    model, x = _model(problem, ids, region, pairs)
    best_sim = _maximise(model, x, {p: int(sims[p] * scale) for p in pairs})
    if best_sim is None:
        return None
    model.add(sum(int(sims[p] * scale) * x[p] for p in pairs) == best_sim)
    matches = _maximise(model, x, {p: int(same_settlement(problem, *p)) for p in pairs})
    return Fraction(best_sim, scale), matches


def _model(problem: Problem, ids, region, pairs):
    model = cp_model.CpModel()
    x = {p: model.new_bool_var(f"{p}") for p in pairs}
    for sid in ids:
        model.add(sum(x[p] for p in pairs if p[0] == sid) == problem.k)
        model.add(sum(x[p] for p in pairs if p[1] == sid) == problem.k)
        for reg in set(region.values()):
            from_reg = [x[p] for p in pairs if p[1] == sid and region[p[0]] == reg]
            model.add(sum(from_reg) <= 1)
    if problem.no_reciprocal:
        for r, v in pairs:
            if r < v and (v, r) in x:
                model.add(x[r, v] + x[v, r] <= 1)
    return model, x


def _maximise(model, x, gains) -> int | None:
    model.maximize(sum(g * x[p] for p, g in gains.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL, solver.status_name(status)
    return round(solver.objective_value)
