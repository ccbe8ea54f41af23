"""Turn a finished plan into assignments, unplaced parts with reasons, and the summary."""

from __future__ import annotations

import sys
import time
from collections import Counter
from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.greedy import Candidates, Rules
from workflows.assignment.crosscheck.model import Assignment, Options, Result, Role, Unassigned
from workflows.assignment.crosscheck.plan import Plan
from workflows.assignment.crosscheck.reasons import NO_FIRST_CHECK, reason
from workflows.assignment.crosscheck.stats import Proof, summary_figures


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _assignments(plan: Plan) -> list[Assignment]:
    ix, merged = plan.index, Counter()
    for piece in plan.pieces:
        merged[(piece.package, piece.role, piece.expert)] += piece.works
    order = sorted(merged, key=lambda key: (key[0], key[1] != Role.PRIMARY, key[2]))
    return [
        Assignment(ix.packages[p].package_id, ix.experts[e].expert_id, merged[(p, role, e)], role)
        for p, role, e in order
    ]


def _unassigned(plan: Plan, rules: Rules, demand: dict[Role, np.ndarray]) -> list[Unassigned]:
    ix, cands, out = plan.index, Candidates(plan.index), []
    first = plan.placed(Role.PRIMARY)
    for role, wanted in demand.items():
        placed = plan.placed(role)
        for p in np.flatnonzero(wanted > placed).tolist():
            package_id, missing = ix.packages[p].package_id, int(wanted[p] - placed[p])
            if role == Role.SECOND and wanted[p] > first[p]:
                out.append(Unassigned(package_id, int(wanted[p] - first[p]), role, NO_FIRST_CHECK))
                missing -= int(wanted[p] - first[p])
            if missing > 0:
                why = reason(plan, cands, rules, p, role)
                out.append(Unassigned(package_id, missing, role, why))
    return out


def _demand(plan: Plan, options: Options) -> dict[Role, np.ndarray]:
    works = plan.index.p_works
    demand = {Role.PRIMARY: works}
    if options.second_check > 0:
        frac = Fraction(str(options.second_check))
        demand[Role.SECOND] = -((-works * frac.numerator) // frac.denominator)
    return demand


def build_result(
    plan: Plan, rules: Rules, options: Options, proof: Proof, started: float
) -> Result:
    """Package the plan as a :class:`Result` with reasons and summary figures."""
    demand = _demand(plan, options)
    unassigned = _unassigned(plan, rules, demand)
    summary = summary_figures(plan, options, demand, proof)
    summary["run_time_s"] = round(time.perf_counter() - started, 3)
    summary["peak_memory_mib"] = peak_memory_mib()
    return Result(assignments=_assignments(plan), unassigned=unassigned, summary=summary)
