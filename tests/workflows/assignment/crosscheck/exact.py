"""An exact lexicographic optimum by CP-SAT, written from the rules, not from the engine.

Objectives in order: most first-check works, then most second-check works, then the smallest
largest load ratio (as an integer ``z`` over the common multiple ``L`` of the capacities).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from ortools.sat.python import cp_model

from tests.workflows.assignment.crosscheck.checker import eligible, second_need


@dataclass
class Exact:
    """The optimum of each objective, in order."""

    primary: int
    second: int
    ratio: Fraction


class _Model:
    def __init__(self, packages: list, experts: list, options) -> None:
        self.m = cp_model.CpModel()
        self.packages, self.experts, self.options = packages, experts, options
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.s: dict[tuple[int, int], cp_model.IntVar] = {}
        for i, p in enumerate(packages):
            for j, e in enumerate(experts):
                if eligible(p, e, options.scope) and e.capacity > 0 and p.works > 0:
                    self.x[i, j] = self.m.new_int_var(0, min(p.works, e.capacity), f"x{i}_{j}")
                    if options.second_check > 0:
                        self.s[i, j] = self.m.new_int_var(0, e.capacity, f"s{i}_{j}")
        self._limits()
        self._third_school()
        if options.no_reciprocal:
            self._no_reciprocal()

    def _limits(self) -> None:
        for i, p in enumerate(self.packages):
            self.m.add(sum(v for (a, _), v in self.x.items() if a == i) <= p.works)
            if self.s:
                mine = [v for (a, _), v in self.s.items() if a == i]
                first = [v for (a, _), v in self.x.items() if a == i]
                self.m.add(sum(mine) <= second_need(self.options.second_check, p.works))
                self.m.add(sum(mine) <= sum(first))
        for j, e in enumerate(self.experts):
            load = [v for (_, b), v in [*self.x.items(), *self.s.items()] if b == j]
            self.m.add(sum(load) <= e.capacity)

    def _third_school(self) -> None:
        for i, p in enumerate(self.packages):
            by_school = defaultdict(list)
            for (a, b), v in self.x.items():
                if a == i:
                    by_school[self.experts[b].school_id].append((v, self.s.get((a, b))))
            for pairs in by_school.values():
                if self.s:
                    first = self.m.new_bool_var("")
                    self.m.add(sum(v for v, _ in pairs) <= p.works * first)
                    self.m.add(sum(w for _, w in pairs) <= p.works * (1 - first))

    def _no_reciprocal(self) -> None:
        flows = defaultdict(list)
        for (i, j), v in [*self.x.items(), *self.s.items()]:
            p, e = self.packages[i], self.experts[j]
            flows[(e.school_id, p.school_id, p.subject)].append(v)
        used = {key: self.m.new_bool_var("") for key in flows}
        for key, vs in flows.items():
            self.m.add(sum(vs) <= 1000 * used[key])
            back = (key[1], key[0], key[2])
            if back in used:
                self.m.add(used[key] + used[back] <= 1)

    def best(self, expr) -> int:
        self.m.maximize(expr)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 60
        status = solver.solve(self.m)
        assert status == cp_model.OPTIMAL, solver.status_name(status)
        value = round(solver.objective_value)
        self.m.clear_objective()
        self.m.add(expr == value)
        return value


def exact_optimum(packages: list, experts: list, options) -> Exact:
    """Solve the instance exactly (small instances only)."""
    model = _Model(packages, experts, options)
    primary = model.best(sum(model.x.values()))
    second = model.best(sum(model.s.values())) if model.s else 0
    caps = [e.capacity for e in experts if e.capacity > 0]
    if not caps:
        return Exact(primary, second, Fraction(0))
    common = math.lcm(*caps)
    z = model.m.new_int_var(0, common, "z")
    for j, e in enumerate(experts):
        load = [v for (_, b), v in [*model.x.items(), *model.s.items()] if b == j]
        if e.capacity > 0 and load:
            model.m.add(sum(load) * common <= z * e.capacity)
    return Exact(primary, second, Fraction(-model.best(-z), common))
