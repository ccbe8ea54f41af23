"""Remove reciprocal pairs (A reviews B and B reviews A) by weight-aware 2-opt swaps."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.pairing import Pairing
from workflows.assignment.expertise.weights import SIZE_MAX, Weights, arc_weight


class _Swapper:
    """Finds, for an arc x->y, another arc c->d to exchange into x->d and c->y."""

    def __init__(self, inst: Instance, w: Weights, p: Pairing, seed: int) -> None:
        self.inst, self.w, self.p = inst, w, p
        self.rng = np.random.default_rng(seed)
        # A swap only changes reviewed ends, so each arc keeps its reviewer for good.
        self.by_reviewer = np.argsort(p.reviewer, kind="stable").reshape(inst.n, -1)
        kind = (inst.risk_class.astype(np.int64) * 2 + inst.rural) * (SIZE_MAX + 1) + inst.bucket
        self.arc_kind = np.unique(kind, return_inverse=True)[1][p.reviewer]
        self.same_kind = _groups(self.arc_kind)
        self.same_risks = _groups(inst.risk_class[p.reviewer])

    def arc(self, x: int, y: int) -> int:
        """Index of the arc x->y."""
        mine = self.by_reviewer[x]
        return int(mine[self.p.reviewed[mine] == y][0])

    def lossless(self, i: int) -> int | None:
        """A partner arc whose reviewer has the same risks, settlement and size as arc i's."""
        js = self.same_kind[int(self.arc_kind[i])]
        js = js[_swap_ok(self.inst, self.p, i, js)]
        return int(self.rng.choice(js)) if len(js) else None

    def cheapest(self, i: int, js: np.ndarray | None = None) -> tuple[int, int | None]:
        """(weight lost, partner arc) minimising the loss over ``js`` (default: all arcs)."""
        if js is None:
            js = np.arange(len(self.p.reviewer))
        js = js[_swap_ok(self.inst, self.p, i, js)]
        if not len(js):
            return 0, None
        inst, w, p = self.inst, self.w, self.p
        x, y = p.reviewer[i : i + 1], p.reviewed[i : i + 1]
        c, d = p.reviewer[js], p.reviewed[js]
        before = arc_weight(inst, w, c, d) + arc_weight(inst, w, x, y)
        after = arc_weight(inst, w, np.repeat(x, len(js)), d) + arc_weight(
            inst, w, c, np.repeat(y, len(js))
        )
        loss = before - after
        best = int(loss.argmin())
        return int(loss[best]), int(js[best])


def _groups(keys: np.ndarray) -> dict[int, np.ndarray]:
    """Arc indices grouped by key."""
    order = np.argsort(keys, kind="stable")
    cuts = np.flatnonzero(np.r_[True, np.diff(keys[order]) != 0, True])
    return {int(keys[order[s]]): order[s:e] for s, e in pairwise(cuts)}


def repair_reciprocal(inst: Instance, w: Weights, p: Pairing, seed: int = 0) -> int:
    """Swap arcs until no reciprocal pair is left or no swap helps; return swaps made.

    For a pair a<->b one of its arcs, say a->b, is exchanged with another arc c->d into
    a->d and c->b. Every swap keeps all hard rules. A swap with a partner of the same kind
    (risk set, settlement, size bucket) loses nothing and is tried first, then a partner with
    the same risk set (no similarity lost). Only when no pair can be fixed that way any more is
    the swap losing the least weight over all arcs taken: earlier swaps often open a lossless
    exchange for a later pair (two pairs of the same classes close into a four-cycle).
    """
    swapper = _Swapper(inst, w, p, seed)
    swaps = 0
    for tiers in (("risks",), ("risks",), ("risks", "all"), ("risks", "all"), ("risks", "all")):
        pending = _pending_pairs(inst.n, p)
        if not pending:
            break
        for a, b in pending:
            if _still_reciprocal(p, a, b) and _fix_pair(swapper, a, b, tiers):
                swaps += 1
    return swaps


def _pending_pairs(n: int, p: Pairing) -> list[tuple[int, int]]:
    idx = p.reciprocal(n)
    a, b = p.reviewer[idx], p.reviewed[idx]
    keep = a < b
    return list(zip(a[keep].tolist(), b[keep].tolist(), strict=True))


def _still_reciprocal(p: Pairing, a: int, b: int) -> bool:
    return bool(b in p.outs[a] and a in p.outs[b])


def _fix_pair(swapper: _Swapper, a: int, b: int, tiers=("risks", "all")) -> bool:
    arcs = (swapper.arc(a, b), swapper.arc(b, a))
    for i in arcs:
        j = swapper.lossless(i)
        if j is not None:
            swapper.p.swap(i, j)
            return True
    risk = swapper.inst.risk_class
    for tier in tiers:
        options = []
        for i in arcs:
            js = swapper.same_risks[int(risk[swapper.p.reviewer[i]])] if tier == "risks" else None
            loss, j = swapper.cheapest(i, js)
            if j is not None:
                options.append((loss, j, i))
        if options:
            _, j, i = min(options)
            swapper.p.swap(i, j)
            return True
    return False


def _swap_ok(inst: Instance, p: Pairing, i: int, js: np.ndarray) -> np.ndarray:
    """Mask over arcs ``js`` (c->d): may x->y (arc i) and c->d become x->d and c->y?"""
    n, reg = inst.n, inst.region
    x, y = p.reviewer[i], p.reviewed[i]
    c, d = p.reviewer[js], p.reviewed[js]
    ok = (reg[x] != reg[d]) & (reg[c] != reg[y]) & (js != i)
    ok &= ~_among(d, p.outs[x]) & ~_among(c, p.revs[y])  # no duplicate arcs
    ok &= ~_among(d, p.revs[x]) & ~_among(c, p.outs[y])  # no new reciprocal pair
    ok &= ~in_sorted(x * n + d, inst.hist_codes) & ~in_sorted(c * n + y, inst.hist_codes)
    revs_d = p.revs[d]
    clash_d = (reg[revs_d] == reg[x]) & (revs_d != c[:, None])
    ok &= ~clash_d.any(axis=1)  # x's region is new among d's other reviewers
    others_y = p.revs[y][p.revs[y] != x]
    ok &= ~_among(reg[c], reg[others_y])  # c's region is new among y's other reviewers
    return ok


def _among(values: np.ndarray, few: np.ndarray) -> np.ndarray:
    """Membership in a handful of values (cheaper than np.isin for k-sized sets)."""
    return (values[:, None] == few[None, :]).any(axis=1)


def in_sorted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Membership of ``values`` in the sorted array ``table``."""
    if not len(table):
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[at] == values
