"""The naive greedy a coordinator would do in Excel, kept only to compare against.

Packages in file order; each goes to the first allowed experts in file order (same municipality
first when the scope allows any) until its works are placed or nobody is left. The same rules
hold (own school, subject and grade, capacity, scope, no-reciprocal, third school), but nothing
is optimised.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.greedy import Candidates, Rules, barred
from workflows.assignment.crosscheck.instance import build_index
from workflows.assignment.crosscheck.model import Expert, Options, Package, Result, Role
from workflows.assignment.crosscheck.plan import Plan
from workflows.assignment.crosscheck.relax import second_demand
from workflows.assignment.crosscheck.report import build_result
from workflows.assignment.crosscheck.stats import Proof


def _first_fit(plan: Plan, cands: Candidates, rules: Rules, p: int, amount: int, role: Role):
    ix = plan.index
    school, bar = int(ix.p_school[p]), barred(plan, rules, p, role)
    for experts in cands.groups(int(ix.p_skill[p]), int(ix.p_muni[p]), rules.scope):
        experts = np.sort(experts)
        schools = ix.e_school[experts]
        room = np.where(schools != school, plan.caps[experts] - plan.load[experts], 0)
        if bar:
            room[np.isin(schools, bar)] = 0
        take = np.minimum(room, np.maximum(amount - (np.cumsum(room) - room), 0))
        for j in np.flatnonzero(take > 0).tolist():
            plan.add(p, int(experts[j]), int(take[j]), role, greedy=True)
        amount -= int(take.sum())
        if amount <= 0:
            return


def solve_naive(packages: list[Package], experts: list[Expert], options: Options) -> Result:
    """First-fit assignment in file order, reported like the engine's (bounds left out)."""
    started = time.perf_counter()
    index = build_index(packages, experts)
    plan, cands = Plan(index, index.e_cap), Candidates(index)
    rules = Rules(scope=options.scope, no_reciprocal=options.no_reciprocal)
    for p in range(len(packages)):
        _first_fit(plan, cands, rules, p, int(index.p_works[p]), Role.PRIMARY)
    if options.second_check > 0:
        need = second_demand(options.second_check, index.p_works, plan.placed(Role.PRIMARY))
        for p in np.flatnonzero(need > 0).tolist():
            _first_fit(plan, cands, rules, p, int(need[p]), Role.SECOND)
    return build_result(plan, rules, options, Proof(-1, None, Fraction(0), "naive"), started)
