"""Targeted behaviour of pair_schools: pre-checks, objective order, pruning, determinism."""

from __future__ import annotations

import random

import pytest

from tests.workflows.assignment.expertise.checker import (
    Problem,
    check_alternates,
    check_reviews,
    total_similarity,
)
from tests.workflows.assignment.expertise.helpers import (
    alternate_rows,
    problem_of,
    random_problem,
    review_tuples,
    to_history,
    to_schools,
)
from workflows.assignment.expertise import PairingOptions, Status, pair_schools


def _run(problem: Problem, options: PairingOptions | None = None):
    return pair_schools(
        to_schools(problem), to_history(problem), problem.k, problem.no_reciprocal, options
    )


def test_region_holding_more_than_half_is_reported_before_solving():
    rows = [(f"a{i}", "big", "urban", 100, "a;b;c") for i in range(6)]
    rows += [("b0", "r1", "urban", 100, "a;b;c"), ("b1", "r2", "rural", 100, "a;b;c")]
    result = _run(problem_of(rows, k=1))
    assert result.status == Status.INFEASIBLE
    assert "«big»" in result.reason and "больше половины" in result.reason
    assert result.reviews == []


def test_too_few_regions_for_k_is_reported():
    rows = [(f"s{i}", f"r{i % 2}", "urban", 100, "a") for i in range(6)]
    result = _run(problem_of(rows, k=2))
    assert result.status == Status.INFEASIBLE
    assert "регионов 2" in result.reason


def test_history_that_removes_every_reviewer_is_reported():
    rows = [(f"s{i}", f"r{i % 3}", "urban", 100, "a") for i in range(6)]
    history = {(r, "s0") for r in ("s1", "s2", "s4", "s5")}
    result = _run(problem_of(rows, k=1, history=history))
    assert result.status == Status.INFEASIBLE
    assert "«s0»" in result.reason and "истории" in result.reason


def test_no_reciprocal_needs_room_for_2k_partners():
    rows = [("a", "r0", "urban", 1, "x"), ("b", "r1", "urban", 1, "x")]
    assert _run(problem_of(rows, k=1)).status == Status.OPTIMAL
    result = _run(problem_of(rows, k=1, no_reciprocal=True))
    assert result.status == Status.INFEASIBLE
    assert "взаимных" in result.reason


def test_settlement_breaks_ties_then_size():
    rows = [
        ("A", "r0", "urban", 150, "x;y;z"),
        ("B", "r0", "rural", 1500, "x;y;z"),
        ("C", "r1", "urban", 1500, "x;y;z"),
        ("D", "r1", "urban", 150, "x;y;z"),
    ]
    result = _run(problem_of(rows, k=1))
    # A and D match in settlement and size; B and C only in size. Settlement first decides who
    # reviews C's documents: only one of its two candidates can be chosen, and it is the same size.
    assert set(review_tuples(result)) == {("A", "D"), ("B", "C"), ("C", "B"), ("D", "A")}


def test_similarity_outweighs_settlement_and_size():
    rows = [
        ("A", "r0", "urban", 150, "x;y;z"),
        ("B", "r1", "urban", 150, "p;q;z"),
        ("C", "r1", "rural", 2000, "x;y;z"),
        ("D", "r0", "rural", 2000, "p;q;z"),
    ]
    result = _run(problem_of(rows, k=1))
    assert set(review_tuples(result)) == {("A", "C"), ("C", "A"), ("B", "D"), ("D", "B")}


@pytest.mark.parametrize("no_reciprocal", [False, True])
def test_pruned_search_is_valid_and_close_to_its_bound(no_reciprocal):
    problem = random_problem(400, 23, 3, no_reciprocal, seed=7, history_per_school=2)
    result = _run(problem, PairingOptions(full_graph_max=0, candidates=12))
    reviews = review_tuples(result)
    assert result.status == Status.FEASIBLE
    assert check_reviews(problem, reviews) == []
    assert check_alternates(problem, reviews, alternate_rows(result), 5) == []
    sim = result.stats["similarity"]
    assert float(total_similarity(problem, reviews)) == pytest.approx(sim["mean"] * 1200)
    assert sim["gap_to_bound"] < 0.03


@pytest.mark.parametrize(
    ("n", "options"),
    [(30, PairingOptions(cpsat_seconds=1.0)), (200, PairingOptions(full_graph_max=0))],
    ids=["cp-sat", "pruned"],
)
def test_same_input_and_seed_give_the_same_pairing(n, options):
    problem = random_problem(n, 7, 2, True, seed=3)
    first, second = _run(problem, options), _run(problem, options)
    assert first.ok
    assert first.reviews == second.reviews and first.alternates == second.alternates


def test_alternates_option_sets_the_list_length():
    problem = random_problem(60, 7, 2, False, seed=5)
    assert all(len(v) == 2 for v in _run(problem, PairingOptions(alternates=2)).alternates.values())
    assert all(v == [] for v in _run(problem, PairingOptions(alternates=0)).alternates.values())


def test_k_below_one_is_refused():
    with pytest.raises(ValueError):
        _run(problem_of([("a", "r0", "urban", 1, "x"), ("b", "r1", "urban", 1, "x")], k=0))


@pytest.mark.parametrize(("n", "regions", "seed", "history"), [(9, 4, 53, 2), (7, 4, 66, 0)])
def test_reciprocal_pairs_left_by_swaps_are_resolved_by_local_cp_sat(n, regions, seed, history):
    problem = random_problem(n, regions, 2, True, seed, history_per_school=history)
    options = PairingOptions(full_graph_max=0, exact_max_arcs=0, candidates=2, region_guided=False)
    result = _run(problem, options)
    assert any(step.startswith("local") for step in result.stats["method"]["cpsat"])
    assert result.status == Status.FEASIBLE
    assert check_reviews(problem, review_tuples(result)) == []


def test_region_above_one_in_k_plus_one_cannot_give_its_reviews():
    sizes = {"big": 3, "r1": 2, "r2": 2, "r3": 2}
    rows = [(f"{reg}{i}", reg, "urban", 100, "a") for reg, m in sizes.items() for i in range(m)]
    result = _run(problem_of(rows, k=3))
    assert result.status == Status.INFEASIBLE
    assert "«big»" in result.reason and "1/4" in result.reason


def test_dominant_region_with_clustered_risks_is_paired_without_widening_the_search():
    rng = random.Random(4)
    rows = []
    for region in range(21):
        favourite = ";".join(rng.sample("abcdefghij", 3))
        for i in range(120 if region == 0 else 14):
            risks = favourite if rng.random() < 0.7 else ";".join(rng.sample("abcdefghij", 3))
            rows.append((f"g{region}s{i}", f"g{region}", "urban", 200, risks))
    problem = problem_of(rows, k=2)
    result = _run(problem, PairingOptions(full_graph_max=0, candidates=8, region_guided=False))
    method = result.stats["method"]
    partners = 16 if method["widened"] else 8  # widening for quality is fine, for feasibility not
    assert result.ok and method["graph"] == f"pruned, {partners} partners per school"
    assert check_reviews(problem, review_tuples(result)) == []
