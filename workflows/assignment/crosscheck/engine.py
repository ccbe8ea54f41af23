"""The public entry point: :func:`solve` packages and experts into assignments.

Order of work: relaxations prove the bounds (most placeable works, smallest largest ratio);
without second checks and the no-reciprocal rule the phases build an exact answer at that ratio;
with either, first and second checks are chosen *jointly* (:mod:`.joint`: one network carries
both layers, oriented by rounds under no-reciprocal; with scope ``same-municipality`` the
municipalities that fall short are then re-oriented by a MIP each, :mod:`.orientation`, whose
bounds tighten the proven minimum); a small instance the flow cannot prove goes through CP-SAT;
then reasons and figures.

Progress callback: ``progress(stage, fraction)`` with ``stage`` one of ``bounds``, ``assign``,
``improve``, ``exact``, ``report``, ``done`` and ``fraction`` a float from 0 to 1 that never
decreases. A callable taking three positional arguments is called instead as
``progress(done, total, message)`` with ``done`` and ``total`` integers (``total`` = 100, ``done``
the percentage) and ``message`` the stage name — the shape a Celery task's progress bar wants.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.bounds import caps_at
from workflows.assignment.crosscheck.greedy import Candidates, Rules
from workflows.assignment.crosscheck.instance import Index, build_index
from workflows.assignment.crosscheck.joint import joint_bounds, solve_joint
from workflows.assignment.crosscheck.model import (
    Expert,
    Options,
    Package,
    Progress,
    Result,
    Scope,
    no_progress,
)
from workflows.assignment.crosscheck.orientation import SOLVE_BUDGET_S
from workflows.assignment.crosscheck.phases import Context, primary_phase, second_phase
from workflows.assignment.crosscheck.plan import Plan
from workflows.assignment.crosscheck.refine import counts, exact_stage
from workflows.assignment.crosscheck.relax import relax, second_demand
from workflows.assignment.crosscheck.report import build_result
from workflows.assignment.crosscheck.stats import max_ratio
from workflows.assignment.crosscheck.validate import check_input


def _progress(progress: Callable | None) -> Progress:
    """The callback as ``(stage, fraction)``, adapting a ``(done, total, message)`` one."""
    if progress is None:
        return no_progress
    try:
        params = inspect.signature(progress).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: assume the documented shape
        return progress
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 3:
        return lambda stage, fraction: progress(round(fraction * 100), 100, stage)
    return progress


SEARCH_STEPS = 6
SMALL = 2_000  # packages: up to this many the phases run too and the better answer is kept


def _joint_plan(ctx: Context, caps: np.ndarray) -> tuple[Plan, Rules]:
    ix, options = ctx.index, ctx.options
    deadline = ctx.cpu_started + SOLVE_BUDGET_S
    answer = solve_joint(ix, options, caps, _relaxed_by_municipality(ctx), deadline)
    if answer.relaxed is not None and options.second_check > 0:
        # the first round at full capacity was the joint relaxation itself
        ctx.bounds.joint_second = answer.relaxed[1]
    if answer.first_most is not None:
        ctx.bounds.first_most = min(answer.first_most, ctx.bounds.first_most or answer.first_most)
    plan = Plan(ix, ix.e_cap)
    for p, e, works, role in answer.pieces:
        plan.add(p, e, works, role, greedy=False)
    rules = Rules(options.scope, options.no_reciprocal, oriented=answer.oriented)
    return plan, rules


def _relaxed_by_municipality(ctx: Context) -> np.ndarray | None:
    """Most first checks per municipality without the no-reciprocal rule (same municipality
    and no-reciprocal only: municipalities are independent, so any maximum flow of the first-check
    relaxation is maximal in each); the orientation MIPs run where an answer falls short."""
    bounds, ix = ctx.bounds, ctx.index
    if not (ctx.options.no_reciprocal and ctx.options.scope == Scope.SAME_MUNICIPALITY):
        return None
    if bounds.relaxed_muni is None:
        relaxation = bounds.primary
        relaxation.flow.solve(relaxation.cap)
        placed = relaxation.flow.flows()[: len(relaxation.items)]
        muni = ix.p_muni[relaxation.items.package]
        n = len(ix.municipalities)
        bounds.relaxed_muni = np.bincount(muni, weights=placed, minlength=n).astype(np.int64)
    return bounds.relaxed_muni


def _straight_to_full(index: Index, options: Options) -> bool:
    """Whether to skip the attempt at the proven ratio: at region size under no-reciprocal
    inside municipalities the orientation always costs works against the relaxation, so that
    attempt only ever falls short (measured) and the answer is built at full capacity; the
    ratio bound is then only the fit bound (no Newton search, see ``relax``)."""
    return (
        len(index.packages) > SMALL
        and options.no_reciprocal
        and options.scope == Scope.SAME_MUNICIPALITY
    )


def _joint(ctx: Context, ratio: Fraction, report: Progress) -> tuple[Plan, Rules]:
    """First and second checks together at the proven ratio; if short, at full capacity and
    then (small instances) at the smallest ratio, by bisection, that keeps those counts.

    Small instances also get the phases' answers at that ratio and at full capacity (cheap
    there) and keep the best; CP-SAT then starts from it.
    """
    ix, bounds, options = ctx.index, ctx.bounds, ctx.options
    if _straight_to_full(ix, options):
        return _joint_plan(ctx, ix.e_cap)
    if options.second_check > 0:
        bounds.joint_second = joint_bounds(ix, options)[1]
    best = _joint_plan(ctx, caps_at(ratio, ix.e_cap, np.zeros_like(ix.e_cap)))
    top = (bounds.primary_max, bounds.joint_second or 0)
    if counts(best[0]) < top and ratio < 1:
        report("assign", 0.6)
        full = _joint_plan(ctx, ix.e_cap)
        if counts(full[0]) > counts(best[0]):
            best = _lowest_ratio(ctx, ratio, full) if len(ix.packages) <= SMALL else full
    if len(ix.packages) <= SMALL and counts(best[0]) < top:
        for at in sorted({ratio, Fraction(1)}):
            best = max(best, _construct(ctx, at), key=lambda x: _key(x[0]))
    return best


def _lowest_ratio(ctx: Context, low: Fraction, full: tuple[Plan, Rules]) -> tuple[Plan, Rules]:
    """Bisect the ratio between ``low`` (short) and the full answer's, keeping its counts."""
    ix, best = ctx.index, full
    hi, want = max_ratio(full[0]), counts(full[0])
    for _ in range(SEARCH_STEPS):
        mid = Fraction((low + hi) / 2).limit_denominator(10**6)
        if not low < mid < hi:
            break
        trial = _joint_plan(ctx, caps_at(mid, ix.e_cap, np.zeros_like(ix.e_cap)))
        if counts(trial[0]) >= want:
            best, hi = max(best, trial, key=lambda x: _key(x[0])), max_ratio(trial[0])
        else:
            low = mid
    return best


def _construct(ctx: Context, ratio: Fraction) -> tuple[Plan, Rules]:
    plan, rules = primary_phase(ctx, ratio)
    if ctx.options.second_check > 0:
        second_phase(ctx, plan, rules)
    return plan, rules


def _key(plan: Plan) -> tuple:
    return (*counts(plan), -max_ratio(plan))


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
    progress: Callable | None = None,
) -> Result:
    """Assign every package's works to experts of other schools, optimally where proven.

    ``progress`` is called as described at the top of this module.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    options = options or Options()
    report = _progress(progress)
    check_input(packages, experts, options)
    index = build_index(packages, experts)
    report("bounds", 0.0)
    search = not _straight_to_full(index, options)
    bounds = relax(index, options, report, search)
    ctx = Context(index, Candidates(index), options, bounds, cpu_started)
    ratio = _start_ratio(ctx) if search else Fraction(1)
    report("assign", 0.4)
    if options.second_check > 0 or options.no_reciprocal:
        plan, rules = _joint(ctx, ratio, report)
    else:
        plan, rules = _construct(ctx, ratio)
    report("improve", 0.8)
    report("exact", 0.85)
    plan, proof = exact_stage(index, rules, options, ctx.bounds, plan)
    report("report", 0.9)
    result = build_result(plan, rules, options, proof, started)
    report("done", 1.0)
    return result
