"""Min-cost flow: exact b-matching with distinct reviewer regions, reciprocity relaxed."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from workflows.assignment.expertise.instance import Instance

Flow = min_cost_flow.SimpleMinCostFlow


def solve_flow(
    inst: Instance, cand_u: np.ndarray, cand_v: np.ndarray, weight: np.ndarray, k: int
) -> np.ndarray | None:
    """Chosen-arc mask over the candidates maximising total weight, or None if infeasible.

    Nodes: reviewer u (supply k), reviewed v (demand k) and, where v has two or more candidates
    from one region r, a node (v, r) with a single unit of capacity on to v: this keeps the k
    reviewers of every school in k different regions, exactly.
    """
    n = inst.n
    heads, mid_v = _heads(inst, cand_u, cand_v)
    flow = Flow()
    ones = np.ones(len(cand_u), dtype=np.int64)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(cand_u, heads, ones, -weight)
    mids = 2 * n + np.arange(len(mid_v))
    flow.add_arcs_with_capacity_and_unit_cost(
        mids, n + mid_v, np.ones(len(mid_v), dtype=np.int64), np.zeros(len(mid_v), dtype=np.int64)
    )
    supplies = np.r_[np.full(n, k), np.full(n, -k), np.zeros(len(mid_v))].astype(np.int64)
    flow.set_nodes_supplies(np.arange(len(supplies)), supplies)
    status = flow.solve()
    if status == Flow.INFEASIBLE:
        return None
    if status != Flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return flow.flows(arcs) > 0


def _heads(inst: Instance, cand_u: np.ndarray, cand_v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = inst.n
    keys = cand_v.astype(np.int64) * inst.n_regions + inst.region[cand_u]
    uniq, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    shared = counts >= 2
    mid_index = np.cumsum(shared) - 1
    heads = np.where(shared[inverse], 2 * n + mid_index[inverse], n + cand_v)
    mid_v = uniq[shared] // inst.n_regions
    return heads.astype(np.int64), mid_v.astype(np.int64)
