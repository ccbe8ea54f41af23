"""Place one role: greedy pass, then max flow on what is left, then repair until optimal.

If the greedy pass blocked the optimum, the residual max flow ends in a cut whose source side
holds experts that greedy filled with packages from outside that side. Those greedy pieces are
undone and the residual solved again. Each round undoes at least one piece and with no greedy
pieces left the flow alone reaches the target, so the loop ends at the target.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from workflows.assignment.crosscheck.flow import (
    MaxFlow,
    cheapest_flows,
    decompose,
    expert_nodes,
    item_nodes,
)
from workflows.assignment.crosscheck.greedy import Candidates, Rules, barred, consolidate, greedy
from workflows.assignment.crosscheck.model import Role
from workflows.assignment.crosscheck.network import Items, build_network
from workflows.assignment.crosscheck.plan import Plan

MAX_REPAIRS = 60
MAX_ORIENTATIONS = 30
MAX_DEPTH = 2
MAX_STALLED = 5


@dataclass
class Residual:
    """A solved residual problem: its pieces, value and the cut for repairs."""

    pieces: list[tuple[int, int, int]]
    value: int
    cut_packages: set[int]
    cut_experts: set[int]
    cheapest: bool = False


def items_for(plan: Plan, rules: Rules, left: np.ndarray, role: Role) -> Items:
    """Residual demand items of ``role`` with the schools each may not go to."""
    rows = np.flatnonzero(left > 0)
    forbidden = {}
    for i, p in enumerate(rows.tolist()):
        bar = barred(plan, rules, p, role)
        if bar:
            forbidden[i] = tuple(bar)
    return Items(package=rows, amount=left[rows], forbidden=forbidden)


def _solve(plan: Plan, rules: Rules, left: np.ndarray, role: Role, cheapest: bool) -> Residual:
    items = items_for(plan, rules, left, role)
    if not len(items):
        return Residual([], 0, set(), set(), True)
    net = build_network(plan.index, items, plan.room(), rules.scope)
    flow = MaxFlow(net)
    value = flow.solve()
    flows = cheapest_flows(net, value) if cheapest else None
    pieces = decompose(net, flow.flows() if flows is None else flows)
    side = flow.source_side()
    rows = items.package
    return Residual(
        pieces=[(int(rows[i]), e, x) for i, e, x in pieces],
        value=value,
        cut_packages=set(rows[item_nodes(net, side)].tolist()),
        cut_experts=set(expert_nodes(net, side).tolist()),
        cheapest=cheapest,
    )


def _directions(plan: Plan, pieces: list[tuple[int, int, int]]) -> Counter:
    ix, out = plan.index, Counter()
    for p, e, x in pieces:
        out[(int(ix.e_school[e]), int(ix.p_school[p]), int(ix.p_subject[p]))] += x
    return out


def _losers(plan: Plan, pieces: list[tuple[int, int, int]]) -> set[tuple[int, int, int]]:
    """Directions (checker, checked, subject) to drop so no school pair checks both ways."""
    flows = _directions(plan, pieces)
    out = set()
    for (a, b, s), x in flows.items():
        y = flows.get((b, a, s), 0)
        if y and (x < y or (x == y and a > b)):
            out.add((a, b, s))
    return out


def _commit(plan: Plan, pieces: list[tuple[int, int, int]], role: Role, greedy: bool) -> None:
    for p, e, x in pieces:
        plan.add(p, e, x, role, greedy=greedy)


def _residual(
    plan: Plan, rules: Rules, demand: np.ndarray, role: Role, cheapest: bool = True
) -> Residual:
    """Solve what is left; with no-reciprocal keep the winning side of conflicts and go on.

    ``cheapest`` asks for a min-cost flow (few experts per package, local first); under
    no-reciprocal the max flow is kept, since conflicts are resolved on its pieces.
    """
    cheapest = cheapest and not rules.no_reciprocal
    for _ in range(MAX_ORIENTATIONS):
        res = _solve(plan, rules, demand - plan.placed(role), role, cheapest)
        losers = _losers(plan, res.pieces) if rules.no_reciprocal else set()
        if not losers:
            return res
        for checker, checked, subject in losers:
            rules.oriented.setdefault((checked, subject), set()).add(checker)
        _commit(plan, [x for x in res.pieces if _direction(plan, x) not in losers], role, True)
    return Residual([], 0, res.cut_packages, res.cut_experts)


def _direction(plan: Plan, piece: tuple[int, int, int]) -> tuple[int, int, int]:
    ix, (p, e, _) = plan.index, piece
    return int(ix.e_school[e]), int(ix.p_school[p]), int(ix.p_subject[p])


def _blockers(plan: Plan, rules: Rules, res: Residual) -> set[tuple[int, int, int]]:
    """Directions (checker, checked, subject) that bar cut packages from experts with room."""
    ix, room = plan.index, plan.room()
    out = set()
    for p in res.cut_packages:
        school, subject, skill = int(ix.p_school[p]), int(ix.p_subject[p]), int(ix.p_skill[p])
        experts = ix.skill_experts[skill]
        free = set(ix.e_school[experts[room[experts] > 0]].tolist())
        bars = set(plan.checked_by(school, subject)) | rules.oriented.get((school, subject), set())
        out.update((school, other, subject) for other in bars & free)
    return out


def _flip(plan: Plan, rules: Rules, res: Residual, role: Role) -> tuple[set[int], bool]:
    """Undo the pieces behind blocking directions and turn those pairs the other way."""
    flips = {f for f in _blockers(plan, rules, res) if _pair(f) not in rules.flipped}
    rules.flipped.update(_pair(f) for f in flips)
    for checker, checked, subject in flips:
        rules.oriented.get((checker, subject), set()).discard(checked)
        rules.oriented.setdefault((checked, subject), set()).add(checker)
    doomed = {
        i
        for i, piece in enumerate(plan.pieces)
        if piece.greedy and piece.role == role and _direction(plan, _raw(piece)) in flips
    }
    return doomed, bool(flips)


def _pair(direction: tuple[int, int, int]) -> tuple[int, int, int]:
    a, b, subject = direction
    return min(a, b), max(a, b), subject


def _raw(piece) -> tuple[int, int, int]:
    return piece.package, piece.expert, piece.works


def _undo(plan: Plan, rules: Rules, res: Residual, role: Role) -> bool:
    doomed = {
        i
        for i, piece in enumerate(plan.pieces)
        if piece.greedy
        and piece.role == role
        and piece.expert in res.cut_experts
        and piece.package not in res.cut_packages
    }
    flipped = False
    if rules.no_reciprocal:
        more, flipped = _flip(plan, rules, res, role)
        doomed |= more
    plan.remove(doomed)
    return bool(doomed) or flipped


def _pairs(plan: Plan, role: Role) -> int:
    return len({(x.package, x.expert) for x in plan.pieces if x.role == role})


def _repack(plan: Plan, cands: Candidates, rules: Rules, demand: np.ndarray, role: Role, depth):
    """Redo the flow's part by best-fit packing plus repairs; keep it if fewer pairs result."""
    before, pairs = plan.snapshot(), _pairs(plan, role)
    need = int(plan.placed(role).sum())
    plan.remove({i for i, x in enumerate(plan.pieces) if x.role == role and not x.greedy})
    place_role(plan, cands, rules, demand, role, need, tight=True, depth=depth + 1)
    if int(plan.placed(role).sum()) < need or _pairs(plan, role) >= pairs:
        plan.restore(before)


def place_role(
    plan: Plan,
    cands: Candidates,
    rules: Rules,
    demand: np.ndarray,
    role: Role,
    target: int | None,
    tight: bool = False,
    depth: int = 0,
) -> None:
    """Place ``demand`` in ``role``; with a target, repair greedy choices until it is met."""
    greedy(plan, cands, rules, demand - plan.placed(role), role, tight)
    best: tuple[int, list, Residual] | None = None
    stalled = 0
    for repairs in range(MAX_REPAIRS):
        res = _residual(plan, rules, demand, role, cheapest=repairs == 0)
        total = int(plan.placed(role).sum()) + res.value
        stalled = 0 if best is None or total > best[0] else stalled + 1
        if stalled == 0:
            best = (total, plan.snapshot(), res)
        if target is None or total >= target or stalled >= MAX_STALLED:
            break
        if not _undo(plan, rules, res, role):
            break
    total, pieces, res = best
    plan.restore(pieces)
    if not res.cheapest:
        res = _residual(plan, rules, demand, role)
    _commit(plan, res.pieces, role, False)
    if repairs and target is not None and total >= target and depth < MAX_DEPTH:
        _repack(plan, cands, rules, demand, role, depth)
    if depth == 0:
        consolidate(plan, cands, rules, role)


def untangle(plan: Plan, rules: Rules, role: Role) -> None:
    """Drop the smaller side of every pair of schools that check each other; bar that side."""
    pieces = [(x.package, x.expert, x.works) for x in plan.pieces if x.role == role]
    losers = _losers(plan, pieces)
    for checker, checked, subject in losers:
        rules.oriented.setdefault((checked, subject), set()).add(checker)
    plan.loosen()
    doomed = {
        i
        for i, x in enumerate(plan.pieces)
        if x.role == role and _direction(plan, _raw(x)) in losers
    }
    plan.remove(doomed)
