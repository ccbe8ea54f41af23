"""The smallest largest-load ratio, proven by minimum cuts (a Newton search on λ).

Expert ``e`` may take ``max(floor(λ·cap_e) - offset_e, 0)`` works at ratio λ (the offset is work
it already has). Feasibility only changes at breakpoints ``j / cap_e``. A run at λ that falls
short of the target ends in a minimum cut: items cut off from the source carry ``d_out`` works
and the experts on the source side can add at most ``g(λ')`` at any λ'. So no λ' with
``d_out + g(λ') < target`` can succeed: the smallest λ' passing that test is a proven lower
bound, and the search jumps there. It stops at the first λ that succeeds, which is therefore
exactly optimal among integer loads.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.flow import MaxFlow, expert_nodes, item_nodes

MAX_ROUNDS = 500


def caps_at(ratio: Fraction, caps: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Room left for every expert when loads may reach ``ratio`` of capacity."""
    room = (caps * ratio.numerator) // ratio.denominator - offsets
    return np.maximum(room, 0)


def _room(ratio: Fraction, caps: np.ndarray, offsets: np.ndarray) -> int:
    return int(caps_at(ratio, caps, offsets).sum())


def _float_room(ratio: float, caps: np.ndarray, offsets: np.ndarray) -> float:
    return float(np.maximum(np.floor(caps * ratio) - offsets, 0).sum())


def _candidates(caps: np.ndarray, lo: float, hi: float) -> list[Fraction]:
    values = np.unique(caps[caps > 0])
    fracs: dict[float, Fraction] = {}
    for c in values.tolist():
        first = max(int(np.floor(lo * c)) - 1, 0)
        last = min(int(np.ceil(hi * c)) + 1, c)
        for j in range(first, last + 1):
            fracs.setdefault(j / c, Fraction(j, c))
    return [fracs[x] for x in sorted(x for x in fracs if lo <= x <= hi)]


def smallest_ratio(caps: np.ndarray, offsets: np.ndarray, need: int) -> Fraction:
    """Smallest breakpoint λ with total room ``sum(max(floor(λ·cap) - offset, 0)) >= need``."""
    if need <= 0:
        return Fraction(0)
    if _room(Fraction(1), caps, offsets) < need:
        raise ValueError("target above the total capacity")
    lo, hi = 0.0, 1.0
    for _ in range(64):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if _float_room(mid, caps, offsets) >= need else (mid, hi)
    margin = 1e-9
    while True:
        cands = _candidates(caps, max(lo - margin, 0.0), min(hi + margin, 1.0))
        if cands and _room(cands[0], caps, offsets) < need <= _room(cands[-1], caps, offsets):
            break
        margin *= 1000
    first, last = 0, len(cands) - 1
    while last - first > 1:
        mid = (first + last) // 2
        if _room(cands[mid], caps, offsets) >= need:
            last = mid
        else:
            first = mid
    return cands[last]


def min_ratio(
    flow: MaxFlow, amounts: np.ndarray, caps: np.ndarray, offsets: np.ndarray, target: int
) -> tuple[Fraction, np.ndarray]:
    """Smallest ratio at which ``flow`` carries ``target``, and the items of the last cut.

    Those items (a boolean mask) are the bottleneck: just below the ratio they cannot all fit.
    """
    ratio = smallest_ratio(caps, offsets, target)
    bottleneck = np.zeros(len(amounts), dtype=bool)
    for _ in range(MAX_ROUNDS):
        if target <= 0 or flow.solve(caps_at(ratio, caps, offsets)) >= target:
            return ratio, bottleneck
        side = flow.source_side()
        cut_items = np.ones(len(amounts), dtype=bool)
        cut_items[item_nodes(flow.net, side)] = False
        bottleneck = ~cut_items
        experts = expert_nodes(flow.net, side)
        need = target - int(amounts[cut_items].sum())
        better = smallest_ratio(caps[experts], offsets[experts], need)
        if better <= ratio:
            raise RuntimeError("ratio search made no progress")
        ratio = better
    raise RuntimeError("ratio search did not converge")
