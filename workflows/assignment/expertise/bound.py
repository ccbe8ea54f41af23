"""Upper bounds on the total similarity from relaxations over risk-set classes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.linear_solver import pywraplp

from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.weights import Weights, similarity

CLASS_MAX = 600  # beyond this many distinct risk sets the class relaxations are skipped


@dataclass
class ClassBounds:
    """Bounds by name (scaled similarity); ``infeasible`` if even the class flow has none."""

    infeasible: bool = False
    values: dict[str, int] = field(default_factory=dict)


def class_bounds(inst: Instance, w: Weights, k: int, no_reciprocal: bool) -> ClassBounds:
    """Class flow bound, plus the class LP with the reciprocity rule when it applies."""
    classes = inst.risk_class
    n_cls = int(classes.max()) + 1 if inst.n else 0
    if n_cls == 0 or n_cls > CLASS_MAX:
        return ClassBounds()
    cnt = np.zeros((n_cls, inst.n_regions), dtype=np.int64)
    np.add.at(cnt, (classes, inst.region), 1)
    cap = _capacities(cnt, classes, inst.region, k)
    rep = np.unique(classes, return_index=True)[1]
    sim = similarity(inst, w, rep[:, None], rep[None, :])
    size = cnt.sum(axis=1)
    by_flow = _solve(size, cap, sim, k)
    if by_flow is None:
        return ClassBounds(infeasible=True)
    result = ClassBounds(values={"risk_class_flow": by_flow})
    if no_reciprocal:
        by_lp = _solve_lp(size, cap, sim, k, _pair_room(cnt))
        if by_lp is not None:
            result.values["risk_class_lp_no_reciprocal"] = by_lp
    return result


def _capacities(cnt: np.ndarray, classes: np.ndarray, region: np.ndarray, k: int) -> np.ndarray:
    size = cnt.sum(axis=1)[:, None]
    n_reg = (cnt > 0).sum(axis=1)[:, None]
    here = cnt[:, region]  # (classes, schools): members of the class in the school's region
    take = np.minimum(np.minimum(k, size - here), n_reg - (here > 0))
    give = np.minimum(k, size - here)
    order = np.argsort(classes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(classes[order]) != 0])  # every class is present
    cap_in = np.add.reduceat(take[:, order], starts, axis=1)  # [s, t]: into class t from class s
    cap_out = np.add.reduceat(give[:, order], starts, axis=1).T  # [s, t]: out of s into t
    return np.minimum(cap_in, cap_out).astype(np.int64)


def _solve(size: np.ndarray, cap: np.ndarray, sim: np.ndarray, k: int) -> int | None:
    m = len(size)
    s, t = np.nonzero(cap > 0)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(s, m + t, cap[s, t], -sim[s, t])
    flow.set_nodes_supplies(np.arange(2 * m), np.r_[k * size, -k * size].astype(np.int64))
    status = flow.solve()
    if status == flow.INFEASIBLE:
        return None
    if status != flow.OPTIMAL:
        raise RuntimeError(f"class bound flow failed: {status}")
    return -int(flow.optimal_cost())


def _pair_room(cnt: np.ndarray) -> np.ndarray:
    """Unordered cross-region school pairs between classes s and t (within s on the diagonal)."""
    size = cnt.sum(axis=1)
    room = np.outer(size, size) - cnt @ cnt.T
    np.fill_diagonal(room, np.diag(room) // 2)
    return room


def _solve_lp(size, cap, sim, k: int, room: np.ndarray) -> int | None:
    """Class LP: flow limits plus x[s,t] + x[t,s] <= room[s,t] (no pair used both ways).

    An LP relaxation, so its optimum bounds the integer problem; totals are integers, so the
    bound is rounded down (after a tolerance for the solver's floating point).
    """
    solver = pywraplp.Solver.CreateSolver("GLOP")
    m = len(size)
    arcs = np.argwhere(cap > 0).tolist()
    x = {(s, t): solver.NumVar(0, float(cap[s, t]), "") for s, t in arcs}
    for s in range(m):
        solver.Add(sum(x[s, t] for t in range(m) if (s, t) in x) == float(k * size[s]))
        solver.Add(sum(x[t, s] for t in range(m) if (t, s) in x) == float(k * size[s]))
    for (s, t), var in x.items():
        if s == t:
            solver.Add(var <= float(room[s, s]))
        elif s < t and (t, s) in x:
            solver.Add(var + x[t, s] <= float(room[s, t]))
    solver.Maximize(sum(float(sim[s, t]) * var for (s, t), var in x.items()))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    value = solver.Objective().Value()
    return math.floor(value + 1e-6 * max(1.0, abs(value)))
