"""The flow network: source → demand items → segment trees of schools → experts → sink.

Every skill has a segment tree whose leaves are the schools with experts of that skill, ordered
by municipality. An item (a package part) is joined to the few tree nodes that cover exactly the
schools it may go to: every leaf of the allowed ranges and nothing else. Any path through the
tree therefore ends at an allowed school, so a flow is always a set of rule-abiding assignments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workflows.assignment.crosscheck.instance import Index
from workflows.assignment.crosscheck.model import Scope

INF = 1 << 40
SOURCE, SINK, FIRST_ITEM = 0, 1, 2


@dataclass
class Items:
    """Demand items: ``amount`` works of ``package``, barred from ``forbidden`` schools."""

    package: np.ndarray
    amount: np.ndarray
    forbidden: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.package)


@dataclass
class Network:
    """Arc arrays of one network and where each node range starts."""

    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    n_items: int
    tree_base: int
    expert_base: int
    n_experts: int

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return self.expert_base + self.n_experts

    @property
    def expert_arcs(self) -> np.ndarray:
        """Arc indices of expert → sink, one per expert in expert order."""
        return np.arange(len(self.tails) - self.n_experts, len(self.tails))


def _base_ranges(index: Index, items: Items, scope: Scope) -> list[tuple]:
    """Allowed leaf ranges per item when only its own school is barred."""
    k = index.p_skill[items.package]
    n = index.tree_size[k]
    pos = index.position(k, index.p_school[items.package])
    bs, be = index.block(k, index.p_muni[items.package])
    own = pos >= 0
    rows = np.arange(len(items))
    ranges = []
    if scope in (Scope.ANY, Scope.SAME_MUNICIPALITY):
        ranges.append((rows, bs, np.where(own, pos, be), 0))
        ranges.append((rows, np.where(own, pos + 1, be), be, 0))
    if scope in (Scope.ANY, Scope.OTHER_MUNICIPALITY):
        cost = 1 if scope == Scope.ANY else 0
        ranges.append((rows, np.zeros_like(bs), bs, cost))
        ranges.append((rows, be, n, cost))
    return ranges


def _split(lo: int, hi: int, points: list[int]) -> list[tuple[int, int]]:
    out, start = [], lo
    for point in points:
        if start <= point < hi:
            out.append((start, point))
            start = point + 1
    out.append((start, hi))
    return out


def _extra_ranges(index: Index, items: Items, base: list[tuple]) -> list[tuple]:
    """Split the ranges of items that bar more schools than their own."""
    rows = np.array(sorted(items.forbidden), dtype=np.int64)
    if not len(rows):
        return base
    barred = np.zeros(len(items), dtype=bool)
    barred[rows] = True
    k = index.p_skill[items.package]
    sizes = np.array([len(items.forbidden[row]) for row in rows.tolist()], dtype=np.int64)
    flat_rows = np.repeat(rows, sizes)
    flat_schools = np.fromiter(
        (school for row in rows.tolist() for school in items.forbidden[row]),
        dtype=np.int64,
        count=int(sizes.sum()),
    )
    pos = index.position(k[flat_rows], flat_schools)
    found = pos >= 0
    order = np.lexsort((pos[found], flat_rows[found]))
    points: dict[int, list[int]] = {row: [] for row in rows.tolist()}
    for row, point in zip(
        flat_rows[found][order].tolist(), pos[found][order].tolist(), strict=True
    ):
        points[row].append(point)
    kept = [(r[~barred[r]], lo[~barred[r]], hi[~barred[r]], c) for r, lo, hi, c in base]
    extra_rows, extra_lo, extra_hi, extra_cost = [], [], [], []
    for r, lo, hi, cost in base:
        mine = barred[r]
        for row, a, b in zip(r[mine].tolist(), lo[mine].tolist(), hi[mine].tolist(), strict=True):
            for x, y in _split(a, b, points[row]):
                extra_rows.append(row)
                extra_lo.append(x)
                extra_hi.append(y)
                extra_cost.append(cost)
    extra = (extra_rows, extra_lo, extra_hi, extra_cost)
    kept.append(tuple(np.array(x, dtype=np.int64) for x in extra))
    return kept


def _cover(lo: np.ndarray, hi: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment-tree nodes (local numbering) covering [lo, hi); returns (range row, node)."""
    idx = np.flatnonzero(lo < hi)
    lo, hi, n = lo[idx] + n[idx], hi[idx] + n[idx], n[idx]
    rows, nodes = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    while len(idx):
        odd = (lo & 1) == 1
        rows.append(idx[odd])
        nodes.append(lo[odd])
        lo = lo + odd
        odd = ((hi & 1) == 1) & (lo < hi)
        hi = hi - odd
        rows.append(idx[odd])
        nodes.append(hi[odd])
        lo, hi = lo >> 1, hi >> 1
        keep = lo < hi
        idx, lo, hi = idx[keep], lo[keep], hi[keep]
    return np.concatenate(rows), np.concatenate(nodes)


def _item_arcs(index: Index, items: Items, scope: Scope, tree_base: int) -> tuple:
    ranges = _extra_ranges(index, items, _base_ranges(index, items, scope))
    rows = np.concatenate([r for r, *_ in ranges])
    lo = np.concatenate([np.broadcast_to(x, r.shape) for r, x, _, _ in ranges])
    hi = np.concatenate([np.broadcast_to(x, r.shape) for r, _, x, _ in ranges])
    cost = np.concatenate([np.broadcast_to(c, r.shape) for r, _, _, c in ranges])
    k = index.p_skill[items.package[rows]]
    which, node = _cover(lo, hi, index.tree_size[k])
    offset = tree_base + 2 * index.tree_start[k[which]]
    return rows[which] + FIRST_ITEM, offset + node, cost[which]


def _tree_arcs(index: Index, tree_base: int, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inner = np.where(used, np.maximum(index.tree_size - 1, 0), 0)
    tree = np.repeat(np.arange(index.n_skills), inner)
    first = np.repeat(np.cumsum(inner) - inner, inner)
    local = np.arange(len(tree)) - first + 1
    offset = tree_base + 2 * index.tree_start[tree]
    tails = np.concatenate([offset + local, offset + local])
    heads = np.concatenate([offset + 2 * local, offset + 2 * local + 1])
    return tails, heads


def _leaf_arcs(index: Index, tree_base: int, expert_base: int, used: np.ndarray) -> tuple:
    rank = index.leaf_expert_rank
    tree = np.searchsorted(index.tree_start, rank, side="right") - 1
    keep = used[tree]
    tails = tree_base + index.tree_start[tree + 1] + rank
    return tails[keep], expert_base + index.leaf_expert[keep]


def build_network(index: Index, items: Items, caps: np.ndarray, scope: Scope) -> Network:
    """Build the arc arrays for ``items`` and expert capacities ``caps``."""
    n_items = len(items)
    tree_base = FIRST_ITEM + n_items
    expert_base = tree_base + 2 * int(index.tree_start[-1])
    n_exp = len(index.experts)
    item_t, item_h, item_c = _item_arcs(index, items, scope, tree_base)
    used = np.zeros(index.n_skills, dtype=bool)
    used[index.p_skill[items.package]] = True
    tree_t, tree_h = _tree_arcs(index, tree_base, used)
    leaf_t, leaf_h = _leaf_arcs(index, tree_base, expert_base, used)
    inner = len(item_t) + len(tree_t) + len(leaf_t)
    tails = np.concatenate(
        [np.zeros(n_items, np.int64), item_t, tree_t, leaf_t, expert_base + np.arange(n_exp)]
    )
    heads = np.concatenate(
        [FIRST_ITEM + np.arange(n_items), item_h, tree_h, leaf_h, np.full(n_exp, SINK)]
    )
    arc_caps = np.concatenate([items.amount, np.full(inner, INF), caps]).astype(np.int64)
    costs = np.zeros(len(tails), dtype=np.int64)
    costs[n_items : n_items + len(item_t)] = item_c
    return Network(
        tails=tails.astype(np.int32),
        heads=heads.astype(np.int32),
        caps=arc_caps,
        costs=costs,
        n_items=n_items,
        tree_base=tree_base,
        expert_base=expert_base,
        n_experts=n_exp,
    )
