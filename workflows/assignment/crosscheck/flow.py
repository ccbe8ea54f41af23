"""OR-Tools max-flow and min-cost-flow on a :class:`Network`, and flow decomposition."""

from __future__ import annotations

from collections import defaultdict, deque

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from workflows.assignment.crosscheck.network import FIRST_ITEM, SINK, SOURCE, Network

MIN_COST_ARC_LIMIT = 400_000
JITTER = 1000


class MaxFlow:
    """A max-flow solver on one network whose expert capacities can change between solves."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.solver = max_flow.SimpleMaxFlow()
        self.arcs = self.solver.add_arcs_with_capacity(net.tails, net.heads, net.caps)
        self.expert_arcs = self.arcs[net.expert_arcs].astype(np.int32)

    def solve(self, expert_caps: np.ndarray | None = None) -> int:
        """Solve, optionally with new expert capacities; return the flow value."""
        if expert_caps is not None:
            self.solver.set_arcs_capacity(self.expert_arcs, expert_caps.astype(np.int64))
        status = self.solver.solve(SOURCE, SINK)
        if status != max_flow.SimpleMaxFlow.OPTIMAL:
            raise RuntimeError(f"max flow failed: {status}")
        return int(self.solver.optimal_flow())

    def flows(self) -> np.ndarray:
        """Flow on every arc, in arc order."""
        return np.asarray(self.solver.flows(self.arcs), dtype=np.int64)

    def source_side(self) -> np.ndarray:
        """Boolean mask of the nodes on the source side of a minimum cut."""
        mask = np.zeros(self.net.n_nodes, dtype=bool)
        mask[np.asarray(self.solver.get_source_side_min_cut(), dtype=np.int64)] = True
        return mask


def cheapest_flows(net: Network, value: int) -> np.ndarray | None:
    """A cheapest flow of ``value`` under slightly jittered costs; None if the net is too big.

    The jitter makes the optimum unique, hence a vertex of the flow polytope: its free arcs form
    a forest, so the decomposition splits packages over few experts.
    """
    if len(net.tails) > MIN_COST_ARC_LIMIT or value == 0:
        return None
    rng = np.random.default_rng(len(net.tails))
    costs = net.costs * JITTER + rng.integers(0, JITTER // 2, len(net.costs))
    caps = np.minimum(net.caps, value)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, caps, costs)
    solver.set_node_supply(SOURCE, value)
    solver.set_node_supply(SINK, -value)
    if solver.solve() != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        return None
    return np.asarray(solver.flows(arcs), dtype=np.int64)


def _take(queue: deque, amount: int) -> list[tuple[int, int]]:
    pieces = []
    while amount > 0:
        item, have = queue[0]
        used = min(have, amount)
        pieces.append((item, used))
        amount -= used
        if used == have:
            queue.popleft()
        else:
            queue[0] = (item, have - used)
    return pieces


def decompose(net: Network, flows: np.ndarray) -> list[tuple[int, int, int]]:
    """Split a flow into (item, expert, works) pieces that follow its paths."""
    inner = slice(net.n_items, len(net.tails) - net.n_experts)
    tails, heads, amounts = net.tails[inner], net.heads[inner], flows[inner]
    used = amounts > 0
    tails, heads, amounts = tails[used], heads[used], amounts[used]
    order = np.argsort(tails, kind="stable")
    queues: dict[int, deque] = defaultdict(deque)
    out: list[tuple[int, int, int]] = []
    for tail, head, amount in zip(
        tails[order].tolist(), heads[order].tolist(), amounts[order].tolist(), strict=True
    ):
        if tail < net.tree_base:
            pieces = [(tail - FIRST_ITEM, amount)]
        else:
            pieces = _take(queues[tail], amount)
        if head >= net.expert_base:
            out.extend((item, head - net.expert_base, x) for item, x in pieces)
        else:
            queues[head].extend(pieces)
    return out


def expert_nodes(net: Network, side: np.ndarray) -> np.ndarray:
    """Expert rows whose node is marked in ``side``."""
    return np.flatnonzero(side[net.expert_base :])


def item_nodes(net: Network, side: np.ndarray) -> np.ndarray:
    """Item rows whose node is marked in ``side``."""
    return np.flatnonzero(side[FIRST_ITEM : FIRST_ITEM + net.n_items])
