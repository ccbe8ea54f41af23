"""A plain min-cost-flow model of the ВПР cross-check, solved once (independent of the engine).

The yardstick of issue 9 §4: what a careful engineer gets from one OR-Tools
``SimpleMinCostFlow`` without any of the engine's machinery. Written from the rules only (it
imports the input dataclasses, nothing else of the engine).

Network: source → package part (first check: ``works``; second check: ``ceil(share × works)``)
→ (school, subject, grade) node of every allowed school → its experts of that subject and grade
(capacity) → sink, and source → sink at cost 0 for what stays unplaced. A first-check work
earns 2, a second-check work 1, so the flow places the most first checks, then the most second
checks. Scope is applied when the arcs are made; a second check only bars the package's own
school. The two rules a flow cannot state are then enforced by dropping works: second checks at
a school that also does a first check of the package, second checks beyond the package's
first-checked works, and under no-reciprocal the lighter direction of every pair of schools
checking each other in a subject (both roles) — or, with ``orientation="parity"``, every pair of
schools is oriented before the solve (of schools i < j in the sorted ids, i checks j when i + j
is odd, otherwise j checks i: a balanced tournament, so every school may check about half of the
others) and no arc breaks the rule. Only scopes ``same-municipality`` (arcs inside the
municipality) are built: with scope ``any`` the plain network has packages × schools arcs
(75 million at region size), which is no model anyone would solve once.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from ortools.graph.python import min_cost_flow

from workflows.assignment.crosscheck.model import Assignment, Result, Role


@dataclass
class PlainFigures:
    """What the plain model achieved."""

    primary_unassigned: int
    second_unassigned: int
    seconds: float
    arcs: int
    result: Result


def _may_check(orientation: str, no_reciprocal: bool, school_rank: dict):
    def allowed(checker: str, checked: str) -> bool:
        if not no_reciprocal or orientation != "parity":
            return True
        i, j = school_rank[checker], school_rank[checked]
        low_checks = (i + j) % 2 == 1
        return low_checks if i < j else not low_checks

    return allowed


def plain_crosscheck(packages, experts, options, orientation: str = "drop") -> PlainFigures:
    """Solve the plain model once and return a rule-abiding answer with its figures."""
    if str(options.scope) != "same-municipality":
        raise ValueError("the plain model is built for scope same-municipality only")
    started = time.perf_counter()
    share = Fraction(str(options.second_check))
    need2 = [math.ceil(share * p.works) for p in packages]
    # (school, subject, grade) nodes with the experts behind them
    groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for j, e in enumerate(experts):
        if e.capacity > 0:
            for subject in e.subjects:
                for grade in e.grades:
                    groups[e.school_id, subject, grade].append(j)
    by_muni_skill: dict[tuple[str, str, int], list[tuple[str, str, int]]] = defaultdict(list)
    for key in sorted(groups):
        by_muni_skill[experts[groups[key][0]].municipality_id, key[1], key[2]].append(key)
    group_ids = {key: i for i, key in enumerate(sorted(groups))}
    ranks = {
        s: i for i, s in enumerate(sorted({p.school_id for p in packages} | set(groups_s(groups))))
    }
    allowed = _may_check(orientation, options.no_reciprocal, ranks)
    n_parts = 2 * len(packages)
    source, sink = 0, 1
    part0 = 2
    group0 = part0 + n_parts
    expert0 = group0 + len(group_ids)
    tails, heads, caps, costs, kinds = [], [], [], [], []

    def arc(t, h, c, w, kind):
        tails.append(t)
        heads.append(h)
        caps.append(c)
        costs.append(w)
        kinds.append(kind)

    for i, p in enumerate(packages):
        for role, amount, reward in ((0, p.works, -2), (1, need2[i], -1)):
            node = part0 + 2 * i + role
            if amount <= 0:
                continue
            arc(source, node, amount, reward, 0)
            for key in by_muni_skill.get((p.municipality_id, p.subject, p.grade), ()):
                if key[0] != p.school_id and allowed(key[0], p.school_id):
                    arc(node, group0 + group_ids[key], amount, 0, 1)
    for key, members in groups.items():
        for j in members:
            arc(group0 + group_ids[key], expert0 + j, experts[j].capacity, 0, 2)
    for j, e in enumerate(experts):
        arc(expert0 + j, sink, e.capacity, 0, 3)
    total = sum(p.works for p in packages) + sum(need2)
    arc(source, sink, total, 0, 4)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        np.array(tails), np.array(heads), np.array(caps), np.array(costs)
    )
    solver.set_node_supply(source, total)
    solver.set_node_supply(sink, -total)
    if solver.solve() != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError("plain min-cost flow failed")
    flows = solver.flows(arcs)
    pieces = _pieces(tails, heads, kinds, flows, part0, group0, expert0)
    assignments = _enforce(pieces, packages, experts, options, need2)
    seconds = time.perf_counter() - started
    placed = defaultdict(int)
    for a in assignments:
        placed[a.role] += a.works
    return PlainFigures(
        primary_unassigned=sum(p.works for p in packages) - placed[Role.PRIMARY],
        second_unassigned=sum(need2) - placed[Role.SECOND] if options.second_check else 0,
        seconds=seconds,
        arcs=len(tails),
        result=Result(assignments=assignments, unassigned=[], summary={}),
    )


def groups_s(groups: dict) -> set[str]:
    """Schools that have experts."""
    return {key[0] for key in groups}


def _pieces(tails, heads, kinds, flows, part0, group0, expert0):
    """(package row, role, expert row, works) from the flow: parts queue at every group node."""
    queues: dict[int, deque] = defaultdict(deque)
    out = []
    for t, h, k, f in zip(tails, heads, kinds, flows, strict=True):
        if f > 0 and k == 1:
            queues[h].append([t - part0, int(f)])
    for t, h, k, f in zip(tails, heads, kinds, flows, strict=True):
        if f > 0 and k == 2:
            left, queue = int(f), queues[t]
            while left:
                part, have = queue[0]
                used = min(left, have)
                out.append((part // 2, part % 2, h - expert0, used))
                left -= used
                if used == have:
                    queue.popleft()
                else:
                    queue[0][1] = have - used
    return out


def _enforce(pieces, packages, experts, options, need2) -> list[Assignment]:
    """Drop what breaks the third-school, first-before-second and no-reciprocal rules."""
    firsts = defaultdict(set)
    first_works = defaultdict(int)
    for p, role, e, w in pieces:
        if role == 0:
            firsts[p].add(experts[e].school_id)
            first_works[p] += w
    kept, seconds = [], defaultdict(int)
    for p, role, e, w in pieces:
        if role == 1:
            if experts[e].school_id in firsts[p]:
                continue
            w = min(w, first_works[p] - seconds[p])
            if w <= 0:
                continue
            seconds[p] += w
        kept.append((p, role, e, w))
    if options.no_reciprocal:
        volume = defaultdict(int)
        for p, _, e, w in kept:
            volume[packages[p].subject, packages[p].school_id, experts[e].school_id] += w
        dropped = set()
        for (s, a, b), there in volume.items():
            back = volume.get((s, b, a), 0)
            if back and (there, a) < (back, b):
                dropped.add((s, a, b))
        kept = [
            x
            for x in kept
            if (packages[x[0]].subject, packages[x[0]].school_id, experts[x[2]].school_id)
            not in dropped
        ]
        # a second check may now exceed the first-checked works left
        firsts_left = defaultdict(int)
        for p, role, _, w in kept:
            if role == 0:
                firsts_left[p] += w
        seconds, trimmed = defaultdict(int), []
        for p, role, e, w in kept:
            if role == 1:
                w = min(w, firsts_left[p] - seconds[p])
                if w <= 0:
                    continue
                seconds[p] += w
            trimmed.append((p, role, e, w))
        kept = trimmed
    roles = (Role.PRIMARY, Role.SECOND)
    return [
        Assignment(packages[p].package_id, experts[e].expert_id, w, roles[role])
        for p, role, e, w in kept
    ]
