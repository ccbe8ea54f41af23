"""The score sheet machine with plain objects: a matrix written by hand from issue 9."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workflows.machine import GuardRefused, InvalidTransition, NotPermitted
from workflows.score_sheet import Context, ScoreSheetFlow, points_complete, sheet_workflow

STATES = ["assigned", "in_progress", "submitted", "withdrawn"]
ROLES = ["expert", "coordinator", "system", None]

ALLOWED = {
    ("start", "assigned", "expert"): "in_progress",
    ("submit", "in_progress", "expert"): "submitted",
    ("withdraw", "assigned", "system"): "withdrawn",
    ("withdraw", "assigned", "coordinator"): "withdrawn",
    ("reopen", "submitted", "coordinator"): "in_progress",
}
FROM_STATES = {
    "start": {"assigned"},
    "submit": {"in_progress"},
    "withdraw": {"assigned"},
    "reopen": {"submitted"},
}
OPEN = {"campaign_state": "checking", "sheet_role": "first"}
GOOD = {
    "start": OPEN,
    "submit": {**OPEN, "points_complete": True},
    "withdraw": {},
    "reopen": {**OPEN, "comment": "Опечатка в задании 3"},
}
BREAKERS = {
    "start": [
        {"campaign_state": "assigned"},
        {"campaign_state": "third_check"},  # a first check is closed in the third stage
        {"campaign_state": "closed"},
    ],
    "submit": [
        {"points_complete": False},
        {"campaign_state": "third_check"},
        {"campaign_state": "cancelled"},
    ],
    "reopen": [{"comment": " "}, {"campaign_state": "closed"}],
}


class PlainSheet(ScoreSheetFlow):
    def __init__(self, state: str) -> None:
        self.state = state
        self.submitted_at = None
        self.audit: list[tuple[str, str, str]] = []

    def record_transition(self, event) -> None:
        self.audit.append((event.trigger, event.source, event.dest))


def ctx(role: str | None, **facts) -> Context:
    roles = frozenset([role] if role else [])
    return Context(actor_id=7, actor_name="Эксперт", roles=roles, **facts)


CELLS = [(t, s, r) for t in FROM_STATES for s in STATES for r in ROLES]


def test_the_matrix_names_every_trigger_of_the_machine():
    assert set(FROM_STATES) == set(sheet_workflow.triggers())


@pytest.mark.parametrize(("trigger", "state", "role"), CELLS)
def test_matrix(trigger, state, role):
    item = PlainSheet(state)
    context = ctx(role, **GOOD[trigger])
    dest = ALLOWED.get((trigger, state, role))
    if dest is not None:
        item.fire(trigger, ctx=context)
        assert item.state == dest and item.audit == [(trigger, state, dest)]
    elif state in FROM_STATES[trigger]:
        with pytest.raises(NotPermitted):
            item.fire(trigger, ctx=context)
        assert item.state == state and item.audit == []
    else:
        with pytest.raises(InvalidTransition):
            item.fire(trigger, ctx=context)
        assert item.state == state and item.audit == []


@pytest.mark.parametrize(("trigger", "state", "role"), [c for c in ALLOWED if c[0] in BREAKERS])
def test_each_condition_refuses_when_missing(trigger, state, role):
    for breaker in BREAKERS[trigger]:
        item = PlainSheet(state)
        with pytest.raises(GuardRefused):
            item.fire(trigger, ctx=replace(ctx(role, **GOOD[trigger]), **breaker))
        assert item.state == state and item.audit == []


def test_a_third_check_is_entered_in_the_third_stage():
    item = PlainSheet("assigned")
    item.fire("start", ctx=ctx("expert", campaign_state="third_check", sheet_role="third"))
    item.fire(
        "submit",
        ctx=ctx("expert", campaign_state="third_check", sheet_role="third", points_complete=True),
    )
    assert item.state == "submitted"


def test_submitting_stamps_the_time_and_reopening_clears_it():
    item = PlainSheet("in_progress")
    item.fire("submit", ctx=ctx("expert", points_complete=True, **OPEN))
    assert item.submitted_at is not None
    item.fire("reopen", ctx=ctx("coordinator", comment="Ошибка ввода", **OPEN))
    assert item.submitted_at is None and item.state == "in_progress"


@pytest.mark.parametrize(
    ("points", "max_points", "expected"),
    [
        ([1, 0, 2], [1, 1, 2], True),
        ([0], [0], True),
        ([1, 0, 3], [1, 1, 2], False),  # above the task's maximum
        ([1, -1, 2], [1, 1, 2], False),  # negative
        ([1, None, 2], [1, 1, 2], False),  # not scored yet
        ([1, 0], [1, 1, 2], False),  # too short
        ([1, 0, 2, 0], [1, 1, 2], False),  # too long
        ([1, 0.5, 2], [1, 1, 2], False),  # not a whole number
        ([True, 0, 2], [1, 1, 2], False),  # a boolean is not a score
        (["1", 0, 2], [1, 1, 2], False),
        (None, [1, 1, 2], False),
        ([], [], False),  # a work without tasks cannot be submitted
    ],
)
def test_points_complete(points, max_points, expected):
    assert points_complete(points, max_points) is expected


def test_pinned_definition():
    assert sheet_workflow.describe() == [
        {"trigger": "start", "source": ["assigned"], "dest": "in_progress",
         "conditions": ["actor_is_expert", "entry_open"]},
        {"trigger": "submit", "source": ["in_progress"], "dest": "submitted",
         "conditions": ["actor_is_expert", "entry_open", "points_complete"]},
        {"trigger": "withdraw", "source": ["assigned"], "dest": "withdrawn",
         "conditions": ["actor_is_system_or_coordinator"]},
        {"trigger": "reopen", "source": ["submitted"], "dest": "in_progress",
         "conditions": ["actor_is_coordinator", "entry_open", "has_comment"]},
    ]  # fmt: skip
