"""Exact refinement by CP-SAT for small instances the flow phase cannot prove optimal.

The no-reciprocal rule and the third-school rule of second checks are not flow constraints, so
for them the flow phase is a heuristic. When the instance has at most ``PAIR_LIMIT``
(package, expert) pairs the engine states the whole lexicographic problem as an integer program
and lets CP-SAT, warm-started from the flow answer, solve it: most works placed (first checks,
then second checks), then the smallest largest load ratio (a search over capacity breakpoints),
then few experts per package and local experts. Each stage has a time limit; a stage that runs
out of time keeps the best answer found and is reported as not proven.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model

from workflows.assignment.crosscheck.bounds import caps_at
from workflows.assignment.crosscheck.greedy import Candidates, Rules
from workflows.assignment.crosscheck.instance import Index
from workflows.assignment.crosscheck.model import Role, Scope

PAIR_LIMIT = 30_000
STAGE_SECONDS = 8.0
POLISH_SECONDS = 3.0
BIG = 10**6


@dataclass
class Answer:
    """A CP-SAT solution: pieces (package, expert, works, role) and what was proven."""

    pieces: list[tuple[int, int, int, Role]]
    counts_proven: bool
    bound: Fraction
    ratio_proven: bool


def pairs(index: Index, scope: Scope, limit: int | None = None) -> list[tuple[int, int]] | None:
    """Allowed (package, expert) pairs, or None if there are more than ``limit``."""
    limit = PAIR_LIMIT if limit is None else limit
    sizes = np.array([len(e) for e in index.skill_experts])[index.p_skill]
    if int(sizes[index.p_works > 0].sum()) > 4 * limit:
        return None
    cands, out = Candidates(index), []
    for p in np.flatnonzero(index.p_works > 0).tolist():
        groups = cands.groups(int(index.p_skill[p]), int(index.p_muni[p]), scope)
        experts = np.concatenate(list(groups))
        experts = experts[index.e_school[experts] != index.p_school[p]]
        out += [(p, int(e)) for e in experts.tolist()]
        if len(out) > limit:
            return None
    return out


class _Model:
    """Variables and rules of one CP-SAT model with the given expert capacities."""

    def __init__(self, index, rules: Rules, pairs_: list, need2: np.ndarray | None, caps) -> None:
        self.ix, self.m, self.caps = index, cp_model.CpModel(), caps
        self.aux: list[tuple[cp_model.IntVar, list]] = []
        self.top: dict[int, int] = {}
        self.x = {pe: self._var(pe, index.p_works[pe[0]]) for pe in pairs_}
        self.s = {pe: self._var(pe, need2[pe[0]]) for pe in pairs_} if need2 is not None else {}
        self._limits(need2)
        if self.s:
            self._third_school()
        if rules.no_reciprocal:
            self._no_reciprocal()

    def _var(self, pe: tuple[int, int], most: int) -> cp_model.IntVar:
        top = int(min(most, self.caps[pe[1]]))
        var = self.m.new_int_var(0, top, "")
        self.top[var.index] = top
        return var

    def _limits(self, need2: np.ndarray | None) -> None:
        by_package, by_expert = {}, {}
        for (p, e), v in self.x.items():
            by_package.setdefault(p, []).append(v)
            by_expert.setdefault(e, []).append(v)
        for p, vs in by_package.items():
            self.m.add(sum(vs) <= int(self.ix.p_works[p]))
        seconds = {}
        for (p, e), v in self.s.items():
            seconds.setdefault(p, []).append(v)
            by_expert.setdefault(e, []).append(v)
        for p, vs in seconds.items():
            self.m.add(sum(vs) <= int(need2[p]))
            self.m.add(sum(vs) <= sum(by_package[p]))
        for e, vs in by_expert.items():
            self.m.add(sum(vs) <= int(self.caps[e]))

    def _third_school(self) -> None:
        groups: dict[tuple[int, int], list] = {}
        for (p, e), v in self.x.items():
            groups.setdefault((p, int(self.ix.e_school[e])), []).append((v, self.s[(p, e)]))
        for (p, _), vs in groups.items():
            first = self.flag([v for v, _ in vs])
            self.m.add(sum(w for _, w in vs) <= int(self.ix.p_works[p]) * (1 - first))

    def _no_reciprocal(self) -> None:
        ix, flows = self.ix, {}
        for (p, e), v in [*self.x.items(), *self.s.items()]:
            key = (int(ix.e_school[e]), int(ix.p_school[p]), int(ix.p_subject[p]))
            flows.setdefault(key, []).append(v)
        used = {key: self.flag(vs) for key, vs in flows.items()}
        for key in flows:
            back = (key[1], key[0], key[2])
            if back in used and key < back:
                self.m.add(used[key] + used[back] <= 1)

    def flag(self, terms: list) -> cp_model.IntVar:
        """A boolean that must be 1 when any of ``terms`` is positive."""
        flag = self.m.new_bool_var("")
        self.m.add(sum(terms) <= BIG * flag)
        self.aux.append((flag, terms))
        return flag

    def hint(self, pieces: list) -> None:
        """Start from a known answer, auxiliary booleans included."""
        known = {(p, e, r): w for p, e, w, r in pieces}
        values = {}
        for role, table in ((Role.PRIMARY, self.x), (Role.SECOND, self.s)):
            for (p, e), v in table.items():
                values[v.index] = min(known.get((p, e, role), 0), self.top[v.index])
                self.m.add_hint(v, values[v.index])
        for flag, terms in self.aux:
            self.m.add_hint(flag, int(any(values.get(t.index, 0) > 0 for t in terms)))

    def run(self, seconds: float) -> tuple[cp_model.CpSolver, int]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 2
        return solver, solver.solve(self.m)

    def pieces(self, solver: cp_model.CpSolver) -> list[tuple[int, int, int, Role]]:
        """The solution as pieces."""
        out = [(p, e, solver.value(v), Role.PRIMARY) for (p, e), v in self.x.items()]
        out += [(p, e, solver.value(v), Role.SECOND) for (p, e), v in self.s.items()]
        return [x for x in out if x[2] > 0]

    def fix_counts(self, primary: int, second: int) -> None:
        """Keep the placed counts of the lexicographic first stages."""
        self.m.add(sum(self.x.values()) == primary)
        if self.s:
            self.m.add(sum(self.s.values()) == second)


def _counts(model: _Model) -> tuple[int, int, bool, list]:
    """Maximise first checks, then second checks."""
    model.m.maximize(sum(model.x.values()))
    solver, status = model.run(STAGE_SECONDS)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return -1, -1, False, []
    primary, proven = round(solver.objective_value), status == cp_model.OPTIMAL
    if not model.s:
        return primary, 0, proven, model.pieces(solver)
    model.m.add(sum(model.x.values()) >= primary)
    model.m.maximize(sum(model.s.values()))
    solver, status = model.run(STAGE_SECONDS)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return -1, -1, False, []
    second = round(solver.objective_value)
    return primary, second, proven and status == cp_model.OPTIMAL, model.pieces(solver)


def _breakpoints(caps: np.ndarray, lo: Fraction, hi: Fraction) -> list[Fraction]:
    out = set()
    for c in np.unique(caps[caps > 0]).tolist():
        for j in range(int(lo * c), int(hi * c) + 1):
            if lo <= Fraction(j, c) <= hi:
                out.add(Fraction(j, c))
    return sorted(out)


def _ratio_of(index, pieces: list) -> Fraction:
    load = np.zeros(len(index.experts), dtype=np.int64)
    for _, e, w, _ in pieces:
        load[e] += w
    used = np.flatnonzero(index.e_cap > 0)
    if not len(used):
        return Fraction(0)
    worst = used[np.argmax(load[used] / index.e_cap[used])]
    return Fraction(int(load[worst]), int(index.e_cap[worst]))


class _Search:
    """Smallest ratio at which the counts stay feasible: bisection over capacity breakpoints."""

    def __init__(self, index, rules: Rules, pairs_: list, need2, counts: tuple[int, int]) -> None:
        self.ix, self.rules, self.pairs = index, rules, pairs_
        self.need2, self.counts = need2, counts

    def model(self, ratio: Fraction, hint: list) -> _Model:
        """A model with capacities at ``ratio`` and the counts fixed."""
        caps = caps_at(ratio, self.ix.e_cap, np.zeros_like(self.ix.e_cap))
        model = _Model(self.ix, self.rules, self.pairs, self.need2, caps)
        model.fix_counts(*self.counts)
        model.hint(hint)
        return model

    def run(self, pieces: list, lower: Fraction) -> tuple[list, Fraction]:
        """Best pieces found and the proven lower bound on their largest ratio."""
        cands = _breakpoints(self.ix.e_cap, lower, _ratio_of(self.ix, pieces))
        lo, hi, bound = 0, len(cands) - 1, lower
        while lo < hi:
            mid = (lo + hi) // 2
            model = self.model(cands[mid], pieces)
            solver, status = model.run(STAGE_SECONDS)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                pieces, hi = model.pieces(solver), mid
                continue
            if status == cp_model.INFEASIBLE:
                bound = max(bound, cands[mid + 1])
            lo = mid + 1
        return pieces, bound

    def polish(self, pieces: list) -> list:
        """Fewest (package, expert) pairs, then most local works, at the found ratio."""
        ratio, ix, cost = _ratio_of(self.ix, pieces), self.ix, []
        caps = caps_at(ratio, ix.e_cap, np.zeros_like(ix.e_cap))
        model = _Model(ix, self.rules, self.pairs, self.need2, caps)
        model.fix_counts(*self.counts)
        for (p, e), v in [*model.x.items(), *model.s.items()]:
            local = ix.e_muni[e] == ix.p_muni[p]
            cost += [1000 * model.flag([v]), 0 if local else v]
        model.hint(pieces)
        model.m.minimize(sum(cost))
        solver, status = model.run(POLISH_SECONDS)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return model.pieces(solver)
        return pieces


def refine(
    index: Index,
    rules: Rules,
    need2: np.ndarray | None,
    pieces: list,
    lower: Callable[[int, int], Fraction],
) -> Answer | None:
    """Exact answer for a small instance, or None when the instance is too big.

    ``pieces`` is the flow answer (a hint); ``lower(primary, second)`` gives the relaxation's
    lower bound on the ratio for those counts.
    """
    pairs_ = pairs(index, rules.scope)
    if pairs_ is None:
        return None
    model = _Model(index, rules, pairs_, need2, index.e_cap)
    model.hint(pieces)
    primary, second, counts_proven, found = _counts(model)
    flow = _count_pieces(pieces)
    if (primary, second) < flow:
        return None
    if (primary, second) == flow and _ratio_of(index, pieces) <= _ratio_of(index, found):
        found = pieces
    search = _Search(index, rules, pairs_, need2, (primary, second))
    found, bound = search.run(found, lower(primary, second))
    found = search.polish(found)
    return Answer(found, counts_proven, bound, counts_proven and bound >= _ratio_of(index, found))


def _count_pieces(pieces: list) -> tuple[int, int]:
    first = sum(w for *_, w, r in pieces if r == Role.PRIMARY)
    return first, sum(w for *_, w, r in pieces if r == Role.SECOND)
