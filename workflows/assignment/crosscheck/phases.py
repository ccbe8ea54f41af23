"""The two construction phases: first checks, then second checks."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.bounds import caps_at, min_ratio
from workflows.assignment.crosscheck.flow import MaxFlow
from workflows.assignment.crosscheck.greedy import Candidates, Rules
from workflows.assignment.crosscheck.instance import Index
from workflows.assignment.crosscheck.model import Options, Role
from workflows.assignment.crosscheck.network import build_network
from workflows.assignment.crosscheck.place import items_for, place_role, untangle
from workflows.assignment.crosscheck.plan import Plan
from workflows.assignment.crosscheck.relax import Bounds, second_demand

SEARCH_STEPS = 6


@dataclass
class Context:
    """What every phase needs: the instance, candidate lists, options and proven bounds."""

    index: Index
    cands: Candidates
    options: Options
    bounds: Bounds
    cpu_started: float = 0.0  # time.process_time() when the solve began

    def rules(self, no_reciprocal: bool) -> Rules:
        """Fresh rules with the bottleneck packages of the ratio bound marked."""
        tight, spread = self.bounds.bottleneck.copy(), self.options.second_check > 0
        return Rules(self.options.scope, no_reciprocal, tight=tight, best_fit=not spread)


def _placed(plan: Plan) -> int:
    return int(plan.placed(Role.PRIMARY).sum())


def _place(ctx: Context, ratio: Fraction, untangled: bool) -> tuple[Plan, Rules]:
    ix, target = ctx.index, ctx.bounds.primary_max
    plan = Plan(ix, caps_at(ratio, ix.e_cap, np.zeros_like(ix.e_cap)))
    rules = ctx.rules(ctx.options.no_reciprocal and not untangled)
    place_role(plan, ctx.cands, rules, ix.p_works, Role.PRIMARY, target)
    if untangled:
        rules.no_reciprocal = True
        untangle(plan, rules, Role.PRIMARY)
        place_role(plan, ctx.cands, rules, ix.p_works, Role.PRIMARY, target)
    return plan, rules


def _attempt(ctx: Context, ratio: Fraction) -> tuple[Plan, Rules]:
    """First checks at ``ratio``; under no-reciprocal the better of two strategies.

    Either place freely, then drop the smaller side of every reciprocal pair and re-place it,
    or respect the rule from the first work on.
    """
    first = _place(ctx, ratio, untangled=ctx.options.no_reciprocal)
    if not ctx.options.no_reciprocal or _placed(first[0]) >= ctx.bounds.primary_max:
        return first
    second = _place(ctx, ratio, untangled=False)
    return first if _placed(first[0]) >= _placed(second[0]) else second


def primary_phase(ctx: Context, ratio: Fraction) -> tuple[Plan, Rules]:
    """Place first checks at ``ratio``; under no-reciprocal raise the ratio if that places more."""
    best = _attempt(ctx, ratio)
    done = _placed(best[0])
    if done >= ctx.bounds.primary_max or not ctx.options.no_reciprocal or ratio == 1:
        return best
    full = _attempt(ctx, Fraction(1))
    most = _placed(full[0])
    if most <= done:
        return best
    lo, hi, best = ratio, Fraction(1), full
    for _ in range(SEARCH_STEPS):
        mid = Fraction((lo + hi) / 2).limit_denominator(10**6)
        attempt = _attempt(ctx, mid)
        if _placed(attempt[0]) >= most:
            best, hi = attempt, mid
        else:
            lo = mid
    return best


def second_phase(ctx: Context, plan: Plan, rules: Rules) -> None:
    """Place second checks; if greedy falls short, find the exact maximum and its ratio."""
    ix, options = ctx.index, ctx.options
    rules.best_fit = True
    demand = second_demand(options.second_check, ix.p_works, plan.placed(Role.PRIMARY))
    primary, first_load = plan.snapshot(), plan.load.copy()
    place_role(plan, ctx.cands, rules, demand, Role.SECOND, None)
    first_try, done = plan.snapshot(), int(plan.placed(Role.SECOND).sum())
    if done >= demand.sum():
        return
    plan.restore(primary)
    items = items_for(plan, rules, demand, Role.SECOND)
    room = np.maximum(ix.e_cap - first_load, 0)
    flow = MaxFlow(build_network(ix, items, room, options.scope))
    most = flow.solve()
    ratio, cut = min_ratio(flow, items.amount, ix.e_cap, first_load, most)
    rules.tight = np.zeros(len(ix.packages), dtype=bool)
    rules.tight[items.package[cut]] = True
    plan.caps = np.maximum(caps_at(ratio, ix.e_cap, np.zeros_like(ix.e_cap)), first_load)
    place_role(plan, ctx.cands, rules, demand, Role.SECOND, most)
    if plan.placed(Role.SECOND).sum() < done:
        plan.restore(first_try)
