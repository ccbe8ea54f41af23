"""Integer arc weights: Jaccard similarity first, then settlement, then size."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from workflows.assignment.expertise.instance import SIZE_THRESHOLDS, Instance

SIZE_MAX = len(SIZE_THRESHOLDS)  # size score is SIZE_MAX - |bucket difference|, 0..SIZE_MAX
KIND_MAX = 2048  # up to this many (risk set, settlement, size) kinds keys come from a table
SCALE_CAP = 2520  # lcm(1..10); beyond this common denominator Jaccard is rounded down


@dataclass(frozen=True)
class Weights:
    """Scales of the lexicographic weight ``sim * m1 + same_settlement * m2 + size``."""

    scale: int  # Jaccard is stored as sim = scale * |A & B| / |A | B|
    exact: bool  # True when every Jaccard value is an exact multiple of 1 / scale
    m1: int
    m2: int
    table: np.ndarray  # table[inter, union] -> sim
    kind: np.ndarray | None = None  # per school: index of its (risk set, settlement, size) kind
    kind_keys: np.ndarray | None = None  # rank_key between kinds


def make_weights(inst: Instance, arcs: int) -> Weights:
    """Weights for a model with ``arcs`` chosen arcs, so that sim strictly dominates."""
    max_size = int(inst.risk_size.max()) if inst.n else 1
    codes = int(np.bitwise_count(np.bitwise_or.reduce(inst.words, axis=0)).sum())
    max_union = max(1, min(2 * max_size, codes))
    scale = _common_denominator(sorted(set(inst.risk_size.tolist())), codes)
    exact = scale <= SCALE_CAP
    scale = min(scale, SCALE_CAP)
    m2 = arcs * SIZE_MAX + 1
    m1 = arcs * (m2 + SIZE_MAX) + 1
    inter = np.arange(max_size + 1)[:, None]
    union = np.arange(max_union + 1)[None, :]
    table = ((scale * inter) // np.maximum(union, 1)).astype(np.int64)
    w = Weights(scale=scale, exact=exact, m1=m1, m2=m2, table=table)
    return _with_kind_table(inst, w)


def _with_kind_table(inst: Instance, w: Weights) -> Weights:
    """Precompute rank keys between kinds: one gather per pair instead of bit counting."""
    raw = (inst.risk_class.astype(np.int64) * 2 + inst.rural) * (SIZE_MAX + 1) + inst.bucket
    _, first, kind = np.unique(raw, return_index=True, return_inverse=True)
    if len(first) > KIND_MAX:
        return w
    keys = rank_key(inst, w, first[:, None], first[None, :]).astype(np.int32)
    return replace(w, kind=kind.astype(np.int32), kind_keys=keys)


def _common_denominator(sizes: list[int], codes: int) -> int:
    """Least common denominator of every Jaccard value two risk sets of these sizes can take."""
    denominators = {1}
    for a in sizes:
        for b in sizes:
            for inter in range(max(0, a + b - codes), min(a, b) + 1):
                union = a + b - inter
                denominators.add(union // math.gcd(inter, union))
    return math.lcm(*denominators)


def similarity(inst: Instance, w: Weights, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Scaled Jaccard similarity of schools ``u`` and ``v`` (broadcasting index arrays)."""
    a = inst.words[u]
    b = inst.words[v]
    inter = np.bitwise_count(a & b).sum(axis=-1, dtype=np.int64)
    union = inst.risk_size[u] + inst.risk_size[v] - inter
    return w.table[inter, union]


def tie_terms(inst: Instance, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Same-settlement flag and size score of the pairs (u, v)."""
    same = (inst.rural[u] == inst.rural[v]).astype(np.int64)
    size = SIZE_MAX - np.abs(inst.bucket[u].astype(np.int64) - inst.bucket[v])
    return same, np.maximum(size, 0)


def arc_weight(inst: Instance, w: Weights, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Lexicographic integer weight of the arcs u -> v."""
    same, size = tie_terms(inst, u, v)
    return similarity(inst, w, u, v) * w.m1 + same * w.m2 + size


def rank_key(inst: Instance, w: Weights, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Small integer with the same order as ``arc_weight`` (for ranking lists)."""
    same, size = tie_terms(inst, u, v)
    return (similarity(inst, w, u, v) * 2 + same) * (SIZE_MAX + 1) + size


def pair_key(inst: Instance, w: Weights, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``rank_key`` of the pairs (u, v), from the kind table when there is one."""
    if w.kind_keys is None:
        return rank_key(inst, w, u, v)
    return w.kind_keys[w.kind[u], w.kind[v]]


def key_similarity(key: np.ndarray) -> np.ndarray:
    """The ``sim`` part of a ``rank_key``."""
    return key // (2 * (SIZE_MAX + 1))


def jaccard(w: Weights, sim_total: int | np.ndarray) -> float:
    """Scaled similarity back to a Jaccard value."""
    return float(sim_total) / w.scale
