"""Region-aware class flow: a proven bound and the partner classes its optimum uses.

Reviewer classes are (region, risk set); reviewed schools are grouped by risk set only, but
every reviewer region r reaches risk set t through a node (r, t) whose capacity is the number
of t-schools outside r. See docs/expertise-pairing.md, "Region-aware class flow", for why the
optimum of this flow is an upper bound on the total similarity of every valid pairing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.weights import Weights, similarity

CLASS_ARCS_MAX = 3_000_000  # beyond this many class arcs the region-aware flow is skipped
GUIDED_PER_UNIT = 3  # candidate arcs generated per unit of class flow


@dataclass
class RegionFlow:
    """Optimum of the region-aware class flow (scaled similarity) and its positive arcs."""

    value: int | None  # None: infeasible (then no valid pairing exists) or skipped
    skipped: bool = False
    src_region: np.ndarray | None = None  # per positive arc: reviewer region
    src_set: np.ndarray | None = None  # reviewer risk set
    dst_set: np.ndarray | None = None  # reviewed risk set
    amount: np.ndarray | None = None  # units of flow


def region_class_flow(inst: Instance, w: Weights, k: int) -> RegionFlow:
    """Solve the region-aware class flow (history and reciprocity relaxed).

    Nodes: reviewer class (r, s) with supply k * |(r, s)|; hub (r, t) for every region r and
    risk set t with t-schools outside r; reviewed set t with demand k * |t|. Arcs: (r, s) ->
    hub (r, t) with cost -sim(s, t), capacity |(r, s)| * (t-schools outside r); hub (r, t) ->
    t with capacity (t-schools outside r): each such school takes at most one review from r.
    """
    n_sets = int(inst.risk_class.max()) + 1 if inst.n else 0
    m = inst.n_regions
    cnt = np.zeros((m, n_sets), dtype=np.int64)
    np.add.at(cnt, (inst.region, inst.risk_class), 1)
    size = cnt.sum(axis=0)  # schools per risk set
    outside = size[None, :] - cnt  # (r, t): t-schools outside r
    src_r, src_s = np.nonzero(cnt)
    hub_r, hub_t = np.nonzero(outside)
    if len(src_r) * n_sets > CLASS_ARCS_MAX:
        return RegionFlow(None, skipped=True)
    rep = np.unique(inst.risk_class, return_index=True)[1]
    sim = similarity(inst, w, rep[:, None], rep[None, :])  # (s, t)
    hub_id = np.full((m, n_sets), -1, dtype=np.int64)
    n_src, n_hub = len(src_r), len(hub_r)
    hub_id[hub_r, hub_t] = n_src + np.arange(n_hub)
    set_node = n_src + n_hub + np.arange(n_sets)
    # arcs class -> hub of the same region
    a_src = np.repeat(np.arange(n_src), n_sets)
    a_t = np.tile(np.arange(n_sets), n_src)
    a_r, a_s = src_r[a_src], src_s[a_src]
    a_hub = hub_id[a_r, a_t]
    ok = a_hub >= 0
    a_src, a_t, a_r, a_s, a_hub = a_src[ok], a_t[ok], a_r[ok], a_s[ok], a_hub[ok]
    cap = np.minimum(k * cnt[a_r, a_s], cnt[a_r, a_s] * outside[a_r, a_t])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(a_src, a_hub, cap, -sim[a_s, a_t])
    flow.add_arcs_with_capacity_and_unit_cost(
        n_src + np.arange(n_hub),
        set_node[hub_t],
        outside[hub_r, hub_t],
        np.zeros(n_hub, dtype=np.int64),
    )
    supplies = np.r_[k * cnt[src_r, src_s], np.zeros(n_hub, dtype=np.int64), -k * size]
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies.astype(np.int64))
    status = flow.solve()
    if status == flow.INFEASIBLE:
        return RegionFlow(None)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"region class flow failed: {status}")
    amount = flow.flows(arcs)
    used = amount > 0
    return RegionFlow(
        -int(flow.optimal_cost()), False, a_r[used], a_s[used], a_t[used], amount[used]
    )


def guided_arcs(
    inst: Instance, rf: RegionFlow, k: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate arcs reviewer -> reviewed realising the class flow's partner classes.

    For every positive class arc ((r, s) -> t, f units) each school of (r, s) gets about
    GUIDED_PER_UNIT * f / |(r, s)| partners among the t-schools outside r (at least one, at
    most k * GUIDED_PER_UNIT). Both lists are ordered by settlement and size bucket and matched
    by rank, so partners tend to share settlement and size; a random shift smaller than the
    stride between ranks spreads the classes of different regions over all targets.
    History arcs are dropped. The result is a heuristic candidate set, not part of any proof.
    """
    if rf.value is None or rf.amount is None or not len(rf.amount):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed + 1)
    tie = (inst.rural.astype(np.int64) * 16 + inst.bucket) * 2.0 + rng.random(inst.n)
    order = np.lexsort((tie, inst.risk_class, inst.region))
    by_class = _groups(inst.region[order].astype(np.int64) * (1 << 20) + inst.risk_class[order])
    order_t = np.lexsort((tie, inst.risk_class))
    sets_sorted = inst.risk_class[order_t]
    us_parts, vs_parts = [], []
    for r, s, t, f in zip(
        rf.src_region.tolist(), rf.src_set.tolist(), rf.dst_set.tolist(), rf.amount.tolist(),
        strict=True,
    ):
        lo, hi = by_class[r * (1 << 20) + s]
        members = order[lo:hi]
        a, b = np.searchsorted(sets_sorted, [t, t + 1])
        targets = order_t[a:b]
        targets = targets[inst.region[targets] != r]
        if not len(targets):
            continue
        per = int(min(len(targets), k * GUIDED_PER_UNIT, max(1, -(-GUIDED_PER_UNIT * f // len(members)))))
        pos = (np.arange(len(members)) * len(targets)) // len(members)
        shift = int(rng.integers(0, -(-len(targets) // len(members))))  # keeps rank alignment
        cols = (pos[:, None] + shift + np.arange(per)[None, :]) % len(targets)
        us_parts.append(np.repeat(members, per))
        vs_parts.append(targets[cols].ravel())
    if not us_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    us = np.concatenate(us_parts).astype(np.int64)
    vs = np.concatenate(vs_parts).astype(np.int64)
    us, vs = _valid(inst, us, vs)
    return _top_up(inst, us, vs, k, rng)


def _valid(inst: Instance, us: np.ndarray, vs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = (inst.region[us] != inst.region[vs]) & ~_in_sorted(us * inst.n + vs, inst.hist_codes)
    return us[keep], vs[keep]


def _top_up(inst: Instance, us, vs, k: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Random extra partners for schools with fewer than 2k reviewer regions or reviewees."""
    pairs = np.unique(vs * inst.n_regions + inst.region[us])
    regions_in = np.bincount(pairs // inst.n_regions, minlength=inst.n)
    outs = np.bincount(us, minlength=inst.n)
    short_in = np.repeat(np.flatnonzero(regions_in < 2 * k), 4 * k)
    short_out = np.repeat(np.flatnonzero(outs < 2 * k), 4 * k)
    extra_u = np.r_[rng.integers(0, inst.n, len(short_in)), short_out]
    extra_v = np.r_[short_in, rng.integers(0, inst.n, len(short_out))]
    extra_u, extra_v = _valid(inst, extra_u.astype(np.int64), extra_v.astype(np.int64))
    return np.r_[us, extra_u], np.r_[vs, extra_v]


def _groups(keys: np.ndarray) -> dict[int, tuple[int, int]]:
    """Start and stop of each run of equal keys in a sorted key array."""
    cuts = np.flatnonzero(np.r_[True, np.diff(keys) != 0, True])
    return {int(keys[a]): (int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True)}


def _in_sorted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    if not len(table):
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[at] == values
