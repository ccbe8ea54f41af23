"""The joint model (first and second checks in one network) against the rules and an exact optimum.

The joint model is called directly (no CP-SAT stage behind it), its answers are checked by the
independent checker, and its relaxation bounds are compared with the independent CP-SAT optimum
of ``exact.py``.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings

from tests.workflows.assignment.crosscheck.checker import check, check_rules, second_need
from tests.workflows.assignment.crosscheck.exact import exact_optimum
from tests.workflows.assignment.crosscheck.strategies import instances, options
from workflows.assignment.crosscheck import (
    Assignment,
    Expert,
    Options,
    Package,
    Result,
    Role,
    Scope,
    cpsat,
    solve,
)
from workflows.assignment.crosscheck.instance import build_index
from workflows.assignment.crosscheck.joint import joint_bounds, solve_joint

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _joint_result(packages, experts, opts) -> Result:
    index = build_index(packages, experts)
    answer = solve_joint(index, opts, index.e_cap)
    rows = [
        Assignment(packages[p].package_id, experts[e].expert_id, works, role)
        for p, e, works, role in answer.pieces
    ]
    return Result(assignments=rows, unassigned=[], summary={})


@FAST
@given(instances(), options())
def test_joint_model_keeps_every_rule(instance, opts):
    """Own school never, second ≠ first checkers' schools, no pairs, capacities, second ≤ first."""
    packages, experts = instance
    result = _joint_result(packages, experts, opts)
    assert check_rules(result, packages, experts, opts) == []


@FAST
@given(instances(), options())
def test_joint_relaxation_bounds_the_exact_optimum(instance, opts):
    packages, experts = instance
    most_first, most_second = joint_bounds(build_index(packages, experts), opts)
    exact = exact_optimum(packages, experts, opts)
    assert exact.primary <= most_first
    if exact.primary == most_first:
        assert exact.second <= most_second


@FAST
@given(instances(), options(second=True))
def test_reported_minimum_is_a_true_lower_bound(instance, opts):
    """With the CP-SAT stage off, the minimum the engine claims never exceeds the optimum's."""
    packages, experts = instance
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cpsat, "PAIR_LIMIT", 0)
        result = solve(packages, experts, opts)
    assert check(result, packages, experts, opts) == []
    exact = exact_optimum(packages, experts, opts)
    totals = result.summary["totals"]
    need2 = sum(second_need(opts.second_check, p.works) for p in packages)
    assert totals["primary"]["minimum_unassigned"] <= totals["primary"]["demand"] - exact.primary
    if exact.primary == totals["primary"]["demand"] - totals["primary"]["minimum_unassigned"]:
        assert totals["second"]["minimum_unassigned"] <= need2 - exact.second
    assert totals["primary"]["assigned"] <= exact.primary


def _pkg(pid, school, works, muni="M1"):
    return Package(pid, school, muni, "math", 5, works)


def _exp(eid, school, cap, muni="M1"):
    return Expert(eid, school, muni, frozenset({"math"}), frozenset({5}), cap)


def test_first_checks_leave_room_for_the_second_layer():
    """Two schools check each other's first checks; the third school's single expert is needed
    for both second checks, so no first check may go there although it has room."""
    packages = [_pkg("P1", "S1", 10), _pkg("P2", "S2", 10)]
    experts = [_exp("E1", "S1", 10), _exp("E2", "S2", 10), _exp("E3", "S3", 10)]
    opts = Options(second_check=0.5)
    index = build_index(packages, experts)
    assert joint_bounds(index, opts) == (20, 10)
    result = solve(packages, experts, opts)
    assert check(result, packages, experts, opts) == []
    placed = defaultdict(int)
    for a in result.assignments:
        placed[a.role] += a.works
    assert placed[Role.PRIMARY] == 20
    assert placed[Role.SECOND] == 10
    assert result.summary["totals"]["second"]["unassigned_is_minimum"]


def test_no_reciprocal_same_municipality_orients_every_pair():
    packages = [_pkg(f"P{i}", f"S{i}", 6) for i in range(4)]
    experts = [_exp(f"E{i}", f"S{i}", 9) for i in range(4)]
    opts = Options(scope=Scope.SAME_MUNICIPALITY, no_reciprocal=True, second_check=0.5)
    result = _joint_result(packages, experts, opts)
    assert check_rules(result, packages, experts, opts) == []
    first = sum(a.works for a in result.assignments if a.role == Role.PRIMARY)
    assert first == 24  # a 4-cycle S0→S1→S2→S3→S0 places every first check


def test_progress_in_the_done_total_message_shape():
    """A three-argument callback gets (done, total, message): integers up to 100, then done."""
    seen = []
    packages = [_pkg("P1", "S1", 4), _pkg("P2", "S2", 4)]
    experts = [_exp("E1", "S1", 10), _exp("E2", "S2", 10), _exp("E3", "S3", 10)]
    solve(
        packages,
        experts,
        Options(second_check=0.5),
        progress=lambda d, t, m: seen.append((d, t, m)),
    )
    assert seen[-1] == (100, 100, "done")
    assert all(isinstance(d, int) and t == 100 for d, t, _ in seen)
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert {"bounds", "assign"} <= {m for _, _, m in seen}
