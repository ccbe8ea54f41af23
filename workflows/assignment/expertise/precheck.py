"""Necessary conditions checked before solving; each failure is a reason in Russian."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
from ortools.graph.python import max_flow

from workflows.assignment.expertise.instance import Instance


def precheck(inst: Instance, k: int, no_reciprocal: bool) -> str | None:
    """Return why no valid pairing can exist, or None if these checks pass."""
    checks = (_regions, _half, _outflow, _inflow, _reciprocal_room, _history_room, _region_flow)
    for check in checks:
        reason = check(inst, k, no_reciprocal)
        if reason:
            return reason
    return None


def _sizes(inst: Instance) -> np.ndarray:
    return np.bincount(inst.region, minlength=inst.n_regions)


def _regions(inst: Instance, k: int, _nr: bool) -> str | None:
    if inst.n_regions >= k + 1:
        return None
    return (
        f"Школ из разных регионов слишком мало: регионов {inst.n_regions}, а каждой школе нужно "
        f"{k} рецензентов из {k} разных регионов, кроме своего, — нужно не меньше {k + 1} регионов."
    )


def _half(inst: Instance, k: int, _nr: bool) -> str | None:
    sizes = _sizes(inst)
    r = int(sizes.argmax())
    if 2 * sizes[r] <= inst.n:
        return None
    return (
        f"В регионе «{inst.region_ids[r]}» {sizes[r]} школ из {inst.n} — больше половины: "
        f"его школам нужно {k * sizes[r]} рецензий из других регионов, а другие регионы "
        f"дают всего {k * (inst.n - sizes[r])}."
    )


def _outflow(inst: Instance, k: int, _nr: bool) -> str | None:
    sizes = _sizes(inst)
    r = int(sizes.argmax())
    if k * sizes[r] <= inst.n - sizes[r]:
        return None
    return (
        f"В регионе «{inst.region_ids[r]}» {sizes[r]} школ из {inst.n}: они должны провести "
        f"{k * sizes[r]} рецензий, а каждая школа других регионов может получить от одного "
        f"региона не больше одной рецензии — таких школ только {inst.n - sizes[r]}. "
        f"При k={k} в одном регионе может быть не больше 1/{k + 1} всех школ."
    )


def _inflow(inst: Instance, k: int, _nr: bool) -> str | None:
    sizes = _sizes(inst)
    for r, size in enumerate(sizes):
        others = np.delete(sizes, r)
        room = int(np.minimum(size, k * others).sum())
        if room < k * size:
            return (
                f"Школам региона «{inst.region_ids[r]}» нужно {k * size} рецензий от школ разных "
                f"регионов, а другие регионы могут дать не больше {room}: каждая школа получает "
                "не больше одной рецензии от каждого региона."
            )
    return None


def _reciprocal_room(inst: Instance, k: int, no_reciprocal: bool) -> str | None:
    if not no_reciprocal:
        return None
    sizes = _sizes(inst)
    r = int(sizes.argmax())
    if inst.n - sizes[r] >= 2 * k:
        return None
    return (
        f"При запрете взаимных пар каждой школе региона «{inst.region_ids[r]}» нужно {2 * k} "
        f"разных партнёров из других регионов ({k} рецензента и {k} проверяемых), "
        f"а школ в других регионах только {inst.n - sizes[r]}."
    )


def _history_room(inst: Instance, k: int, _nr: bool) -> str | None:
    if not len(inst.hist_u):
        return None
    sizes = _sizes(inst)
    region = inst.region
    blocked_in: dict[int, Counter] = defaultdict(Counter)
    blocked_out: Counter = Counter()
    for u, v in zip(inst.hist_u.tolist(), inst.hist_v.tolist(), strict=True):
        if region[u] != region[v]:
            blocked_in[v][int(region[u])] += 1
            blocked_out[u] += 1
    for v, per_region in blocked_in.items():
        reason = _reviewers_left(inst, k, v, per_region, sizes)
        if reason:
            return reason
    for u, blocked in blocked_out.items():
        left = inst.n - sizes[region[u]] - blocked
        if left < k:
            return (
                f"Школа «{inst.ids[u]}»: без пар из истории ей остаётся {left} школ других "
                f"регионов для проверки, а нужно {k}."
            )
    return None


def _reviewers_left(inst: Instance, k: int, v: int, per_region: Counter, sizes) -> str | None:
    own = int(inst.region[v])
    left = inst.n - sizes[own] - sum(per_region.values())
    full = sum(1 for r, c in per_region.items() if c >= sizes[r])
    regions_left = inst.n_regions - 1 - full
    if left >= k and regions_left >= k:
        return None
    return (
        f"Школа «{inst.ids[v]}»: без пар из истории у неё остаётся {left} возможных рецензентов "
        f"из {regions_left} регионов, а нужно {k} рецензентов из {k} разных регионов."
    )


def _region_flow(inst: Instance, k: int, _nr: bool) -> str | None:
    """Region-level max flow: a relaxation, so a shortfall proves infeasibility."""
    sizes = _sizes(inst).astype(np.int64)
    m = len(sizes)
    flow = max_flow.SimpleMaxFlow()
    src, dst = 2 * m, 2 * m + 1
    rr = np.arange(m)
    flow.add_arcs_with_capacity(np.full(m, src), rr, k * sizes)
    flow.add_arcs_with_capacity(m + rr, np.full(m, dst), k * sizes)
    a, b = np.meshgrid(rr, rr, indexing="ij")
    off = a != b
    cap = np.minimum(sizes[b], sizes[a] * np.minimum(k, sizes[b]))
    flow.add_arcs_with_capacity(a[off], m + b[off], cap[off])
    flow.solve(src, dst)
    if flow.optimal_flow() >= k * inst.n:
        return None
    return (
        "Даже без учёта истории и запрета взаимных пар регионы не могут обменяться рецензиями: "
        f"можно распределить не больше {flow.optimal_flow()} рецензий из {k * inst.n} "
        "(каждая школа получает не больше одной рецензии от каждого региона)."
    )
