"""Hypothesis: on small instances the engine matches an independent exact optimum."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.workflows.assignment.expertise.checker import (
    Problem,
    check_alternates,
    check_reviews,
    settlement_matches,
    total_similarity,
)
from tests.workflows.assignment.expertise.exact import exact_optimum
from tests.workflows.assignment.expertise.helpers import (
    alternate_rows,
    review_tuples,
    to_history,
    to_schools,
)
from workflows.assignment.expertise import PairingOptions, Status, pair_schools


@st.composite
def problems(draw, max_schools=10, max_regions=5, ks=(1, 2, 2, 3), no_reciprocal=None):
    n_regions = draw(st.integers(2, max_regions))
    n = draw(st.integers(2 * n_regions - 2, max(max_schools, 2 * n_regions - 2)))
    spread = draw(st.booleans())  # round-robin regions keep most instances feasible
    schools = {}
    for i in range(n):
        region = i % n_regions if spread else draw(st.integers(0, n_regions - 1))
        schools[f"s{i}"] = {
            "region": f"r{region}",
            "settlement": draw(st.sampled_from(["urban", "rural"])),
            "pupils": draw(st.integers(0, 2500)),
            "risks": draw(st.sets(st.sampled_from("abcdef"), min_size=1, max_size=3)),
        }
    ids = sorted(schools)
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    history = draw(st.sets(pair, max_size=n // 2))
    k = draw(st.sampled_from(ks))
    if no_reciprocal is None:
        no_reciprocal = draw(st.booleans())
    return Problem(schools, history, k, no_reciprocal)


def _solve(problem: Problem, options: PairingOptions | None = None):
    return pair_schools(
        to_schools(problem), to_history(problem), problem.k, problem.no_reciprocal, options
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_engine_matches_exact_optimum(problem):
    _assert_matches_exact(problem)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_schools=10, max_regions=5, ks=(1, 2), no_reciprocal=True))
def test_engine_matches_exact_optimum_without_reciprocal_pairs(problem):
    _assert_matches_exact(problem)


def _assert_matches_exact(problem: Problem) -> None:
    result = _solve(problem)
    exact = exact_optimum(problem)
    event(f"status={result.status} no_reciprocal={problem.no_reciprocal} k={problem.k}")
    event(f"cpsat={bool(result.stats.get('method', {}).get('cpsat'))}")
    if exact is None:
        assert result.status == Status.INFEASIBLE, result.stats
        assert result.reason
        return
    assert result.status == Status.OPTIMAL, result.stats
    reviews = review_tuples(result)
    assert check_reviews(problem, reviews) == []
    assert (total_similarity(problem, reviews), settlement_matches(problem, reviews)) == exact
    assert check_alternates(problem, reviews, alternate_rows(result), 5) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_schools=14, max_regions=6))
def test_reported_bound_is_never_below_the_optimum(problem):
    pruned = PairingOptions(full_graph_max=0, candidates=3, exact_max_arcs=0)
    result = _solve(problem, pruned)
    exact = exact_optimum(problem)
    event(f"status={result.status} cpsat={result.stats.get('method', {}).get('cpsat')}")
    if exact is None:
        assert not result.ok
        return
    if not result.ok:
        assert result.status == Status.NOT_FOUND  # pruned search may give up, never lie
        return
    reviews = review_tuples(result)
    assert check_reviews(problem, reviews) == []
    arcs = len(problem.schools) * problem.k
    sim = result.stats["similarity"]
    assert Fraction(sim["mean"]).limit_denominator(10**6) * arcs == total_similarity(
        problem, reviews
    )
    assert total_similarity(problem, reviews) <= exact[0]
    assert sim["upper_bound_mean"] * arcs >= float(exact[0]) - 1e-9
    for name, value in sim["bound_sources_mean"].items():
        assert value * arcs >= float(exact[0]) - 1e-9, name
