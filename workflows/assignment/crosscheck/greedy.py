"""Greedy packing of whole packages into experts: the bundle-friendly first pass.

Packages of the tightest skills go first, larger before smaller. A package goes whole to the
allowed expert with the lowest resulting load ratio (or, when repacking a tight area, to the one
it fills best, which is also the rule in skills whose demand nearly fills their experts). With
scope ``any`` every package first tries its own municipality, and only then do packages look
elsewhere, so outsiders take only the room locals leave. A package that fits nowhere whole is
split over at most three experts with the most room, or left to the flow phase, which places
what is left and undoes greedy choices that block the optimum.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from workflows.assignment.crosscheck.instance import Index
from workflows.assignment.crosscheck.model import Role, Scope
from workflows.assignment.crosscheck.plan import Plan

MAX_SPLIT = 3
BEST_FIT_ABOVE = 0.7


@dataclass
class Rules:
    """Scope, the no-reciprocal switch, directions barred while resolving conflicts, and the
    bottleneck packages of the ratio bound (packed first, best fit, unless ``best_fit`` is off:
    first checks spread out leave more third schools for second checks)."""

    scope: Scope
    no_reciprocal: bool
    oriented: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    flipped: set[tuple[int, int, int]] = field(default_factory=set)
    tight: np.ndarray | None = None
    best_fit: bool = True


def barred(plan: Plan, rules: Rules, package: int, role: Role) -> list[int]:
    """Schools other than its own whose experts may not take ``package`` in ``role``."""
    ix = plan.index
    school, subject = int(ix.p_school[package]), int(ix.p_subject[package])
    out: set[int] = set()
    if role == Role.SECOND:
        out.update(plan.primary_schools(package))
    if rules.no_reciprocal:
        out.update(plan.checked_by(school, subject))
        out.update(rules.oriented.get((school, subject), ()))
    out.discard(school)
    return sorted(out)


class Candidates:
    """Experts of every skill sorted by municipality, so a municipality is one slice."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.experts, self.munis = [], []
        for experts in index.skill_experts:
            order = np.argsort(index.e_muni[experts], kind="stable")
            self.experts.append(experts[order])
            self.munis.append(index.e_muni[experts[order]])

    def groups(self, skill: int, muni: int, scope: Scope) -> Iterator[np.ndarray]:
        """Expert rows to try, in order of preference."""
        experts, munis = self.experts[skill], self.munis[skill]
        lo, hi = np.searchsorted(munis, [muni, muni + 1])
        if scope != Scope.OTHER_MUNICIPALITY:
            yield experts[lo:hi]
        if scope != Scope.SAME_MUNICIPALITY:
            yield np.concatenate([experts[:lo], experts[hi:]])


def _allowed(plan: Plan, experts: np.ndarray, school: int, bar: list[int]) -> np.ndarray:
    schools = plan.index.e_school[experts]
    ok = schools != school
    if bar:
        ok &= ~np.isin(schools, bar)
    return ok


def _place_whole(
    plan: Plan, cands: Candidates, rules: Rules, package: int, amount: int, role: Role, how: tuple
) -> bool:
    ix = plan.index
    tight, rank = how
    school, bar = int(ix.p_school[package]), barred(plan, rules, package, role)
    groups = cands.groups(int(ix.p_skill[package]), int(ix.p_muni[package]), rules.scope)
    for i, experts in enumerate(groups):
        if rank is not None and i != rank:
            continue
        load = plan.load[experts]
        room = plan.caps[experts] - load
        ok = _allowed(plan, experts, school, bar) & (room >= amount)
        if ok.any():
            score = room - amount if tight else (load + amount) / ix.e_cap[experts]
            best = np.argmin(np.where(ok, score, np.inf))
            plan.add(package, int(experts[best]), amount, role, greedy=True)
            return True
    return False


def _place_split(
    plan: Plan, cands: Candidates, rules: Rules, package: int, amount: int, role: Role
) -> int:
    """Split over the fewest experts with most room, if at most MAX_SPLIT of them will do."""
    ix = plan.index
    school, bar = int(ix.p_school[package]), barred(plan, rules, package, role)
    groups = cands.groups(int(ix.p_skill[package]), int(ix.p_muni[package]), rules.scope)
    experts = np.concatenate(list(groups))
    room = np.maximum(plan.caps[experts] - plan.load[experts], 0)
    room = np.where(_allowed(plan, experts, school, bar), room, 0)
    top = np.argsort(-room, kind="stable")[:MAX_SPLIT]
    if room[top].sum() < amount:
        return 0
    left = amount
    for j in top.tolist():
        take = int(min(room[j], left))
        plan.add(package, int(experts[j]), take, role, greedy=True)
        left -= take
        if left == 0:
            break
    return amount


def _tightness(plan: Plan, demand: np.ndarray) -> np.ndarray:
    """Per package: demand of its skill ÷ the share of its experts' room that skill can expect.

    An expert's room is shared among its skills in proportion to their demand, so a skill whose
    experts are also wanted elsewhere shows as tight.
    """
    ix = plan.index
    room = np.maximum(plan.caps - plan.load, 0).astype(float)
    need = np.bincount(ix.p_skill, weights=demand, minlength=ix.n_skills)
    wanted = np.zeros(len(room))
    for k, experts in enumerate(ix.skill_experts):
        wanted[experts] += need[k]
    share = np.divide(room, wanted, out=np.zeros_like(room), where=wanted > 0)
    supply = np.array([need[k] * share[e].sum() for k, e in enumerate(ix.skill_experts)])
    tight = np.divide(need, supply, out=np.full(len(need), np.inf), where=supply > 0)
    return tight[ix.p_skill]


def _order(demand: np.ndarray, tight: np.ndarray, first: np.ndarray) -> list[int]:
    rows = np.flatnonzero(demand > 0)
    order = np.lexsort((-demand[rows], -tight[rows], ~first[rows]))
    return rows[order].tolist()


def greedy(
    plan: Plan, cands: Candidates, rules: Rules, demand: np.ndarray, role: Role, tight: bool = False
) -> np.ndarray:
    """Place what fits greedily (best fit when ``tight``); return the works still to place."""
    left = demand.astype(np.int64).copy()
    tightness = _tightness(plan, left)
    first = np.zeros(len(left), dtype=bool)
    if rules.best_fit and rules.tight is not None:
        first = rules.tight
    order = _order(left, tightness, first)
    fit = ((tightness >= BEST_FIT_ABOVE) | first) & rules.best_fit
    ranks = [0, 1] if rules.scope == Scope.ANY else [None]
    for rank in ranks:
        for p in order:
            how = (tight or bool(fit[p]), rank)
            if left[p] and _place_whole(plan, cands, rules, p, int(left[p]), role, how):
                left[p] = 0
            elif left[p] and rank == ranks[-1]:
                left[p] -= _place_split(plan, cands, rules, p, int(left[p]), role)
    return left


def consolidate(plan: Plan, cands: Candidates, rules: Rules, role: Role) -> None:
    """Re-place packages spread over three or more experts if fewer experts can take them."""
    where: dict[int, list[int]] = {}
    for i, piece in enumerate(plan.pieces):
        if piece.role == role:
            where.setdefault(piece.package, []).append(i)
    for p, rows in where.items():
        if len({plan.pieces[i].expert for i in rows}) > 2:
            _consolidate_one(plan, cands, rules, p, role, rows)
    plan.compact()


def _consolidate_one(plan: Plan, cands: Candidates, rules: Rules, package: int, role, rows) -> None:
    old = [plan.pieces[i] for i in rows]
    plan.drop(rows)
    amount, mark = sum(x.works for x in old), len(plan.pieces)
    if _place_whole(plan, cands, rules, package, amount, role, (False, None)):
        return
    placed = _place_split(plan, cands, rules, package, amount, role)
    if placed == amount and len(plan.pieces) - mark < len({x.expert for x in old}):
        return
    plan.drop(range(mark, len(plan.pieces)))
    for x in old:
        plan.add(x.package, x.expert, x.works, x.role, x.greedy)
