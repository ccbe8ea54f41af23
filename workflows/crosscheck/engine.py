"""The public entry point: :func:`solve` packages and experts into assignments."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from workflows.crosscheck.bounds import caps_at, min_ratio
from workflows.crosscheck.flow import MaxFlow
from workflows.crosscheck.greedy import Candidates, Rules
from workflows.crosscheck.instance import Index, build_index
from workflows.crosscheck.model import Expert, Options, Package, Progress, Result, Role, no_progress
from workflows.crosscheck.network import build_network
from workflows.crosscheck.place import items_for, place_role, untangle
from workflows.crosscheck.plan import Plan
from workflows.crosscheck.refine import exact_stage
from workflows.crosscheck.relax import Bounds, lower_ratio, relax, second_demand
from workflows.crosscheck.report import build_result
from workflows.crosscheck.stats import max_ratio
from workflows.crosscheck.validate import check_input

SEARCH_STEPS = 6


def _place(
    index: Index, cands: Candidates, options: Options, ratio: Fraction, target: int, untangled: bool
):
    plan = Plan(index, caps_at(ratio, index.e_cap, np.zeros_like(index.e_cap)))
    rules = Rules(scope=options.scope, no_reciprocal=options.no_reciprocal and not untangled)
    place_role(plan, cands, rules, index.p_works, Role.PRIMARY, target)
    if untangled:
        rules.no_reciprocal = True
        untangle(plan, rules, Role.PRIMARY)
        place_role(plan, cands, rules, index.p_works, Role.PRIMARY, target)
    return plan, rules


def _attempt(index: Index, cands: Candidates, options: Options, ratio: Fraction, target: int):
    """First checks at ``ratio``; under no-reciprocal the better of two strategies.

    Either place freely and then drop the smaller side of every reciprocal pair and re-place it,
    or respect the rule from the first work on.
    """
    first = _place(index, cands, options, ratio, target, untangled=options.no_reciprocal)
    if not options.no_reciprocal or first[0].placed(Role.PRIMARY).sum() >= target:
        return first
    second = _place(index, cands, options, ratio, target, untangled=False)
    done = [int(x[0].placed(Role.PRIMARY).sum()) for x in (first, second)]
    return first if done[0] >= done[1] else second


def _primary(index: Index, cands: Candidates, options: Options, ratio: Fraction, target: int):
    """Place first checks at ``ratio``; under no-reciprocal raise the ratio if that places more."""
    best = _attempt(index, cands, options, ratio, target)
    done = int(best[0].placed(Role.PRIMARY).sum())
    if done >= target or not options.no_reciprocal:
        return best
    full = _attempt(index, cands, options, Fraction(1), target)
    most = int(full[0].placed(Role.PRIMARY).sum())
    if most <= done:
        return best
    lo, hi, best = ratio, Fraction(1), full
    for _ in range(SEARCH_STEPS):
        mid = Fraction((lo + hi) / 2).limit_denominator(10**6)
        attempt = _attempt(index, cands, options, mid, target)
        if attempt[0].placed(Role.PRIMARY).sum() >= most:
            best, hi = attempt, mid
        else:
            lo = mid
    return best


def _second(plan: Plan, cands: Candidates, rules: Rules, options: Options) -> None:
    """Place second checks; if greedy falls short, find the exact maximum and its ratio."""
    ix = plan.index
    demand = second_demand(options.second_check, ix.p_works, plan.placed(Role.PRIMARY))
    primary, first_load = plan.snapshot(), plan.load.copy()
    place_role(plan, cands, rules, demand, Role.SECOND, None)
    first_try, done = plan.snapshot(), int(plan.placed(Role.SECOND).sum())
    if done >= demand.sum():
        return
    plan.restore(primary)
    items = items_for(plan, rules, demand, Role.SECOND)
    room = np.maximum(ix.e_cap - first_load, 0)
    flow = MaxFlow(build_network(ix, items, room, options.scope))
    most = flow.solve()
    ratio, _ = min_ratio(flow, items.amount, ix.e_cap, first_load, most)
    plan.caps = np.maximum(caps_at(ratio, ix.e_cap, np.zeros_like(ix.e_cap)), first_load)
    place_role(plan, cands, rules, demand, Role.SECOND, most)
    if plan.placed(Role.SECOND).sum() < done:
        plan.restore(first_try)


def _construct(index: Index, cands: Candidates, options: Options, bounds: Bounds, ratio: Fraction):
    plan, rules = _primary(index, cands, options, ratio, bounds.primary_max)
    if options.second_check > 0:
        _second(plan, cands, rules, options)
    return plan, rules


def _placed(plan: Plan) -> tuple[int, int]:
    return int(plan.placed(Role.PRIMARY).sum()), int(plan.placed(Role.SECOND).sum())


def _key(plan: Plan) -> tuple:
    return (*_placed(plan), -max_ratio(plan))


def _improve(index, cands, options: Options, bounds: Bounds, plan: Plan, rules: Rules, ratio):
    """With second checks, retry at full capacity if seconds fell short, then at the bound."""
    if options.second_check == 0:
        return plan, rules
    best = (plan, rules)
    extra = second_demand(options.second_check, index.p_works, index.p_works)
    upper = min(bounds.merged.max, bounds.primary_max + int(extra.sum()))
    if sum(_placed(plan)) < upper and ratio < 1:
        other = _construct(index, cands, options, bounds, Fraction(1))
        best = max(best, other, key=lambda x: _key(x[0]))
    primary, second = _placed(best[0])
    proven = lower_ratio(bounds, primary, second)
    if max_ratio(best[0]) > proven:
        other = _construct(index, cands, options, bounds, proven)
        best = max(best, other, key=lambda x: _key(x[0]))
    return best


def solve(
    packages: list[Package],
    experts: list[Expert],
    options: Options | None = None,
    progress: Progress | None = None,
) -> Result:
    """Assign every package's works to experts of other schools, optimally where proven."""
    started = time.perf_counter()
    options = options or Options()
    report = progress or no_progress
    check_input(packages, experts, options)
    index = build_index(packages, experts)
    cands = Candidates(index)
    report("bounds", 0.0)
    bounds = relax(index, options, report)
    ratio = bounds.primary_ratio
    if bounds.merged is not None:
        extra = second_demand(options.second_check, index.p_works, index.p_works)
        total = bounds.primary_max + int(extra.sum())
        ratio = max(ratio, bounds.merged.ratio(min(total, bounds.merged.max)))
    report("assign", 0.4)
    plan, rules = _construct(index, cands, options, bounds, ratio)
    report("improve", 0.8)
    plan, rules = _improve(index, cands, options, bounds, plan, rules, ratio)
    report("exact", 0.85)
    plan, proof = exact_stage(index, rules, options, bounds, plan)
    report("report", 0.9)
    result = build_result(plan, rules, options, proof, started)
    report("done", 1.0)
    return result
