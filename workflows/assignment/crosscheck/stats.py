"""Summary figures of a finished plan: totals, load ratios, bundles, locality, subjects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.model import Options, Role
from workflows.assignment.crosscheck.plan import Plan


@dataclass
class Proof:
    """What is proven: most placeable works per role and the smallest possible largest ratio."""

    primary_max: int
    second_max: int | None
    ratio: Fraction
    method: str = "flow"


def max_ratio(plan: Plan) -> Fraction:
    """The largest load ÷ capacity over experts, exactly."""
    cap, load = plan.index.e_cap, plan.load
    used = np.flatnonzero(cap > 0)
    if not len(used):
        return Fraction(0)
    worst = used[np.argmax(load[used] / cap[used])]
    return Fraction(int(load[worst]), int(cap[worst]))


def _spread(plan: Plan) -> dict:
    cap = plan.index.e_cap
    used = cap > 0
    ratio = plan.load[used] / cap[used] if used.any() else np.zeros(1)
    return {
        "experts_with_capacity": int(used.sum()),
        "experts_with_work": int((plan.load > 0).sum()),
        "min": round(float(ratio.min()), 4),
        "mean": round(float(ratio.mean()), 4),
        "median": round(float(np.median(ratio)), 4),
        "p90": round(float(np.quantile(ratio, 0.9)), 4),
        "max": round(float(ratio.max()), 4),
        "stdev": round(float(ratio.std()), 4),
    }


def _load(plan: Plan, proven: Fraction) -> dict:
    worst = max_ratio(plan)
    return {
        "max_ratio": round(float(worst), 6),
        "max_ratio_exact": f"{worst.numerator}/{worst.denominator}",
        "lower_bound": round(float(proven), 6),
        "lower_bound_exact": f"{proven.numerator}/{proven.denominator}",
        "gap": round(float(worst - proven), 6),
        "proven_optimal": worst <= proven,
        "spread": _spread(plan),
    }


def experts_per_package(plan: Plan, roles: tuple[Role, ...]) -> dict:
    """Mean and largest number of distinct experts per package with placed works."""
    experts: dict[int, set[int]] = defaultdict(set)
    for piece in plan.pieces:
        if piece.role in roles:
            experts[piece.package].add(piece.expert)
    sizes = [len(v) for v in experts.values()] or [0]
    return {"mean": round(float(np.mean(sizes)), 4), "max": int(max(sizes))}


def reciprocal_pairs(plan: Plan) -> int:
    """School pairs that check each other's works in the same subject."""
    pairs = {
        (checker, checked, subject)
        for (checker, subject), counter in plan.checks.items()
        for checked in counter
    }
    return sum(1 for a, b, s in pairs if a < b and (b, a, s) in pairs)


def same_municipality_share(plan: Plan) -> float:
    """Share of placed works checked by experts of the package's municipality."""
    ix = plan.index
    total = sum(p.works for p in plan.pieces)
    local = sum(p.works for p in plan.pieces if ix.e_muni[p.expert] == ix.p_muni[p.package])
    return round(local / total, 4) if total else 0.0


def _subjects(plan: Plan, demand: dict[Role, np.ndarray]) -> dict:
    ix, out = plan.index, {}
    placed = sum(plan.placed(role) for role in demand)
    wanted = sum(demand.values())
    for s, name in enumerate(ix.subjects):
        rows = ix.p_subject == s
        cap = sum(e.capacity for e in ix.experts if name in e.subjects)
        need = int(wanted[rows].sum())
        out[name] = {
            "demand": need,
            "capacity": cap,
            "demand_to_capacity": round(need / cap, 4) if cap else None,
            "assigned": int(placed[rows].sum()),
            "unassigned": int(need - placed[rows].sum()),
        }
    return out


def _totals(plan: Plan, demand: dict[Role, np.ndarray], proof: Proof) -> dict:
    ix = plan.index
    out = {
        "packages": len(ix.packages),
        "experts": len(ix.experts),
        "capacity": int(ix.e_cap.sum()),
    }
    for role, wanted in demand.items():
        placed = int(plan.placed(role).sum())
        out[str(role)] = {
            "demand": int(wanted.sum()),
            "assigned": placed,
            "unassigned": int(wanted.sum()) - placed,
        }
    most = {Role.PRIMARY: proof.primary_max, Role.SECOND: proof.second_max}
    for role in demand:
        row = out[str(role)]
        if most[role] is not None:
            row["minimum_unassigned"] = row["demand"] - most[role]
            row["unassigned_is_minimum"] = row["unassigned"] == row["minimum_unassigned"]
    return out


def summary_figures(
    plan: Plan, options: Options, demand: dict[Role, np.ndarray], proof: Proof
) -> dict:
    """All figures for summary.json except run time and memory."""
    return {
        "method": proof.method,
        "options": {
            "scope": str(options.scope),
            "no_reciprocal": options.no_reciprocal,
            "second_check": options.second_check,
        },
        "totals": _totals(plan, demand, proof),
        "load": _load(plan, proof.ratio),
        "experts_per_package": experts_per_package(plan, (Role.PRIMARY,)),
        "experts_per_package_all_roles": experts_per_package(plan, (Role.PRIMARY, Role.SECOND)),
        "reciprocal_school_pairs": reciprocal_pairs(plan),
        "same_municipality_share": same_municipality_share(plan),
        "subjects": _subjects(plan, demand),
    }
