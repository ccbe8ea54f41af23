"""CP-SAT over a freed part of a pairing: exact on small inputs, a repair step on large ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from workflows.expertise.instance import Instance
from workflows.expertise.weights import SIZE_MAX, Weights, similarity, tie_terms


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
) -> SubResult:
    """Re-choose the freed arcs under every hard rule (no reciprocal pairs), maximising weight.

    ``fixed`` stays; the freed arcs are only a hint. With nothing fixed this is the whole model.
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
    weights = _weights(inst, w, us, vs, len(freed[0]))
    model.maximize(sum(int(c) * v for c, v in zip(weights, x, strict=True)))
    _hint(model, x, us * inst.n + vs, freed[0] * inst.n + freed[1])
    return _solve(model, x, us, vs, seconds)


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


def _weights(inst: Instance, w: Weights, us: np.ndarray, vs: np.ndarray, arcs: int) -> np.ndarray:
    """Lexicographic weights scaled to the ``arcs`` re-chosen arcs (fixed arcs are constants)."""
    m2 = arcs * SIZE_MAX + 1
    m1 = arcs * (m2 + SIZE_MAX) + 1
    same, size = tie_terms(inst, us, vs)
    return similarity(inst, w, us, vs) * m1 + same * m2 + size


def _hint(model, x, codes: np.ndarray, hinted: np.ndarray) -> None:
    chosen = np.isin(codes, hinted)
    for t, value in enumerate(chosen.tolist()):
        model.add_hint(x[t], value)


def _solve(model, x, us, vs, seconds: float) -> SubResult:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    code = solver.solve(model)
    names = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible"}
    if code == cp_model.INFEASIBLE:
        return SubResult("infeasible")
    if code not in names:
        return SubResult("unknown")
    chosen = np.array([solver.boolean_value(v) for v in x], dtype=bool)
    return SubResult(names[code], us[chosen], vs[chosen])
