"""The orientation MIP of same municipality + no reciprocal schools (``orientation.py``).

Its bound is compared with the independent CP-SAT optimum of ``exact.py`` (never below it, equal
to it where every municipality's MIP is optimal), the answers it orients are checked by the
independent checker, and a hand-made case shows the bound proving what the flow relaxation
cannot.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workflows.assignment.crosscheck.checker import check, check_rules
from tests.workflows.assignment.crosscheck.exact import exact_optimum
from tests.workflows.assignment.crosscheck.strategies import instances
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
from workflows.assignment.crosscheck.joint import solve_joint
from workflows.assignment.crosscheck.orientation import expert_skills, solve_municipality

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STRICT = st.sampled_from((0.0, 0.25, 0.5)).map(
    lambda share: Options(scope=Scope.SAME_MUNICIPALITY, no_reciprocal=True, second_check=share)
)


def _mips(packages, experts):
    index = build_index(packages, experts)
    pairs = expert_skills(index)
    return [
        solve_municipality(index, m, index.e_cap, pairs) for m in range(len(index.municipalities))
    ]


@FAST
@given(instances(), STRICT)
def test_mip_bound_is_never_below_the_exact_optimum(instance, opts):
    """Sum of the municipalities' proven bounds ≥ the most first checks; equal when optimal,
    and the orientation found places that many."""
    packages, experts = instance
    answers = _mips(packages, experts)
    exact = exact_optimum(packages, experts, opts)
    assert sum(a.most for a in answers) >= exact.primary
    if all(a.optimal or a.most == 0 for a in answers):
        assert sum(a.most for a in answers) == exact.primary
        assert sum(a.placed for a in answers) == exact.primary


def _relaxed(index):
    """Most first checks per municipality without the rule: one relaxation flow per
    municipality alone (the engine takes them from one flow over all of them)."""
    from workflows.assignment.crosscheck.relax import Relaxation

    out = np.zeros(len(index.municipalities), dtype=np.int64)
    for m in range(len(out)):
        amounts = np.where(index.p_muni == m, index.p_works, 0)
        out[m] = Relaxation(index, amounts, Options(scope=Scope.SAME_MUNICIPALITY)).max
    return out


@FAST
@given(instances(), STRICT)
def test_reoriented_joint_answer_keeps_every_rule(instance, opts):
    packages, experts = instance
    index = build_index(packages, experts)
    answer = solve_joint(index, opts, index.e_cap, _relaxed(index))
    rows = [
        Assignment(packages[p].package_id, experts[e].expert_id, works, role)
        for p, e, works, role in answer.pieces
    ]
    result = Result(assignments=rows, unassigned=[], summary={})
    assert check_rules(result, packages, experts, opts) == []
    exact = exact_optimum(packages, experts, opts)
    if answer.first_most is not None:
        assert answer.first_most >= exact.primary
    assert answer.placed(Role.PRIMARY) <= exact.primary


def _pkg(pid, school, works):
    return Package(pid, school, "M1", "math", 5, works)


def _exp(eid, school, cap):
    return Expert(eid, school, "M1", frozenset({"math"}), frozenset({5}), cap)


def test_orientation_bound_proves_what_the_relaxation_cannot():
    """Two schools that could check each other: the rule lets only one direction be used, so 10
    of 20 works stay unplaced. The flow relaxation says 0; the MIP bound proves 10 without the
    CP-SAT stage."""
    packages = [_pkg("P1", "S1", 10), _pkg("P2", "S2", 10)]
    experts = [_exp("E1", "S1", 10), _exp("E2", "S2", 10)]
    opts = Options(scope=Scope.SAME_MUNICIPALITY, no_reciprocal=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cpsat, "PAIR_LIMIT", 0)
        result = solve(packages, experts, opts)
    assert check(result, packages, experts, opts) == []
    primary = result.summary["totals"]["primary"]
    assert (primary["unassigned"], primary["minimum_unassigned"]) == (10, 10)
    assert primary["unassigned_is_minimum"]
    assert result.summary["method"] == "flow"


def test_orientation_mip_finds_the_cycle():
    """Three schools, each with 10 works and one expert of capacity 10: only the cyclic
    orientation (S1→S2→S3→S1) places all 30; the MIP finds it and proves it."""
    packages = [_pkg(f"P{i}", f"S{i}", 10) for i in range(3)]
    experts = [_exp(f"E{i}", f"S{i}", 10) for i in range(3)]
    [answer] = _mips(packages, experts)
    assert (answer.most, answer.placed, answer.optimal) == (30, 30, True)
