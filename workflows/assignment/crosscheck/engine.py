"""The public entry point: :func:`solve` packages and experts into assignments.

Order of work: relaxations prove the bounds (most placeable works, smallest largest ratio);
the phases build an answer at that ratio; with second checks a retry or two may do better; a
small instance the flow cannot prove goes through CP-SAT; then reasons and figures.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.greedy import Candidates, Rules
from workflows.assignment.crosscheck.instance import build_index
from workflows.assignment.crosscheck.model import (
    Expert,
    Options,
    Package,
    Progress,
    Result,
    Role,
    no_progress,
)
from workflows.assignment.crosscheck.phases import Context, primary_phase, second_phase
from workflows.assignment.crosscheck.plan import Plan
from workflows.assignment.crosscheck.reasons import eligible
from workflows.assignment.crosscheck.refine import counts, exact_stage
from workflows.assignment.crosscheck.relax import lower_ratio, relax, second_demand
from workflows.assignment.crosscheck.report import build_result
from workflows.assignment.crosscheck.stats import max_ratio
from workflows.assignment.crosscheck.validate import check_input


def _construct(ctx: Context, ratio: Fraction) -> tuple[Plan, Rules]:
    plan, rules = primary_phase(ctx, ratio)
    if ctx.options.second_check > 0:
        second_phase(ctx, plan, rules)
    return plan, rules


def _key(plan: Plan) -> tuple:
    return (*counts(plan), -max_ratio(plan))


def _third_school_short(ctx: Context, plan: Plan, rules: Rules) -> bool:
    """Whether a missing second check had an allowed expert with capacity left."""
    ix = plan.index
    demand = second_demand(ctx.options.second_check, ix.p_works, plan.placed(Role.PRIMARY))
    for p in np.flatnonzero(plan.placed(Role.SECOND) < demand).tolist():
        experts = eligible(plan, ctx.cands, rules, p, Role.SECOND)
        if (plan.load[experts] < ix.e_cap[experts]).any():
            return True
    return False


def _improve(ctx: Context, plan: Plan, rules: Rules, ratio: Fraction) -> tuple[Plan, Rules]:
    """With second checks, retry at full capacity if seconds fell short, then at the bound."""
    if ctx.options.second_check == 0:
        return plan, rules
    best, bounds = (plan, rules), ctx.bounds
    extra = second_demand(ctx.options.second_check, ctx.index.p_works, ctx.index.p_works)
    upper = min(bounds.merged.max, bounds.primary_max + int(extra.sum()))
    if sum(counts(plan)) < upper and ratio < 1 and _third_school_short(ctx, plan, rules):
        best = max(best, _construct(ctx, Fraction(1)), key=lambda x: _key(x[0]))
    proven = lower_ratio(bounds, *counts(best[0]))
    if max_ratio(best[0]) > proven:
        best = max(best, _construct(ctx, proven), key=lambda x: _key(x[0]))
    return best


def _start_ratio(ctx: Context) -> Fraction:
    bounds, ix = ctx.bounds, ctx.index
    if bounds.merged is None:
        return bounds.primary_ratio
    extra = second_demand(ctx.options.second_check, ix.p_works, ix.p_works)
    total = bounds.primary_max + int(extra.sum())
    return max(bounds.primary_ratio, bounds.merged.ratio(min(total, bounds.merged.max)))


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
    report("bounds", 0.0)
    ctx = Context(index, Candidates(index), options, relax(index, options, report))
    ratio = _start_ratio(ctx)
    report("assign", 0.4)
    plan, rules = _construct(ctx, ratio)
    report("improve", 0.8)
    plan, rules = _improve(ctx, plan, rules, ratio)
    report("exact", 0.85)
    plan, proof = exact_stage(index, rules, options, ctx.bounds, plan)
    report("report", 0.9)
    result = build_result(plan, rules, options, proof, started)
    report("done", 1.0)
    return result
