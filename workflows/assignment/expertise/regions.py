"""Region-aware class flow: a proven bound and the partner classes its optimum uses.

Reviewer classes are (region, risk set, settlement); reviewed schools are grouped by (risk set,
settlement) only, but every reviewer region r reaches such a group h through a node (r, h)
whose capacity is the number of h-schools outside r. See docs/expertise-pairing.md,
"Region-aware class flow", for why the optimum of this flow is an upper bound on the total
similarity of every valid pairing.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from ortools.graph.python import min_cost_flow

from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.weights import Weights, similarity

CLASS_ARCS_MAX = 3_000_000  # beyond this many class arcs the region-aware flow is skipped
GUIDED_PER_UNIT = 8  # candidate arcs generated per unit of class flow


@dataclass
class RegionFlow:
    """Optimum of the region-aware class flow and its positive arcs.

    Groups are (risk set, settlement): group g has risk set g // 2 and is rural when g is odd.
    """

    value: int | None  # scaled similarity; None: infeasible (no valid pairing) or skipped
    skipped: bool = False
    src_region: np.ndarray | None = None  # per positive arc: reviewer region
    src_group: np.ndarray | None = None  # reviewer group
    dst_group: np.ndarray | None = None  # reviewed group
    amount: np.ndarray | None = None  # units of flow


def school_groups(inst: Instance) -> np.ndarray:
    """Group (risk set, settlement) of every school."""
    return inst.risk_class.astype(np.int64) * 2 + inst.rural


def region_class_flow(inst: Instance, w: Weights, k: int) -> RegionFlow:
    """Solve the region-aware class flow (history and reciprocity relaxed).

    Nodes: reviewer class (r, g) with supply k * |(r, g)|; hub (r, h) for every region r and
    group h with members outside r; reviewed group h with demand k * |h|. Arcs: (r, g) -> hub
    (r, h) with capacity |(r, g)| * (h-schools outside r) and cost -(sim(g, h) * M + same
    settlement), M = k * n + 1, so similarity comes first; hub (r, h) -> h with capacity
    (h-schools outside r): each such school takes at most one review from region r.
    """
    grp = school_groups(inst)
    n_grp = int(grp.max()) + 1 if inst.n else 0
    m = inst.n_regions
    cnt = np.zeros((m, n_grp), dtype=np.int64)
    np.add.at(cnt, (inst.region, grp), 1)
    size = cnt.sum(axis=0)  # schools per group
    outside = size[None, :] - cnt  # (r, h): h-schools outside r
    src_r, src_g = np.nonzero(cnt)
    hub_r, hub_h = np.nonzero(outside)
    if len(src_r) * n_grp > CLASS_ARCS_MAX:
        return RegionFlow(None, skipped=True)
    present = np.flatnonzero(size)
    rep = np.zeros(n_grp, dtype=np.int64)
    rep[grp] = np.arange(inst.n)  # any member represents its group
    sim = np.zeros((n_grp, n_grp), dtype=np.int64)
    reps = rep[present]
    sim[np.ix_(present, present)] = similarity(inst, w, reps[:, None], reps[None, :])
    same = (np.arange(n_grp)[:, None] % 2 == np.arange(n_grp)[None, :] % 2).astype(np.int64)
    big = k * inst.n + 1
    hub_id = np.full((m, n_grp), -1, dtype=np.int64)
    n_src, n_hub = len(src_r), len(hub_r)
    hub_id[hub_r, hub_h] = n_src + np.arange(n_hub)
    a_src = np.repeat(np.arange(n_src), n_grp)
    a_h = np.tile(np.arange(n_grp), n_src)
    a_r, a_g = src_r[a_src], src_g[a_src]
    a_hub = hub_id[a_r, a_h]
    ok = a_hub >= 0
    a_src, a_h, a_r, a_g, a_hub = a_src[ok], a_h[ok], a_r[ok], a_g[ok], a_hub[ok]
    cap = np.minimum(k * cnt[a_r, a_g], cnt[a_r, a_g] * outside[a_r, a_h])
    cost = -(sim[a_g, a_h] * big + same[a_g, a_h])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(a_src, a_hub, cap, cost)
    flow.add_arcs_with_capacity_and_unit_cost(
        n_src + np.arange(n_hub),
        n_src + n_hub + hub_h,
        outside[hub_r, hub_h],
        np.zeros(n_hub, dtype=np.int64),
    )
    supplies = np.r_[k * cnt[src_r, src_g], np.zeros(n_hub, dtype=np.int64), -k * size]
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies.astype(np.int64))
    status = flow.solve()
    if status == flow.INFEASIBLE:
        return RegionFlow(None)
    if status != flow.OPTIMAL:
        raise RuntimeError(f"region class flow failed: {status}")
    amount = flow.flows(arcs)
    used = amount > 0
    value = int((amount[used] * sim[a_g[used], a_h[used]]).sum())
    return RegionFlow(value, False, a_r[used], a_g[used], a_h[used], amount[used])


def guided_arcs(
    inst: Instance, rf: RegionFlow, k: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate arcs reviewer -> reviewed realising the class flow's partner classes.

    For every positive class arc ((r, g) -> h, f units) each school of (r, g) gets about
    GUIDED_PER_UNIT * f / |(r, g)| partners among the h-schools outside r (at least one, at
    most k * GUIDED_PER_UNIT). Both lists are ordered by size bucket and matched by rank, so
    partners tend to share the size bucket; a random shift smaller than the
    stride between ranks spreads the classes of different regions over all targets.
    History arcs are dropped. The result is a heuristic candidate set, not part of any proof.
    """
    if rf.value is None or rf.amount is None or not len(rf.amount):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed + 1)
    grp = school_groups(inst)
    tie = inst.bucket + rng.random(inst.n)
    order = np.lexsort((tie, grp, inst.region))
    by_class = _groups(inst.region[order].astype(np.int64) * (1 << 20) + grp[order])
    order_t = np.lexsort((tie, grp))
    grp_sorted = grp[order_t]
    us_parts, vs_parts = [], []
    for r, g, h, f in zip(
        rf.src_region.tolist(),
        rf.src_group.tolist(),
        rf.dst_group.tolist(),
        rf.amount.tolist(),
        strict=True,
    ):
        lo, hi = by_class[r * (1 << 20) + g]
        members = order[lo:hi]
        a, b = np.searchsorted(grp_sorted, [h, h + 1])
        targets = order_t[a:b]
        targets = targets[inst.region[targets] != r]
        if not len(targets):
            continue
        wanted = max(1, -(-GUIDED_PER_UNIT * f // len(members)))
        per = int(min(len(targets), k * GUIDED_PER_UNIT, wanted))
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
    return {int(keys[a]): (int(a), int(b)) for a, b in pairwise(cuts)}


def _in_sorted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    if not len(table):
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[at] == values
