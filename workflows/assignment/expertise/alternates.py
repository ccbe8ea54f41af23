"""Ranked replacement reviewers, valid against the hard rules given the current pairs."""

from __future__ import annotations

import numpy as np

from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.weights import Weights, pair_key

CELLS_PER_BLOCK = 1_500_000


def all_alternates(
    inst: Instance,
    w: Weights,
    revs: np.ndarray,
    outs: np.ndarray,
    k: int,
    no_reciprocal: bool,
    count: int,
    seed: int = 0,
) -> np.ndarray:
    """(n, count) best replacements per school, -1 padded; valid whichever reviewer is replaced.

    A replacement's region must differ from the school's own region and from the regions of all
    k current reviewers (so the list stays valid whichever of them declines).
    """
    loads = np.bincount(revs.ravel(), minlength=inst.n)
    rng = np.random.default_rng(seed)
    step = max(16, CELLS_PER_BLOCK // max(1, inst.n))
    parts = []
    for start in range(0, inst.n, step):
        rows = np.arange(start, min(inst.n, start + step))
        blocked = inst.region[revs[rows]]
        banned = _banned(inst, rows, outs[rows] if no_reciprocal else None)
        parts.append(rank_block(inst, w, rows, blocked, banned, loads, k, count, rng))
    return np.concatenate(parts) if parts else np.zeros((0, count), dtype=np.int64)


def _banned(inst: Instance, rows: np.ndarray, outs: np.ndarray | None) -> tuple:
    """(row position, column) pairs that may not be proposed: history and reverse arcs."""
    hit = (inst.hist_v >= rows[0]) & (inst.hist_v <= rows[-1])
    pos = [inst.hist_v[hit] - rows[0]]
    cols = [inst.hist_u[hit]]
    if outs is not None:
        pos.append(np.repeat(np.arange(len(rows)), outs.shape[1]))
        cols.append(outs.ravel())
    return np.concatenate(pos).astype(np.int64), np.concatenate(cols).astype(np.int64)


def rank_block(
    inst: Instance,
    w: Weights,
    rows: np.ndarray,
    blocked: np.ndarray,
    banned: tuple[np.ndarray, np.ndarray],
    loads: np.ndarray,
    k: int,
    count: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Best ``count`` reviewers for each row school; -1 where fewer are valid.

    Order: arc weight (similarity, then settlement, then size), then lower current load, then a
    seeded random tie-break that spreads equal candidates over different schools.
    """
    count = min(count, inst.n)
    if count <= 0:
        return np.zeros((len(rows), 0), dtype=np.int64)
    cols = np.arange(inst.n)
    key = pair_key(inst, w, rows[:, None], cols[None, :])
    # float32 holds these small integers exactly; the random part only breaks ties
    score = (key * (k + 3) + (k + 1 - loads[None, :])).astype(np.float32)
    score += rng.random(key.shape, dtype=np.float32) * np.float32(0.5)
    taken = np.zeros((len(rows), inst.n_regions + 1), dtype=bool)
    taken[np.arange(len(rows))[:, None], blocked] = True  # -1 marks "no region" (last column)
    taken[np.arange(len(rows)), inst.region[rows]] = True
    ok = ~taken[:, inst.region] & (loads[None, :] <= k)
    ok[banned[0], banned[1]] = False
    score[~ok] = -np.inf
    top = np.argpartition(-score, count - 1, axis=1)[:, :count]
    order = np.argsort(-np.take_along_axis(score, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    valid = np.take_along_axis(ok, top, axis=1)
    return np.where(valid, top, -1)
