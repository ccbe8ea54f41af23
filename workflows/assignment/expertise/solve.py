"""Solving stages: the flow relaxation, then the reciprocity rule."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workflows.assignment.expertise.candidates import Scan, scan
from workflows.assignment.expertise.cpsat import free_arcs_model
from workflows.assignment.expertise.flow import solve_flow
from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.model import PairingOptions
from workflows.assignment.expertise.pairing import Pairing
from workflows.assignment.expertise.reciprocity import repair_reciprocal
from workflows.assignment.expertise.timing import Laps
from workflows.assignment.expertise.weights import Weights, arc_weight, similarity

FULL_GRAPH_HARD_MAX = 3000  # pruning retries never fall back to a full graph above this
LIMIT_MAX = 400  # largest candidate count tried before giving up or going full
STOP = -1
WIDEN_GAP = 0.005  # a pruned flow this far below the bound is retried once with twice the partners
WIDEN_MAX_ARCS = 300_000  # ... unless its graph already had this many arcs (about 5,000 schools)


@dataclass
class Relaxation:
    """The flow solution (reciprocity not yet enforced) and how it was obtained."""

    pairing: Pairing | None
    scan: Scan
    full: bool  # every valid arc was in the flow: its value is an exact relaxation optimum
    limit: int | None
    weight: int = 0
    sim: int = 0  # total similarity of the flow solution, before reciprocity repair
    widened: bool = False  # a second flow with twice the partners was tried
    guided: bool = False  # the graph was the region-guided arcs plus a few random ones
    guided_arcs: int = 0  # region-guided arcs offered to the flow


@dataclass
class ReciprocityReport:
    """What the reciprocity stage did."""

    pairs_after_flow: int = 0
    swaps: int = 0
    pairs_left: int = 0
    cpsat: list[str] = field(default_factory=list)
    proven_infeasible: bool = False
    proven_optimal: bool = False


def relax(
    inst: Instance,
    w: Weights,
    k: int,
    opts: PairingOptions,
    laps: Laps,
    bound: int | None = None,
    guided: tuple[np.ndarray, np.ndarray] | None = None,
) -> Relaxation:
    """Min-cost flow on all valid arcs (small inputs) or on pruned candidates (large ones).

    ``guided`` arcs (from the region-aware class flow) join every pruned candidate graph.
    """
    limit = None if inst.n <= opts.full_graph_max else opts.candidates
    if limit is not None and guided is not None:
        rel = _flow_once(inst, w, k, limit, opts.seed, laps, guided, top=False)
        if rel.pairing is not None and rel.sim >= _best_bound(rel, bound) * (1 - WIDEN_GAP):
            rel.guided, rel.guided_arcs = True, len(guided[0])
            return rel
    while True:
        rel = _flow_once(inst, w, k, limit, opts.seed, laps, guided)
        if rel.pairing is not None:
            rel = _widen_if_far(inst, w, k, opts, laps, rel, bound, guided)
            rel.guided_arcs = len(guided[0]) if guided is not None and not rel.full else 0
            return rel
        grown = _grow(inst.n, limit)
        if grown == STOP:
            return rel
        limit = grown


def _flow_once(inst, w, k: int, limit, seed: int, laps: Laps, guided=None, top: bool = True):
    found = scan(inst, w, k, limit, seed, guided, top)
    laps.lap("candidate_scan")
    weight = arc_weight(inst, w, found.cand_u, found.cand_v)
    chosen = solve_flow(inst, found.cand_u, found.cand_v, weight, k)
    laps.lap("min_cost_flow")
    if chosen is None:
        return Relaxation(None, found, limit is None, limit)
    us, vs = found.cand_u[chosen], found.cand_v[chosen]
    p = Pairing.from_arcs(inst.n, k, us, vs)
    sim = int(similarity(inst, w, us, vs).sum())
    return Relaxation(p, found, limit is None, limit, int(weight[chosen].sum()), sim)


def _widen_if_far(inst, w, k, opts, laps, rel: Relaxation, bound, guided) -> Relaxation:
    """Retry once with twice the partners if the pruned flow is far below the bound."""
    bound = _best_bound(rel, bound)
    if rel.full or rel.sim >= bound * (1 - WIDEN_GAP) or 2 * rel.limit > LIMIT_MAX:
        return rel
    if len(rel.scan.cand_u) > WIDEN_MAX_ARCS:  # a deterministic guard on the time it would take
        return rel
    wider = _flow_once(inst, w, k, 2 * rel.limit, opts.seed, laps, guided)
    if wider.pairing is None or wider.weight < rel.weight:
        rel.widened = True  # tried; the narrower graph stays
        return rel
    wider.widened = True
    return wider


def _best_bound(rel: Relaxation, bound: int | None) -> int:
    return min(rel.scan.in_bound, rel.scan.out_bound, bound if bound is not None else rel.sim)


def _grow(n: int, limit: int | None) -> int | None:
    """Next candidate count after an infeasible pruned flow, or STOP."""
    if limit is None:
        return STOP
    if 2 * limit < min(n, LIMIT_MAX):
        return 2 * limit
    return None if n <= FULL_GRAPH_HARD_MAX else STOP


def total_weight(inst: Instance, w: Weights, p: Pairing) -> int:
    """Lexicographic weight of a pairing."""
    return int(arc_weight(inst, w, p.reviewer, p.reviewed).sum())


def enforce_reciprocity(
    inst: Instance, w: Weights, k: int, rel: Relaxation, opts: PairingOptions, sim_bound: int
) -> tuple[Pairing, ReciprocityReport]:
    """Remove reciprocal pairs: 2-opt swaps, then CP-SAT (whole model if small, else local)."""
    p = rel.pairing
    report = ReciprocityReport(pairs_after_flow=len(p.reciprocal(inst.n)) // 2)
    report.swaps = repair_reciprocal(inst, w, p)
    left = len(p.reciprocal(inst.n))
    closed = rel.full and not left and total_weight(inst, w, p) == rel.weight
    if closed:
        report.proven_optimal = True
    elif rel.full and len(rel.scan.cand_u) <= opts.exact_max_arcs:
        p = _exact(inst, w, k, p, opts, report, sim_bound)
    elif left:
        p = _local(inst, w, k, p, opts, report)
    report.pairs_left = len(p.reciprocal(inst.n)) // 2 if p is not None else 0
    return p, report


def _exact(inst, w, k, p: Pairing, opts, report: ReciprocityReport, bound: int) -> Pairing | None:
    empty = np.zeros(0, dtype=np.int64)
    freed = (p.reviewer, p.reviewed)
    sub = free_arcs_model(inst, w, k, (empty, empty), freed, opts.cpsat_seconds, bound)
    report.cpsat.append(f"whole model: {sub.status}")
    if sub.status == "infeasible":
        report.proven_infeasible = True
        return None
    if sub.reviewer is None:
        return p
    report.proven_optimal = sub.status == "optimal"
    return Pairing.from_arcs(inst.n, k, sub.reviewer, sub.reviewed)


def _local(inst, w, k, p: Pairing, opts, report: ReciprocityReport) -> Pairing:
    """Free the conflicting arcs plus random others and re-solve them with CP-SAT."""
    rng = np.random.default_rng(opts.seed)
    for attempt in range(6):
        conflicts = p.reciprocal(inst.n)
        if not len(conflicts):
            break
        extra = rng.choice(len(p.reviewer), size=min(len(p.reviewer), 60 * (attempt + 1)))
        free = np.zeros(len(p.reviewer), dtype=bool)
        free[conflicts] = True
        free[extra] = True
        keep = ~free
        sub = free_arcs_model(
            inst,
            w,
            k,
            (p.reviewer[keep], p.reviewed[keep]),
            (p.reviewer[free], p.reviewed[free]),
            opts.cpsat_seconds,
        )
        report.cpsat.append(f"local {int(free.sum())} arcs: {sub.status}")
        if sub.reviewer is not None:
            us = np.r_[p.reviewer[keep], sub.reviewer]
            vs = np.r_[p.reviewed[keep], sub.reviewed]
            p = Pairing.from_arcs(inst.n, k, us, vs)
    return p
