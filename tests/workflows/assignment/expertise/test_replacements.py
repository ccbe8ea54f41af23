"""rank_replacements: valid, best-first replacements for one declining reviewer."""

from __future__ import annotations

import pytest

from tests.workflows.assignment.expertise.checker import replacement_ok, same_settlement, similarity
from tests.workflows.assignment.expertise.helpers import (
    problem_of,
    random_problem,
    review_tuples,
    to_history,
    to_schools,
)
from workflows.assignment.expertise import PairingOptions, Review, pair_schools, rank_replacements

ROWS = [
    ("V", "r0", "urban", 300, "a;b;c"),
    ("A", "r1", "urban", 300, "a;b;c"),
    ("B", "r2", "urban", 300, "a;b;c"),
    ("C", "r1", "urban", 300, "a;b;c"),
    ("D", "r2", "urban", 300, "a;b;c"),
    ("E", "r3", "rural", 300, "a;b;x"),
]
REVIEWS = [Review("V", "A"), Review("V", "B")]


def _rank(problem, reviews, reviewed, replaced, **kwargs):
    return rank_replacements(
        to_schools(problem),
        reviews,
        reviewed,
        replaced,
        problem.k,
        history=to_history(problem),
        no_reciprocal=problem.no_reciprocal,
        **kwargs,
    )


def test_replaced_reviewers_region_is_freed_and_others_stay_taken():
    problem = problem_of(ROWS, k=2)
    assert _rank(problem, REVIEWS, "V", "A") == ["C", "E"]  # D shares B's region
    assert _rank(problem, REVIEWS, "V", "B") == ["D", "E"]


def test_history_exclusions_and_reciprocity_are_respected():
    problem = problem_of(ROWS, k=2, history={("C", "V")})
    assert _rank(problem, REVIEWS, "V", "A") == ["E"]
    assert _rank(problem_of(ROWS, k=2), REVIEWS, "V", "A", excluded=["C"]) == ["E"]
    reviews = [*REVIEWS, Review("C", "V")]  # V reviews C
    assert _rank(problem_of(ROWS, k=2, no_reciprocal=True), reviews, "V", "A") == ["E"]
    assert _rank(problem_of(ROWS, k=2), reviews, "V", "A") == ["C", "E"]


def test_candidates_already_one_above_k_are_skipped():
    problem = problem_of(ROWS, k=2)
    assert _rank(problem, REVIEWS, "V", "A", loads={"C": 3}) == ["E"]
    assert _rank(problem, REVIEWS, "V", "A", loads={"C": 2}) == ["C", "E"]


@pytest.mark.parametrize("no_reciprocal", [False, True])
def test_replacements_in_a_solved_pairing_are_valid_and_best_first(no_reciprocal):
    problem = random_problem(80, 8, 2, no_reciprocal, seed=21, history_per_school=2)
    quick = PairingOptions(cpsat_seconds=1.0)
    result = pair_schools(to_schools(problem), to_history(problem), 2, no_reciprocal, quick)
    reviews = review_tuples(result)
    for reviewed, replaced in reviews[::7]:
        got = _rank(problem, result.reviews, reviewed, replaced, limit=6)
        valid = [
            c for c in problem.schools if replacement_ok(problem, reviews, reviewed, c, replaced)
        ]
        assert set(got) <= set(valid) and len(got) == min(6, len(valid))
        keys = [
            (similarity(problem, c, reviewed), same_settlement(problem, c, reviewed)) for c in got
        ]
        assert keys == sorted(keys, reverse=True)
        best = max(
            (similarity(problem, c, reviewed), same_settlement(problem, c, reviewed)) for c in valid
        )
        assert keys[0] == best
