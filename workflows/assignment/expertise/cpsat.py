"""CP-SAT over a freed part of a pairing: exact on small inputs, a repair step on large ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.weights import Weights, similarity, tie_terms


@dataclass
class SubResult:
    """Outcome of one CP-SAT call."""

    status: str  # "optimal", "feasible", "infeasible" or "unknown"
    reviewer: np.ndarray | None = None
    reviewed: np.ndarray | None = None


def free_arcs_model(
    inst: Instance,
    w: Weights,
    k: int,
    fixed: tuple[np.ndarray, np.ndarray],
    freed: tuple[np.ndarray, np.ndarray],
    seconds: float,
    sim_bound: int | None = None,
) -> SubResult:
    """Re-choose the freed arcs under every hard rule (no reciprocal pairs), lexicographically.

    ``fixed`` stays; the freed arcs are the starting hint. With nothing fixed this is the whole
    model. Similarity, settlement and size are maximised one after another, each stage keeping
    the optimum of the previous one; "optimal" means all three stages were proven. A proven
    ``sim_bound`` on the freed arcs' similarity lets CP-SAT stop as soon as it is reached.
    """
    out_need = np.bincount(freed[0], minlength=inst.n)
    in_need = np.bincount(freed[1], minlength=inst.n)
    us, vs = _variables(inst, fixed, out_need, in_need)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{t}") for t in range(len(us))]
    _degree_constraints(model, x, us, out_need)
    _degree_constraints(model, x, vs, in_need)
    _region_constraints(model, x, inst.region[us] * inst.n + vs)
    _reciprocal_constraints(model, x, us, vs, inst.n)
    same, size = tie_terms(inst, us, vs)
    stages = (similarity(inst, w, us, vs), same, size)
    hint = np.isin(us * inst.n + vs, freed[0] * inst.n + freed[1])
    if sim_bound is not None:
        model.add(sum(int(g) * v for g, v in zip(stages[0].tolist(), x, strict=True)) <= sim_bound)
    return _lexicographic(model, x, stages, hint, us, vs, seconds)


def _lexicographic(model, x, stages, hint: np.ndarray, us, vs, seconds: float) -> SubResult:
    budget = seconds  # deterministic seconds, shared by the stages
    status = "unknown"
    for gains in stages:
        _set_hint(model, x, hint)
        terms = [(int(g), var) for g, var in zip(gains.tolist(), x, strict=True) if g]
        model.maximize(sum(g * var for g, var in terms))
        code, chosen, value, spent = _solve(model, x, max(0.1, budget))
        budget -= spent
        if code == cp_model.INFEASIBLE:
            return SubResult("infeasible")
        if chosen is None:
            break
        hint, status = chosen, "optimal" if code == cp_model.OPTIMAL else "feasible"
        if status != "optimal":
            break
        model.add(sum(g * var for g, var in terms) >= value)
    if status == "unknown":
        return SubResult(status)
    return SubResult(status, us[hint], vs[hint])


def _variables(inst: Instance, fixed, out_need, in_need) -> tuple[np.ndarray, np.ndarray]:
    n = inst.n
    us, vs = np.nonzero(out_need[:, None] * in_need[None, :] > 0)
    ok = inst.region[us] != inst.region[vs]
    fixed_codes = fixed[0] * n + fixed[1]
    ok &= ~np.isin(us * n + vs, fixed_codes) & ~np.isin(us * n + vs, inst.hist_codes)
    ok &= ~np.isin(vs * n + us, fixed_codes)  # the reverse arc is kept: would be reciprocal
    taken = inst.region[fixed[0]].astype(np.int64) * n + fixed[1]  # (region, reviewed) used
    ok &= ~np.isin(inst.region[us].astype(np.int64) * n + vs, taken)
    return us[ok].astype(np.int64), vs[ok].astype(np.int64)


def _degree_constraints(model, x, ends: np.ndarray, need: np.ndarray) -> None:
    for school in np.flatnonzero(need):
        members = np.flatnonzero(ends == school)
        model.add(sum(x[t] for t in members) == int(need[school]))


def _region_constraints(model, x, keys: np.ndarray) -> None:
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    order = np.argsort(inverse, kind="stable")
    groups = np.split(order, np.cumsum(counts)[:-1])
    for group in groups:
        if len(group) > 1:
            model.add_at_most_one(x[t] for t in group)


def _reciprocal_constraints(model, x, us: np.ndarray, vs: np.ndarray, n: int) -> None:
    codes = us * n + vs
    position = {int(c): t for t, c in enumerate(codes)}
    for t in np.flatnonzero(us < vs):
        back = position.get(int(vs[t] * n + us[t]))
        if back is not None:
            model.add_at_most_one([x[t], x[back]])


def _set_hint(model, x, chosen: np.ndarray) -> None:
    model.clear_hints()
    for var, value in zip(x, chosen.tolist(), strict=True):
        model.add_hint(var, value)


def _solve(model, x, seconds: float):
    """One reproducible CP-SAT run: (status, chosen mask or None, objective, time spent)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker + deterministic time: reproducible results
    solver.parameters.max_deterministic_time = seconds
    solver.parameters.max_time_in_seconds = 3 * seconds
    code = solver.solve(model)
    spent = solver.deterministic_time
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, None, 0, spent
    chosen = np.array([solver.boolean_value(v) for v in x], dtype=bool)
    return code, chosen, round(solver.objective_value), spent
