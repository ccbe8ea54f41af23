"""Relaxations: max flows with only the own-school and scope rules, which bound every answer.

The first-check relaxation is exact for first checks. The merged one carries first and second
checks of every package as one demand; any answer is a flow in it, so it bounds the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from workflows.assignment.crosscheck.bounds import min_ratio, smallest_ratio
from workflows.assignment.crosscheck.flow import MaxFlow
from workflows.assignment.crosscheck.instance import Index
from workflows.assignment.crosscheck.model import Options, Progress, Scope
from workflows.assignment.crosscheck.network import Items, build_network


class Relaxation:
    """Max flow over all packages with only the own-school and scope rules: bounds."""

    def __init__(self, index: Index, amounts: np.ndarray, options: Options) -> None:
        rows = np.flatnonzero(amounts > 0)
        self.items = Items(package=rows, amount=amounts[rows])
        self.cap = index.e_cap
        net = build_network(index, self.items, self.cap, options.scope)
        self.flow = MaxFlow(net)
        self.max = self.flow.solve(self.cap)
        self.bottleneck = np.zeros(len(index.packages), dtype=bool)

    def ratio(self, target: int) -> Fraction:
        """Proven smallest largest-load ratio for placing ``target`` works."""
        offsets = np.zeros_like(self.cap)
        ratio, cut = min_ratio(self.flow, self.items.amount, self.cap, offsets, target)
        self.bottleneck[:] = False
        self.bottleneck[self.items.package[cut]] = True
        return ratio


@dataclass
class Bounds:
    """What the relaxations proved."""

    primary_max: int
    primary_ratio: Fraction
    merged: Relaxation | None
    primary: Relaxation
    bottleneck: np.ndarray
    joint_second: int | None = None  # most second checks alongside primary_max first checks
    search: bool = True  # ratio bounds by the Newton search on cuts (else the fit bound only)
    relaxed_muni: np.ndarray | None = None  # most first checks per municipality (same-muni)
    first_most: int | None = None  # orientation-aware bound on first checks (no-reciprocal)

    @property
    def first_max(self) -> int:
        """The tightest proven bound on first checks."""
        if self.first_most is None:
            return self.primary_max
        return min(self.primary_max, self.first_most)


def second_demand(share: float, works: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """ceil(share × works) per package, never more than its works with a first check."""
    frac = Fraction(str(share))
    want = -((-works * frac.numerator) // frac.denominator)
    return np.minimum(want, placed)


def allowed_schools(index: Index, options: Options) -> np.ndarray:
    """Per package, how many schools other than its own have experts it may go to."""
    k = index.p_skill
    size = index.tree_size[k]
    start, end = index.block(k, index.p_muni)
    own = (index.position(k, index.p_school) >= 0).astype(np.int64)
    inside = end - start
    if options.scope == Scope.SAME_MUNICIPALITY:
        return inside - own
    if options.scope == Scope.OTHER_MUNICIPALITY:
        return size - inside
    return size - own


def second_need(index: Index, options: Options) -> np.ndarray:
    """Second-check works per package that some answer could place.

    A package with a single allowed school can never have a second check: its first checks
    can only be there, and a second check needs another school (and no first check, no second).
    Leaving these out tightens the relaxations (and the joint flow does not reserve room).
    """
    need = np.zeros(len(index.packages), dtype=np.int64)
    if options.second_check > 0:
        need = second_demand(options.second_check, index.p_works, index.p_works)
        need[allowed_schools(index, options) <= 1] = 0
    return need


def relax(index: Index, options: Options, report: Progress, search: bool = True) -> Bounds:
    """Solve the relaxations and the first-check ratio bound.

    With ``search`` off the ratio bounds skip the Newton search on cuts and only say that the
    works must fit: the smallest λ with Σ⌊λ·cap⌋ ≥ works (valid, weaker, no max flow) — for
    answers built at full capacity anyway.
    """
    primary = Relaxation(index, index.p_works, options)
    if search:
        ratio = primary.ratio(primary.max)
    else:
        ratio = smallest_ratio(index.e_cap, np.zeros_like(index.e_cap), primary.max)
    report("bounds", 0.3)
    merged = None
    if options.second_check > 0:
        merged = Relaxation(index, index.p_works + second_need(index, options), options)
    bounds = Bounds(primary.max, ratio, merged, primary, primary.bottleneck.copy())
    bounds.search = search
    return bounds


def lower_ratio(bounds: Bounds, primary: int, second: int) -> Fraction:
    """Lower bound on the largest ratio of any answer placing these counts."""
    if not bounds.search:
        cap = bounds.primary.cap
        return max(
            bounds.primary_ratio if primary >= bounds.primary_max else Fraction(0),
            smallest_ratio(cap, np.zeros_like(cap), min(primary + second, int(cap.sum()))),
        )
    first = primary if primary < bounds.primary_max else bounds.primary_max
    ratio = bounds.primary_ratio if first == bounds.primary_max else bounds.primary.ratio(first)
    if bounds.merged is not None:
        ratio = max(ratio, bounds.merged.ratio(min(primary + second, bounds.merged.max)))
    return ratio


def second_upper(bounds: Bounds, index: Index, options: Options, primary: int) -> int | None:
    """Upper bound on second checks for answers with ``primary`` first checks."""
    if bounds.merged is None:
        return None
    most = int(min(bounds.merged.max - primary, second_need(index, options).sum()))
    if bounds.joint_second is not None and primary >= bounds.primary_max:
        most = min(most, bounds.joint_second)
    return most
