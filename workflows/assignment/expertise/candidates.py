"""One blocked pass over all school pairs: candidate arcs and per-school similarity bounds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.weights import Weights, pair_key, similarity

CELLS_PER_BLOCK = 1_500_000  # keeps each (block x n) temporary around 12 MB
RANDOM_SHARE = 4  # one random partner for every four best ones
GUIDED_RANDOM = 4  # random partners per school next to the guided arcs


@dataclass
class Scan:
    """Candidate arcs reviewer -> reviewed and two upper bounds on the total similarity."""

    cand_u: np.ndarray
    cand_v: np.ndarray
    in_bound: int  # sum over schools of their k best reviewers from k distinct regions
    out_bound: int  # sum over schools of the k best schools they could review
    short: int  # schools with fewer than k usable reviewer regions


@dataclass
class _Block:
    rows: np.ndarray
    key: np.ndarray | None  # rank_key (similarity, settlement, size); only when picking the best
    sim: np.ndarray
    valid: np.ndarray
    no_in: np.ndarray  # history forbids col -> row
    no_out: np.ndarray  # history forbids row -> col


def scan(
    inst: Instance,
    w: Weights,
    k: int,
    limit: int | None,
    seed: int = 0,
    guided: tuple[np.ndarray, np.ndarray] | None = None,
    top: bool = True,
) -> Scan:
    """Scan all pairs; ``limit=None`` keeps every valid arc, else about ``limit`` per school
    plus the ``guided`` arcs (valid arcs chosen by the region-aware class flow). With
    ``top=False`` the per-school best partners are skipped: only GUIDED_RANDOM random partners
    per school join the guided arcs (the cheap first try when guided arcs exist)."""
    perm = np.argsort(inst.region, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(inst.region[perm]) != 0])
    rng = np.random.default_rng(seed)
    hmax = _history_degree(inst)
    step = max(16, CELLS_PER_BLOCK // max(1, inst.n))
    parts_u, parts_v, in_bound, out_bound, short = [], [], 0, 0, 0
    class_sim = _class_similarity(inst, w)
    need_key = limit is not None and top
    for start in range(0, inst.n, step):
        block = _block(inst, w, perm, start, min(inst.n, start + step), class_sim, need_key)
        b_in, b_out, b_short = _bounds(block, starts, k)
        in_bound, out_bound, short = in_bound + b_in, out_bound + b_out, short + b_short
        if limit is None:
            cu, cv = _all_arcs(block, perm)
        elif not top:
            cu, cv = _random_arcs(block, perm, GUIDED_RANDOM, rng)
        else:
            cu, cv = _top_arcs(inst, block, perm, starts, limit + hmax, rng)
        parts_u.append(cu)
        parts_v.append(cv)
    if limit is not None and guided is not None:
        parts_u.append(guided[0])
        parts_v.append(guided[1])
    cand_u, cand_v = _dedupe(inst.n, np.concatenate(parts_u), np.concatenate(parts_v))
    return Scan(cand_u, cand_v, in_bound, out_bound, short)


def _history_degree(inst: Instance) -> int:
    if not len(inst.hist_u):
        return 0
    return int(max(np.bincount(inst.hist_u).max(), np.bincount(inst.hist_v).max()))


def _class_similarity(inst: Instance, w: Weights) -> np.ndarray:
    """Scaled similarity between risk-set classes, in the smallest integer type that fits."""
    rep = np.unique(inst.risk_class, return_index=True)[1]
    sim = similarity(inst, w, rep[:, None], rep[None, :])
    return sim.astype(np.int16 if w.scale < 2**15 else np.int64)


def _block(inst, w: Weights, perm, start: int, stop: int, class_sim, need_key: bool) -> _Block:
    rows = np.arange(start, stop)
    key = pair_key(inst, w, rows[:, None], perm[None, :]) if need_key else None
    sim = np.take(class_sim[inst.risk_class[rows]], inst.risk_class[perm], axis=1)
    valid = inst.region[rows][:, None] != inst.region[perm][None, :]
    pos = np.empty(inst.n, dtype=np.int64)
    pos[perm] = np.arange(inst.n)
    no_in = _history_mask(rows, inst.hist_v, pos[inst.hist_u], inst.n)
    no_out = _history_mask(rows, inst.hist_u, pos[inst.hist_v], inst.n)
    return _Block(rows, key, sim, valid, no_in, no_out)


def _history_mask(rows: np.ndarray, row_of: np.ndarray, col_of: np.ndarray, n: int) -> np.ndarray:
    mask = np.zeros((len(rows), n), dtype=bool)
    hit = (row_of >= rows[0]) & (row_of <= rows[-1])
    mask[row_of[hit] - rows[0], col_of[hit]] = True
    return mask


def _bounds(block: _Block, starts: np.ndarray, k: int) -> tuple[int, int, int]:
    sim_in = np.where(block.valid & ~block.no_in, block.sim, -1)
    per_region = np.maximum.reduceat(sim_in, starts, axis=1)
    best_in = _top_k(per_region, k)
    short = int((best_in < 0).any(axis=1).sum())
    sim_out = np.where(block.valid & ~block.no_out, block.sim, -1)
    best_out = _top_k(sim_out, k)
    return int(np.maximum(best_in, 0).sum()), int(np.maximum(best_out, 0).sum()), short


def _top_k(values: np.ndarray, k: int) -> np.ndarray:
    if values.shape[1] <= k:
        return np.pad(values, ((0, 0), (0, k - values.shape[1])), constant_values=-1)
    return -np.partition(-values, k - 1, axis=1)[:, :k]


def _all_arcs(block: _Block, perm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r, c = np.nonzero(block.valid & ~block.no_in)
    return perm[c], block.rows[r]


def _top_arcs(
    inst: Instance, block: _Block, perm: np.ndarray, starts: np.ndarray, keep: int, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Each row school keeps its ``keep`` best partners, the best partner in each of its
    ``keep // 2`` best regions and ``keep // 4`` random ones; both arc directions become
    candidates. Region picks spread candidates when one region dominates a risk class; random
    picks keep the pruned graph feasible when region sizes make capacity tight.
    """
    key = block.key + rng.random(block.key.shape) * 0.5
    key[~block.valid] = -np.inf
    keep = min(keep, key.shape[1])
    top = np.argpartition(-key, keep - 1, axis=1)[:, :keep]
    extra_r, extra_c = _region_best(key, starts, keep)
    shuffled = rng.integers(0, key.shape[1], size=(len(block.rows), max(1, keep // RANDOM_SHARE)))
    rows = np.arange(len(block.rows))
    r = np.r_[np.repeat(rows, keep), extra_r, np.repeat(rows, shuffled.shape[1])]
    c = np.r_[top.ravel(), extra_c, shuffled.ravel()]
    ok = block.valid[r, c]
    r, c = r[ok], c[ok]
    into = ~block.no_in[r, c]  # partner reviews the row school
    out = ~block.no_out[r, c]  # row school reviews the partner
    us = np.concatenate([perm[c[into]], block.rows[r[out]]])
    vs = np.concatenate([block.rows[r[into]], perm[c[out]]])
    return us, vs


def _random_arcs(block: _Block, perm: np.ndarray, count: int, rng) -> tuple[np.ndarray, ...]:
    """``count`` random partners per row school, both directions where valid."""
    rows = np.repeat(np.arange(len(block.rows)), count)
    c = rng.integers(0, block.valid.shape[1], size=len(rows))
    ok = block.valid[rows, c]
    r, c = rows[ok], c[ok]
    into = ~block.no_in[r, c]
    out = ~block.no_out[r, c]
    us = np.concatenate([perm[c[into]], block.rows[r[out]]])
    vs = np.concatenate([block.rows[r[into]], perm[c[out]]])
    return us, vs


def _region_best(key: np.ndarray, starts: np.ndarray, keep: int) -> tuple[np.ndarray, ...]:
    """(row, column) of the best partner in each of the row's ``keep // 2`` best regions."""
    best = np.maximum.reduceat(key, starts, axis=1)  # (rows, regions)
    spread = max(1, min(keep // 2, best.shape[1]))
    picked = np.zeros(best.shape, dtype=bool)
    chosen = np.argpartition(-best, spread - 1, axis=1)[:, :spread]
    np.put_along_axis(picked, chosen, True, axis=1)
    picked &= best > -np.inf
    region_of_col = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, key.shape[1]]))
    hit = (key == best[:, region_of_col]) & picked[:, region_of_col]
    return np.nonzero(hit)


def _dedupe(n: int, us: np.ndarray, vs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes = np.sort(us.astype(np.int64) * n + vs)
    codes = codes[np.r_[True, np.diff(codes) != 0]] if len(codes) else codes
    return codes // n, codes % n
