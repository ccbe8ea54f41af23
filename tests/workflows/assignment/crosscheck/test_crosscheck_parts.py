"""Unit tests of the engine's parts and of its behaviour on hand-made cases."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.workflows.assignment.crosscheck.baseline import solve_naive
from tests.workflows.assignment.crosscheck.checker import check
from tests.workflows.assignment.crosscheck.strategies import instances, options
from tests.workflows.assignment.crosscheck.synthetic import SIZES, generate
from workflows.assignment.crosscheck import Expert, Options, Package, Role, Scope, solve
from workflows.assignment.crosscheck.bounds import smallest_ratio
from workflows.assignment.crosscheck.network import _cover


def pkg(pid, school, works, muni="M1", subject="math", grade=5):
    return Package(pid, school, muni, subject, grade, works)


def expert(eid, school, cap, muni="M1", subjects=("math",), grades=(5,)):
    return Expert(eid, school, muni, frozenset(subjects), frozenset(grades), cap)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 4)), min_size=1, max_size=5),
    st.integers(1, 40),
)
def test_smallest_ratio_is_the_first_breakpoint_with_enough_room(rows, need):
    caps = np.array([c for c, _ in rows])
    offsets = np.array([o for _, o in rows])
    room = lambda r: sum(max(c * r.numerator // r.denominator - o, 0) for c, o in rows)  # noqa: E731
    if room(Fraction(1)) < need:
        return
    candidates = sorted({Fraction(j, c) for c in range(1, 13) for j in range(c + 1)})
    expected = next(r for r in candidates if room(r) >= need)
    assert smallest_ratio(caps, offsets, need) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.data())
def test_segment_tree_cover_is_exactly_the_range(n, data):
    lo = data.draw(st.integers(0, n))
    hi = data.draw(st.integers(lo, n))
    _, nodes = _cover(np.array([lo]), np.array([hi]), np.array([n]))
    leaves = []
    for node in nodes.tolist():
        todo = [node]
        while todo:
            x = todo.pop()
            if x >= n:
                leaves.append(x - n)
            else:
                todo += [2 * x, 2 * x + 1]
    assert sorted(leaves) == list(range(lo, hi))


def _reasons(result) -> dict[tuple[str, str], str]:
    return {(u.package_id, str(u.role)): u.reason for u in result.unassigned}


def test_reason_no_expert_of_subject_and_grade():
    result = solve([pkg("P1", "S1", 5, grade=7)], [expert("E1", "S2", 10)])
    assert "Нет экспертов по предмету «math», 7 класс" in _reasons(result)[("P1", "primary")]


def test_reason_capacity_exhausted():
    result = solve([pkg("P1", "S1", 12)], [expert("E1", "S2", 10)])
    assert result.unassigned[0].works == 2
    assert "Нагрузка всех подходящих экспертов исчерпана" in result.unassigned[0].reason


def test_reason_own_school_only():
    result = solve([pkg("P1", "S1", 4)], [expert("E1", "S1", 10)])
    assert "из других школ" in _reasons(result)[("P1", "primary")]


def test_reason_same_municipality_scope():
    opts = Options(scope=Scope.SAME_MUNICIPALITY)
    result = solve([pkg("P1", "S1", 4)], [expert("E1", "S2", 10, muni="M2")], opts)
    assert "того же муниципалитета" in _reasons(result)[("P1", "primary")]


def test_reason_blocked_by_no_reciprocal_rule():
    packages = [pkg("PA", "A", 5), pkg("PB", "B", 3)]
    experts = [expert("EA", "A", 3), expert("EB", "B", 5)]
    result = solve(packages, experts, Options(no_reciprocal=True))
    assert check(result, packages, experts, Options(no_reciprocal=True)) == []
    assert result.summary["totals"]["primary"]["assigned"] == 5
    assert "запрет взаимной проверки" in _reasons(result)[("PB", "primary")]


def test_reason_second_check_needs_a_third_school():
    opts = Options(second_check=0.5)
    result = solve([pkg("P1", "S1", 4)], [expert("E1", "S2", 10), expert("E2", "S2", 10)], opts)
    assert "из третьей школы" in _reasons(result)[("P1", "second")]


def test_second_check_goes_to_a_third_school():
    opts = Options(second_check=0.25)
    experts = [expert("E1", "S2", 10), expert("E2", "S3", 10)]
    result = solve([pkg("P1", "S1", 8)], experts, opts)
    roles = {(a.expert_id, str(a.role)): a.works for a in result.assignments}
    assert sorted(roles.values()) == [2, 8]
    assert check(result, [pkg("P1", "S1", 8)], experts, opts) == []


def test_no_first_check_means_no_second_check():
    result = solve([pkg("P1", "S1", 4)], [expert("E2", "S3", 1)], Options(second_check=0.5))
    reasons = [u.reason for u in result.unassigned if u.role == Role.SECOND]
    assert any("не получили первую проверку" in r for r in reasons)


def test_load_is_balanced_to_the_proven_bound():
    packages = [pkg(f"P{i}", "S1", 6) for i in range(4)]
    experts = [expert("E1", "S2", 10), expert("E2", "S3", 20)]
    result = solve(packages, experts)
    assert result.summary["load"]["max_ratio_exact"] == "4/5"
    assert result.summary["load"]["proven_optimal"]


def test_same_input_gives_the_same_output():
    packages, experts = generate(SIZES["district"], seed=3)
    first, second = solve(packages, experts), solve(packages, experts)
    assert first.assignments == second.assignments
    assert first.unassigned == second.unassigned


def test_progress_is_reported_to_the_end():
    seen = []
    solve([pkg("P1", "S1", 4)], [expert("E1", "S2", 10)], progress=lambda s, f: seen.append((s, f)))
    assert seen[0] == ("bounds", 0.0)
    assert seen[-1] == ("done", 1.0)


def test_realistic_district_meets_the_targets():
    packages, experts = generate(SIZES["district"], seed=1)
    opts = Options()
    result = solve(packages, experts, opts)
    assert check(result, packages, experts, opts) == []
    assert result.summary["totals"]["primary"]["unassigned_is_minimum"]
    assert result.summary["load"]["proven_optimal"]
    assert result.summary["experts_per_package"]["mean"] <= 1.3


def test_realistic_district_without_reciprocal_pairs_is_exact():
    packages, experts = generate(SIZES["district"], seed=2)
    opts = Options(no_reciprocal=True)
    result = solve(packages, experts, opts)
    assert check(result, packages, experts, opts) == []
    assert result.summary["reciprocal_school_pairs"] == 0
    assert result.summary["method"] == "flow+cp-sat"
    assert result.summary["totals"]["primary"]["unassigned_is_minimum"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_naive_baseline_obeys_the_rules(data):
    packages, experts = data.draw(instances())
    opts = data.draw(options())
    assert check(solve_naive(packages, experts, opts), packages, experts, opts) == []
