"""Same municipality and no reciprocal schools: the pair orientation of every municipality by a MIP.

With scope ``same-municipality`` municipalities are independent: a package only goes to experts
of its own municipality. For first checks under the no-reciprocal rule the only hard choice is
the *orientation* — for every pair of schools {s, t} and subject j that could check each other,
which of the two directions may be used. Per municipality this is a small mixed-integer program:

* ``f[t, k, s] ≥ 0`` — works of school t in skill k (subject and grade) checked by school s ≠ t;
* ``z[k, e] ≥ 0`` — works of skill k given to expert e; ``Σ_t f[t, k, s] = Σ_{e ∈ s} z[k, e]``,
  ``Σ_k z[k, e] ≤ cap_e``, ``Σ_s f[t, k, s] ≤ demand[t, k]``;
* one binary ``o`` per pair and subject where both directions are possible:
  ``f[t, k, s] ≤ U · o`` for the direction "s checks t" and ``f[s, k', t] ≤ U' · (1 − o)`` for
  the other one.

For a fixed orientation the rest is a max flow (integral), so only the orientation binaries are
integer. Maximising ``Σ f`` gives the most first checks of that municipality under the rule; the
solver's dual bound is a proven upper bound even when it stops early, and the sum over
municipalities is the *orientation-aware bound* of first checks (the flow relaxation ignores the
rule). The orientation of the best solution found bars one direction of every such pair, so a
max flow with those bars places that many first checks and can never form a reciprocal pair.

The MIP is solved by SCIP through OR-Tools ``pywraplp``, started from the flow answer (a full
hint, so it never does worse), with a node limit and a limit in *CPU* seconds per municipality
and for all of them (SCIP's clock set to CPU time, so a loaded machine changes little). Where a
limit stops the solver the answer depends on how far it got: the same input gives the same answer
whenever no limit is hit (every test instance), and at region scale only the last, smallest-gap
municipalities are affected. Municipalities are taken largest gap first; those left when the
budget is spent keep the flow answer and the relaxation bound.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from workflows.assignment.crosscheck.instance import Index

NODE_LIMIT = 1000  # branch-and-bound nodes per municipality (deterministic limit)
TIME_LIMIT_S = 4.0  # CPU seconds per municipality (SCIP's clock set to CPU time)
BUDGET_S = 18.0  # CPU seconds for all municipalities: the rest keep their answer and bound
SOLVE_BUDGET_S = 22.0  # and no MIP runs past this many CPU seconds after the solve began
# cutting planes cost more than they save here: the root LP plus branching on the orientation
# solves most municipalities in about a second (measured: 4.9 s instead of 11 s for four)
PARAMETERS = "separating/maxroundsroot = 0\nseparating/maxrounds = 0\ntiming/clocktype = 1\n"


@dataclass
class Orientation:
    """What the MIP of one municipality found."""

    muni: int
    most: int  # proven upper bound on first checks placeable in the municipality
    placed: int  # first checks of the best orientation found
    oriented: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    optimal: bool = False


def expert_skills(index: Index) -> tuple[np.ndarray, np.ndarray]:
    """(expert row, skill) of every expert leaf: who may check which skill."""
    skill = np.searchsorted(index.tree_start, index.leaf_expert_rank, side="right") - 1
    return index.leaf_expert, skill


def solve_municipality(
    index: Index,
    muni: int,
    caps: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
    time_limit: float = TIME_LIMIT_S,
    hint: Hint | None = None,
) -> Orientation | None:
    """The MIP of one municipality at expert capacities ``caps``; None if the solver failed."""
    rows = np.flatnonzero(index.p_muni == muni)
    demand: dict[tuple[int, int], int] = defaultdict(int)
    for school, skill, works in zip(
        index.p_school[rows].tolist(),
        index.p_skill[rows].tolist(),
        index.p_works[rows].tolist(),
        strict=True,
    ):
        if works > 0:
            demand[school, skill] += works
    e_rows, e_skills = pairs
    mine = (index.e_muni[e_rows] == muni) & (caps[e_rows] > 0)
    by_school_skill: dict[tuple[int, int], list[int]] = defaultdict(list)
    for e, k in zip(e_rows[mine].tolist(), e_skills[mine].tolist(), strict=True):
        by_school_skill[int(index.e_school[e]), k].append(e)
    checkers: dict[int, list[int]] = defaultdict(list)
    for s, k in sorted(by_school_skill):
        checkers[k].append(s)
    subject = [s for s, _ in index.skills]

    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:  # pragma: no cover - OR-Tools is always built with SCIP
        return None
    objective = solver.Objective()
    objective.SetMaximization()
    flow: dict[tuple[int, int, int], tuple] = {}
    into: dict[tuple[int, int], list] = defaultdict(list)
    directions: dict[tuple[int, int, int], list] = defaultdict(list)  # (checker, checked, subj)
    keys: dict[tuple[int, int, int], list] = defaultdict(list)  # the same, as flow keys
    total = 0
    for (t, k), d in sorted(demand.items()):
        total += d
        out = solver.Constraint(0, d)
        for s in checkers.get(k, ()):
            if s == t:
                continue
            room = int(sum(int(caps[e]) for e in by_school_skill[s, k]))
            bound = min(d, room)
            var = solver.NumVar(0, bound, "")
            objective.SetCoefficient(var, 1)
            out.SetCoefficient(var, 1)
            flow[t, k, s] = (var, bound)
            into[s, k].append(var)
            directions[s, t, subject[k]].append((var, bound))
            keys[s, t, subject[k]].append((t, k, s))
    if not flow:
        return Orientation(muni, 0, 0)
    load: dict[int, object] = {}
    zs: dict[tuple[int, int], object] = {}
    for (s, k), experts in sorted(by_school_skill.items()):
        balance = solver.Constraint(0, 0)
        for var in into.get((s, k), ()):
            balance.SetCoefficient(var, 1)
        for e in experts:
            z = solver.NumVar(0, int(caps[e]), "")
            zs[k, e] = z
            balance.SetCoefficient(z, -1)
            if e not in load:
                load[e] = solver.Constraint(0, int(caps[e]))
            load[e].SetCoefficient(z, 1)
    binaries = []
    for (s, t, j), there in sorted(directions.items(), key=lambda x: x[0]):
        back = directions.get((t, s, j))
        if back is None or s > t:
            continue
        o = solver.BoolVar("")  # 1: s checks t, 0: t checks s
        binaries.append((s, t, j, o))
        for var, bound in there:
            ct = solver.Constraint(-solver.infinity(), 0)
            ct.SetCoefficient(var, 1)
            ct.SetCoefficient(o, -bound)
        for var, bound in back:
            ct = solver.Constraint(-solver.infinity(), bound)
            ct.SetCoefficient(var, 1)
            ct.SetCoefficient(o, bound)
    if hint is not None:
        _set_hint(solver, hint, flow, zs, binaries, keys)
    solver.SetSolverSpecificParametersAsString(f"limits/nodes = {NODE_LIMIT}\n{PARAMETERS}")
    solver.SetTimeLimit(max(int(time_limit * 1000), 1))
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    most = min(total, math.floor(objective.BestBound() + 1e-6))
    placed = math.floor(objective.Value() + 1e-6)
    oriented: dict[tuple[int, int], set[int]] = {}
    for s, t, j, o in binaries:
        if o.solution_value() > 0.5:  # t may not check s
            oriented.setdefault((s, j), set()).add(t)
        else:
            oriented.setdefault((t, j), set()).add(s)
    return Orientation(muni, most, placed, oriented, status == pywraplp.Solver.OPTIMAL)


@dataclass
class Hint:
    """A feasible answer to start from: works per (checked school, skill, checker school) and per
    (skill, expert)."""

    flow: dict[tuple[int, int, int], int]
    expert: dict[tuple[int, int], int]


def hint_of(index: Index, pieces: list) -> Hint:
    """The hint of first-check ``pieces`` (package row, expert row, works, role)."""
    flow: dict[tuple[int, int, int], int] = defaultdict(int)
    expert: dict[tuple[int, int], int] = defaultdict(int)
    for p, e, works, _ in pieces:
        k = int(index.p_skill[p])
        flow[int(index.p_school[p]), k, int(index.e_school[e])] += works
        expert[k, e] += works
    return Hint(flow, expert)


def _set_hint(solver, hint: Hint, flow: dict, zs: dict, binaries: list, keys: dict) -> None:
    """Start SCIP from the hint: every variable gets a value, so it is a full solution."""
    variables, values = [], []
    for key, (var, _) in flow.items():
        variables.append(var)
        values.append(float(hint.flow.get(key, 0)))
    for key, var in zs.items():
        variables.append(var)
        values.append(float(hint.expert.get(key, 0)))
    for s, t, j, o in binaries:
        there = sum(hint.flow.get(key, 0) for key in keys.get((s, t, j), ()))
        variables.append(o)
        values.append(1.0 if there > 0 else 0.0)
    solver.SetHint(variables, values)


def by_municipality(
    index: Index,
    caps: np.ndarray,
    gaps: np.ndarray,
    hint: Hint | None = None,
    deadline: float | None = None,
) -> dict[int, Orientation]:
    """MIPs of the municipalities whose answer falls short (``gaps`` > 0), largest gap first,
    until :data:`BUDGET_S` seconds of CPU time are spent or ``time.process_time()`` reaches
    ``deadline``. ``hint`` (the current answer) is the starting point."""
    started = time.process_time()
    if deadline is None:
        deadline = started + BUDGET_S
    pairs = expert_skills(index)
    out: dict[int, Orientation] = {}
    for m in sorted(np.flatnonzero(gaps > 0).tolist(), key=lambda m: (-int(gaps[m]), m)):
        now = time.process_time()
        left = min(BUDGET_S - (now - started), deadline - now)
        if left <= 0:
            break
        answer = solve_municipality(index, m, caps, pairs, min(TIME_LIMIT_S, left), hint)
        if answer is not None:
            out[m] = answer
    return out
