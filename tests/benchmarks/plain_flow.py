"""Plain min-cost-flow baseline for the pairing benchmark (independent of the engine).

One OR-Tools ``SimpleMinCostFlow`` over a network that is *exactly equivalent* to the flow over
all allowed arcs (rules 1, 2, 4 and 5; reciprocity relaxed), maximising similarity then same
settlement (cost ``-(sim * M + same)``, M = k * n + 1). Then, the simplest way to honour the
no-reciprocal rule: for every reciprocal pair forbid the arc from the larger to the smaller
index and solve again, until no reciprocal pair is left. The first solve is the exact optimum
of the relaxation; it is reported as ``relaxation_similarity``.

Why a sparse network and why it is exact. Weights depend only on the group (risk set,
settlement) of both schools, so for a reviewer region r and a reviewed group h one *structure*
serves every arc r -> h:

* hub H(r, h) -> F(r, h) -> v, capacity 1, for every h-school v outside r that no reviewer of
  r is forbidden (by history) to review: the single entry from region r into v (rule 5);
* the other h-schools outside r (the "tail" w_1..w_T, forbidden for some reviewer of r) are
  entered through X(r, h, j) -> w_j, capacity 1, fed by a prefix chain P_j -> P_(j-1) and a
  suffix chain S_j -> S_(j+1) (P_j and S_j both feed X_j); H(r, h) feeds P_T and S_1;
* a reviewer u of region r with no forbidden target in h sends through u -> H(r, h);
  one with forbidden tail positions f_1 < ... < f_m sends through u -> F(r, h),
  u -> P_(f_1 - 1), u -> S_(f_m + 1) and direct arcs u -> X_j for the positions strictly
  between that are not forbidden. The weight sits on these arcs out of u.

Every school-level pairing maps to a flow of the same cost (route each arc on its entry), and
every integral flow decomposes into a pairing: a unit entering at P_j can only reach
positions <= j, all allowed for its reviewer (j < f_1), likewise for S; a hub unit comes from a
reviewer with no forbidden target in h; each target takes one unit per region (capacity 1),
so no pair repeats and rule 5 holds. Hence the optimum equals the optimum over all arcs.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from tests.workflows.assignment.expertise.checker import Problem, jaccard


@dataclass
class PlainResult:
    """Baseline outcome: reviews as (reviewed, reviewer) and what it took."""

    reviews: list[tuple[str, str]] | None
    relaxation_similarity: float = 0.0  # exact all-arcs optimum without reciprocity, total
    rounds: int = 0
    seconds: float = 0.0
    arcs: int = 0
    nodes: int = 0
    notes: list[str] = field(default_factory=list)


def plain_flow(problem: Problem, max_rounds: int = 5) -> PlainResult:
    """Solve the plain flow once; with no reciprocal pairs asked, remove them by swaps."""
    started = time.perf_counter()
    net = _Inputs(problem)
    forbidden = set(net.history)
    result = PlainResult(None)
    for rounds in range(1, max_rounds + 1):
        arcs, size = _solve(net, forbidden)
        result.rounds, (result.arcs, result.nodes) = rounds, size
        if arcs is None:
            result.notes.append(f"round {rounds}: infeasible")
            break
        if rounds == 1:
            result.relaxation_similarity = float(
                sum(net.jaccard[net.grp[u]][net.grp[v]] for u, v in arcs)
            )
        if problem.no_reciprocal:
            swaps, mutual = _swap_out_reciprocal(net, arcs)
            result.notes.append(f"round {rounds}: {swaps} swaps, {len(mutual)} pairs left")
        else:
            mutual = []
        if not mutual:
            result.reviews = [(net.ids[v], net.ids[u]) for u, v in arcs]
            break
        forbidden.update(mutual)  # last resort: forbid one direction and solve again
    result.seconds = time.perf_counter() - started
    return result


def _swap_out_reciprocal(inp: _Inputs, arcs: list[tuple[int, int]]):
    """For each pair a <-> b swap a -> b with the arc c -> d losing the least weight into
    a -> d and c -> b, when every rule still holds; (swaps made, pairs left)."""
    n, reg, grp, w = len(inp.ids), inp.reg, inp.grp, inp.weight
    rev = np.array([u for u, _ in arcs], dtype=np.int64)
    red = np.array([v for _, v in arcs], dtype=np.int64)
    codes = set((rev * n + red).tolist())
    banned = np.array(sorted(a * n + b for a, b in inp.history), dtype=np.int64)
    swaps = 0
    for _ in range(3):
        mutual = [i for i in range(len(rev)) if rev[i] > red[i] and red[i] * n + rev[i] in codes]
        if not mutual:
            break
        for i in mutual:
            if red[i] * n + rev[i] not in codes:  # an earlier swap already broke this pair
                continue
            for arc in (i, _index(rev, red, red[i], rev[i])):
                j = _best_swap(n, reg, grp, w, rev, red, codes, banned, arc)
                if j is None or red[arc] * n + rev[arc] not in codes:
                    continue
                a, b, c, d = rev[arc], red[arc], rev[j], red[j]
                codes -= {a * n + b, c * n + d}
                codes |= {a * n + d, c * n + b}
                red[arc], red[j] = d, b
                swaps += 1
                break
    left = [
        (int(rev[i]), int(red[i]))
        for i in range(len(rev))
        if rev[i] > red[i] and red[i] * n + rev[i] in codes
    ]
    arcs[:] = list(zip(rev.tolist(), red.tolist(), strict=True))
    return swaps, left


def _index(rev: np.ndarray, red: np.ndarray, u: int, v: int) -> int:
    return int(np.flatnonzero((rev == u) & (red == v))[0])


def _best_swap(n, reg, grp, w, rev, red, codes, banned, i):
    """Arc j (c -> d) whose exchange with arc i (a -> b) keeps every rule and loses least."""
    a, b = rev[i], red[i]
    c, d = rev, red
    ok = (reg[a] != reg[d]) & (reg[c] != reg[b]) & (np.arange(len(rev)) != i)
    ok &= (c != a) & (d != b)
    new_ad, new_cb = a * n + d, c * n + b
    ok &= ~np.isin(new_ad, banned) & ~np.isin(new_cb, banned)
    existing = np.fromiter(codes, dtype=np.int64)
    ok &= ~np.isin(new_ad, existing) & ~np.isin(new_cb, existing)  # no duplicate pair
    ok &= ~np.isin(d * n + a, existing) & ~np.isin(b * n + c, existing)  # no new mutual pair
    # rule 5: a's region new among d's reviewers other than c (who leaves d), and c's region
    # new among b's reviewers other than a (who leaves b)
    from_a_region = np.bincount(red[reg[rev] == reg[a]], minlength=n)
    ok &= from_a_region[d] - (reg[c] == reg[a]) == 0
    ok &= ~np.isin(reg[c], reg[rev[(red == b) & (rev != a)]])
    if not ok.any():
        return None
    loss = w[grp[a], grp[b]] + w[grp[c], grp[d]] - w[grp[a], grp[d]] - w[grp[c], grp[b]]
    loss = np.where(ok, loss, np.iinfo(np.int64).max)
    return int(loss.argmin())


class _Inputs:
    """Schools as integer arrays; group similarity as scaled integers."""

    def __init__(self, problem: Problem) -> None:
        self.k = problem.k
        self.ids = sorted(problem.schools)
        index = {sid: i for i, sid in enumerate(self.ids)}
        schools = [problem.schools[sid] for sid in self.ids]
        regions = sorted({s["region"] for s in schools})
        self.reg = np.array([regions.index(s["region"]) for s in schools], dtype=np.int64)
        keys: dict[tuple, int] = {}
        grp = [
            keys.setdefault((frozenset(s["risks"]), s["settlement"]), len(keys)) for s in schools
        ]
        self.grp = np.array(grp, dtype=np.int64)
        groups = list(keys)
        self.jaccard = [[jaccard(set(a[0]), set(b[0])) for b in groups] for a in groups]
        scale = math.lcm(*(x.denominator for row in self.jaccard for x in row))
        n = len(self.ids)
        sim = np.array([[int(x * scale) for x in row] for row in self.jaccard], dtype=np.int64)
        settlement = np.array([g[1] for g in groups])
        same = settlement[:, None] == settlement[None, :]
        self.weight = sim * (self.k * n + 1) + same
        self.n_regions = len(regions)
        self.history = {
            (index[a], index[b])
            for a, b in problem.history
            if a in index and b in index and self.reg[index[a]] != self.reg[index[b]]
        }


def _group(school: dict) -> tuple:
    return frozenset(school["risks"]), school["settlement"]


class _Net:
    """Arc lists of the flow network under construction."""

    def __init__(self) -> None:
        self.tails: list[np.ndarray] = []
        self.heads: list[np.ndarray] = []
        self.caps: list[np.ndarray] = []
        self.costs: list[np.ndarray] = []
        self.tags: list[tuple[str, int]] = []

    def add(self, tag: str, tails, heads, caps, costs=0) -> None:
        tails = np.asarray(tails, dtype=np.int64)
        self.tails.append(tails)
        self.heads.append(np.asarray(heads, dtype=np.int64))
        self.caps.append(np.broadcast_to(np.asarray(caps, dtype=np.int64), tails.shape))
        self.costs.append(np.broadcast_to(np.asarray(costs, dtype=np.int64), tails.shape))
        self.tags.append((tag, len(tails)))


def _solve(inp: _Inputs, forbidden: set[tuple[int, int]]):
    """One min-cost flow; the chosen (reviewer, reviewed) index pairs, or None if infeasible."""
    n, k, reg, grp = len(inp.ids), inp.k, inp.reg, inp.grp
    n_grp = int(grp.max()) + 1
    big = k * n
    # structures (r, h) that have h-schools outside r
    members = np.zeros((inp.n_regions, n_grp), dtype=np.int64)
    np.add.at(members, (reg, grp), 1)
    outside = members.sum(axis=0)[None, :] - members
    struct = np.full(outside.shape, -1, dtype=np.int64)
    s_r, s_h = np.nonzero(outside)
    struct[s_r, s_h] = np.arange(len(s_r))
    n_struct = len(s_r)
    # tails: per structure, the sorted targets forbidden for some reviewer of that region
    bad = sorted(forbidden)
    tail_of: dict[int, list[int]] = defaultdict(list)
    for u, v in bad:
        tail_of[int(struct[reg[u], grp[v]])].append(v)
    tail_pos: dict[tuple[int, int], int] = {}
    tail_entries = []  # (structure, position 1..T, target)
    for s in sorted(tail_of):
        for j, v in enumerate(sorted(set(tail_of[s])), start=1):
            tail_pos[s, v] = j
            tail_entries.append((s, j, v))
    tail_len = defaultdict(int)
    for s, j, _ in tail_entries:
        tail_len[s] = max(tail_len[s], j)
    # node numbering
    hub = 2 * n + np.arange(n_struct)
    free = 2 * n + n_struct + np.arange(n_struct)
    base = 2 * n + 2 * n_struct
    t_index = {(s, j): i for i, (s, j, _) in enumerate(tail_entries)}
    n_tail = len(tail_entries)
    p_node = base + np.arange(n_tail)
    s_node = base + n_tail + np.arange(n_tail)
    x_node = base + 2 * n_tail + np.arange(n_tail)
    n_nodes = base + 3 * n_tail
    net = _Net()
    # reviewer u -> hub or, where u has forbidden targets in h, the detour entries
    tainted: dict[tuple[int, int], list[int]] = defaultdict(list)
    for u, v in bad:
        tainted[u, int(struct[reg[u], grp[v]])].append(tail_pos[int(struct[reg[u], grp[v]]), v])
    uu = np.repeat(np.arange(n), n_grp)
    hh = np.tile(np.arange(n_grp), n)
    ss = struct[reg[uu], hh]
    ok = ss >= 0
    if tainted:
        codes = np.array([u * n_struct + s for u, s in tainted], dtype=np.int64)
        ok &= ~np.isin(uu * n_struct + ss, codes)
    net.add("u_hub", uu[ok], hub[ss[ok]], k, -inp.weight[grp[uu[ok]], hh[ok]])
    detour_t, detour_h, detour_c = [], [], []
    for (u, s), positions in sorted(tainted.items()):
        cost = -int(inp.weight[grp[u], s_h[s]])
        first, last, length = min(positions), max(positions), tail_len[s]
        entries = [int(free[s])]
        if first > 1:
            entries.append(int(p_node[t_index[s, first - 1]]))
        if last < length:
            entries.append(int(s_node[t_index[s, last + 1]]))
        entries += [
            int(x_node[t_index[s, j]]) for j in range(first + 1, last) if j not in positions
        ]
        detour_t += [u] * len(entries)
        detour_h += entries
        detour_c += [cost] * len(entries)
    net.add("u_detour", detour_t, detour_h, k, detour_c)
    # hub -> free hub -> free targets; hub -> ends of the tail chains
    net.add("hub_free", hub, free, big)
    vv = np.tile(np.arange(n), inp.n_regions)
    rr = np.repeat(np.arange(inp.n_regions), n)
    keep = reg[vv] != rr
    vv, rr = vv[keep], rr[keep]
    sv = struct[rr, grp[vv]]
    tail_codes = np.array([s * n + v for s, v in tail_pos], dtype=np.int64)
    in_tail = np.isin(sv * n + vv, tail_codes)
    net.add("free_target", free[sv[~in_tail]], n + vv[~in_tail], 1)
    ends = sorted(tail_len.items())
    net.add("hub_p", [hub[s] for s, _ in ends], [p_node[t_index[s, t]] for s, t in ends], big)
    net.add("hub_s", [hub[s] for s, _ in ends], [s_node[t_index[s, 1]] for s, _ in ends], big)
    # chains
    ti = np.arange(n_tail)
    pos = np.array([j for _, j, _ in tail_entries], dtype=np.int64)
    tgt = np.array([v for _, _, v in tail_entries], dtype=np.int64)
    length = np.array([tail_len[s] for s, _, _ in tail_entries], dtype=np.int64)
    net.add("p_x", p_node, x_node, 1)
    net.add("s_x", s_node, x_node, 1)
    net.add("p_down", p_node[ti[pos > 1]], p_node[ti[pos > 1] - 1], big)
    net.add("s_up", s_node[ti[pos < length]], s_node[ti[pos < length] + 1], big)
    net.add("x_target", x_node, n + tgt, 1)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(net.tails),
        np.concatenate(net.heads),
        np.concatenate(net.caps),
        np.concatenate(net.costs),
    )
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[:n], supplies[n : 2 * n] = k, -k
    flow.set_nodes_supplies(np.arange(n_nodes), supplies)
    status = flow.solve()
    size = (sum(len(t) for t in net.tails), n_nodes)
    if status == flow.INFEASIBLE:
        return None, size
    if status != flow.OPTIMAL:
        raise RuntimeError(f"plain flow failed: {status}")
    amounts = flow.flows(np.arange(size[0]))
    parts, at = {}, 0
    for (tag, count), tails, heads in zip(net.tags, net.tails, net.heads, strict=True):
        a = amounts[at : at + count]
        parts[tag] = (tails, heads, a)
        at += count
    nodes = (hub, free, p_node, s_node, x_node)
    return _decompose(parts, n, n_struct, nodes, tail_entries), size


def _decompose(parts, n, n_struct, nodes, tail_entries):
    """Turn the structure flows back into (reviewer, reviewed) pairs, one per unit."""
    hub, free, p_node, s_node, x_node = nodes
    node_struct = {}
    for s in range(n_struct):
        node_struct[int(hub[s])] = ("hub", s, 0)
        node_struct[int(free[s])] = ("free", s, 0)
    for i, (s, j, _) in enumerate(tail_entries):
        node_struct[int(p_node[i])] = ("p", s, j)
        node_struct[int(s_node[i])] = ("s", s, j)
        node_struct[int(x_node[i])] = ("x", s, j)
    entries = defaultdict(list)  # (kind, s, j) -> reviewers entering there
    for tag in ("u_hub", "u_detour"):
        tails, heads, a = parts[tag]
        for u, h, f in zip(tails[a > 0], heads[a > 0], a[a > 0], strict=True):
            entries[node_struct[int(h)]] += [int(u)] * int(f)
    out = defaultdict(list)  # structure -> flows out of the hub: (kind, amount)
    for tag, kind in (("hub_free", "free"), ("hub_p", "p"), ("hub_s", "s")):
        tails, heads, a = parts[tag]
        for t, f in zip(tails[a > 0], a[a > 0], strict=True):
            out[node_struct[int(t)][1]].append((kind, int(f)))
    tail_target = {(s, j): v for s, j, v in tail_entries}
    length = defaultdict(int)
    for s, j, _ in tail_entries:
        length[s] = max(length[s], j)
    pairs = []
    structs = {key[1] for key in entries}
    for s in sorted(structs):
        pool_hub = entries.get(("hub", s, 0), [])
        taken = 0
        for kind, f in out.get(s, []):
            chunk = pool_hub[taken : taken + f]
            taken += f
            if kind == "free":
                entries["free", s, 0] = entries.get(("free", s, 0), []) + chunk
            elif kind == "p":
                entries["p", s, length[s]] = entries.get(("p", s, length[s]), []) + chunk
            else:
                entries["s", s, 1] = entries.get(("s", s, 1), []) + chunk
    # free hubs: any unit may take any free target of its structure
    tails, heads, a = parts["free_target"]
    by_free = defaultdict(list)
    for t, h in zip(tails[a > 0], heads[a > 0], strict=True):
        by_free[node_struct[int(t)][1]].append(int(h) - n)
    for s, targets in by_free.items():
        units = entries.get(("free", s, 0), [])
        assert len(units) == len(targets), "flow conservation at a free hub"
        pairs += list(zip(units, targets, strict=True))
    # chains: walk P from the top down and S from the bottom up
    used = {}
    for tag in ("p_x", "s_x"):
        tails, heads, a = parts[tag]
        for t in tails[a > 0]:
            used[node_struct[int(t)]] = True
    for s in sorted(length):
        for kind, order in (("p", range(length[s], 0, -1)), ("s", range(1, length[s] + 1))):
            pool = []
            for j in order:
                pool += entries.get((kind, s, j), [])
                if used.get((kind, s, j)):
                    pairs.append((pool.pop(), tail_target[s, j]))
            assert not pool, "flow conservation along a chain"
    for (kind, s, j), units in entries.items():
        if kind == "x":
            pairs += [(u, tail_target[s, j]) for u in units]
    return pairs
