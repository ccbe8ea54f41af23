"""Regionally clustered risks: the region-aware class flow bound and the guided candidates."""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.benchmarks.plain_flow import plain_flow
from tests.workflows.assignment.expertise.checker import (
    Problem,
    check_reviews,
    settlement_matches,
    total_similarity,
)
from tests.workflows.assignment.expertise.exact import exact_optimum
from tests.workflows.assignment.expertise.helpers import (
    problem_of,
    review_tuples,
    to_history,
    to_schools,
)
from tests.workflows.assignment.expertise.test_pairing_exact import problems
from workflows.assignment.expertise import PairingOptions, pair_schools


def clustered(seed, regions=8, big=18, small=8, k=2, no_reciprocal=False, history=0) -> Problem:
    """One dominant region; 70 % of each region's schools share the region's favourite risks."""
    rng = random.Random(seed)
    rows = []
    for region in range(regions):
        favourite = ";".join(rng.sample("abcdefgh", 3))
        for i in range(big if region == 0 else small):
            risks = favourite if rng.random() < 0.7 else ";".join(rng.sample("abcdefgh", 3))
            settlement = rng.choice(["urban", "rural"])
            rows.append((f"g{region}s{i}", f"g{region}", settlement, rng.randint(20, 2000), risks))
    ids = [r[0] for r in rows]
    pairs = set()
    for sid, region, *_ in rows:
        for other in rng.sample(ids, history):
            if other.split("s")[0] != region:
                pairs.add((sid, other))
    return problem_of(rows, k, no_reciprocal, pairs)


def _run(problem: Problem, options: PairingOptions):
    return pair_schools(
        to_schools(problem), to_history(problem), problem.k, problem.no_reciprocal, options
    )


def _bound_total(result, problem: Problem, name: str | None = None) -> float:
    sim = result.stats["similarity"]
    mean = sim["upper_bound_mean"] if name is None else sim["bound_sources_mean"][name]
    return mean * len(problem.schools) * problem.k


@pytest.mark.parametrize("seed", [3, 6])
def test_guided_candidates_reach_the_optimum_that_the_old_pruning_misses(seed):
    problem = clustered(seed)  # 74 schools; the pruned path is forced below
    exact = exact_optimum(problem)
    assert exact is not None
    old = _run(problem, PairingOptions(full_graph_max=0, candidates=2, region_guided=False))
    new = _run(problem, PairingOptions(full_graph_max=0, candidates=2))
    for result in (old, new):
        assert result.ok and check_reviews(problem, review_tuples(result)) == []
    assert total_similarity(problem, review_tuples(old)) < exact[0]  # the old choice misses it
    assert total_similarity(problem, review_tuples(new)) == exact[0]
    assert new.stats["method"]["graph"] == "region-guided arcs plus random ones"
    # the region-aware bound is proven and here exactly tight: the result is proven optimal
    assert _bound_total(new, problem, "region_class_flow") == pytest.approx(float(exact[0]))
    assert _bound_total(new, problem) >= float(exact[0]) - 1e-9
    assert new.stats["similarity"]["proven_optimal"]


def test_guided_run_with_history_and_no_reciprocal_pairs_is_valid_and_bounded():
    problem = clustered(3, no_reciprocal=True, history=1)
    exact = exact_optimum(problem)
    result = _run(problem, PairingOptions(full_graph_max=0, candidates=2, exact_max_arcs=0))
    assert result.ok and check_reviews(problem, review_tuples(result)) == []
    assert total_similarity(problem, review_tuples(result)) <= exact[0]
    for name in result.stats["similarity"]["bound_sources_mean"]:
        assert _bound_total(result, problem, name) >= float(exact[0]) - 1e-9, name


@st.composite
def clustered_problems(draw):
    """Small instances whose risks cluster by region (one favourite set per region)."""
    n_regions = draw(st.integers(3, 5))
    favourites = [draw(st.sets(st.sampled_from("abcde"), min_size=1, max_size=3)) for _ in range(5)]
    n = draw(st.integers(2 * n_regions - 2, 11))
    schools = {}
    for i in range(n):
        region = i % n_regions if draw(st.booleans()) else draw(st.integers(0, n_regions - 1))
        own = draw(st.booleans())
        risks = favourites[region] if own else draw(st.sets(st.sampled_from("abcde"), min_size=1))
        schools[f"s{i}"] = {
            "region": f"r{region}",
            "settlement": draw(st.sampled_from(["urban", "rural"])),
            "pupils": draw(st.integers(0, 2500)),
            "risks": set(risks),
        }
    ids = sorted(schools)
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    history = draw(st.sets(pair, max_size=n // 2))
    return Problem(schools, history, draw(st.sampled_from((1, 2))), draw(st.booleans()))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clustered_problems())
def test_region_class_flow_bound_is_never_below_the_optimum(problem):
    pruned = PairingOptions(full_graph_max=0, candidates=2, exact_max_arcs=0)
    result = _run(problem, pruned)
    exact = exact_optimum(problem)
    if exact is None:
        assert not result.ok
        return
    if not result.ok:
        return  # the pruned search may give up (not_found), it never claims impossibility
    assert check_reviews(problem, review_tuples(result)) == []
    assert total_similarity(problem, review_tuples(result)) <= exact[0]
    arcs = len(problem.schools) * problem.k
    bound = result.stats["similarity"]["bound_sources_mean"]["region_class_flow"]
    assert bound * arcs >= float(exact[0]) - 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_schools=10, max_regions=5, ks=(1, 2, 3)))
def test_plain_flow_baseline_is_exact_for_the_relaxation(problem):
    relaxed = dataclasses.replace(problem, no_reciprocal=False)
    exact = exact_optimum(relaxed)
    baseline = plain_flow(relaxed)
    if exact is None:
        assert baseline.reviews is None
        return
    assert check_reviews(relaxed, baseline.reviews) == []
    assert (
        total_similarity(relaxed, baseline.reviews),
        settlement_matches(relaxed, baseline.reviews),
    ) == exact
    assert Fraction(baseline.relaxation_similarity).limit_denominator(10**6) == exact[0]
    strict = dataclasses.replace(problem, no_reciprocal=True)
    swapped = plain_flow(strict)
    if swapped.reviews is not None:
        assert check_reviews(strict, swapped.reviews) == []


def test_progress_rises_through_the_engine_steps():
    from workflows.assignment.expertise import School, pair_schools

    schools = [
        School(
            f"s{i}",
            f"r{i % 6}",
            f"m{i % 12}",
            "rural" if i % 2 else "urban",
            100 + i,
            frozenset({str(i % 5), str((i + 2) % 7)}),
        )
        for i in range(60)
    ]
    seen: list[tuple[str, float]] = []
    result = pair_schools(schools, [], 2, True, progress=lambda step, f: seen.append((step, f)))
    assert result.ok
    fractions = [f for _, f in seen]
    assert len(seen) >= 4 and fractions == sorted(fractions) and len(set(fractions)) == len(seen)
    assert fractions[0] > 0 and fractions[-1] <= 1
    assert [s for s, _ in seen][-1] == "alternates"
