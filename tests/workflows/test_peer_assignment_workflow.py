"""The peer assignment machine with plain objects: a matrix written by hand from DOMAIN.md §5."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.machine import GuardRefused, InvalidTransition, NotPermitted
from workflows.peer_assignment import Context, PeerAssignmentFlow, peer_workflow

STATES = ["assigned", "accepted", "submitted", "declined", "expired", "cancelled"]
ROLES = ["reviewer", "curator", "system", None]

# (trigger, state, role) → destination; every other cell is refused.
ALLOWED = {
    ("accept", "assigned", "reviewer"): "accepted",
    ("decline", "assigned", "reviewer"): "declined",
    ("decline", "accepted", "reviewer"): "declined",
    ("submit", "accepted", "reviewer"): "submitted",
    ("expire", "assigned", "system"): "expired",
    ("expire", "accepted", "system"): "expired",
    ("cancel", "assigned", "system"): "cancelled",
    ("cancel", "accepted", "system"): "cancelled",
    ("cancel", "assigned", "curator"): "cancelled",
    ("cancel", "accepted", "curator"): "cancelled",
}
# Where the trigger is known from the state but the role is wrong: 403, not 422.
FROM_STATES = {
    "accept": {"assigned"},
    "decline": {"assigned", "accepted"},
    "submit": {"accepted"},
    "expire": {"assigned", "accepted"},
    "cancel": {"assigned", "accepted"},
}
# Every fact but the role, set so that the trigger may fire.
GOOD = {
    "accept": {"document_ready": True, "deadline_passed": False},
    "decline": {"comment": "Нет специалиста"},
    "submit": {"conclusion_complete": True, "deadline_passed": False},
    "expire": {"deadline_passed": True},
    "cancel": {"comment": "Закрываю этап"},
}
# Each condition removed in turn must refuse with GuardRefused.
BREAKERS = {
    "accept": [{"deadline_passed": True}, {"document_ready": False}],
    "decline": [{"comment": "  "}],
    "submit": [{"conclusion_complete": False}, {"deadline_passed": True}],
    "expire": [{"deadline_passed": False}],
    "cancel": [{"comment": ""}],
}


class PlainAssignment(PeerAssignmentFlow):
    def __init__(self, state: str) -> None:
        self.state = state
        self.due_at = self.accepted_at = self.finished_at = None
        self.audit: list[tuple[str, str, str]] = []

    def record_transition(self, event) -> None:
        self.audit.append((event.trigger, event.source, event.dest))


def ctx(role: str | None, **facts) -> Context:
    return Context(actor_id=1, actor_name="Тест", roles=frozenset([role] if role else []), **facts)


CELLS = [(t, s, r) for t in FROM_STATES for s in STATES for r in ROLES]


@pytest.mark.parametrize(("trigger", "state", "role"), CELLS)
def test_matrix(trigger, state, role):
    item = PlainAssignment(state)
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


ALLOWED_CELLS = list(ALLOWED)


@pytest.mark.parametrize(("trigger", "state", "role"), ALLOWED_CELLS)
def test_each_condition_refuses_when_missing(trigger, state, role):
    for breaker in BREAKERS[trigger]:
        item = PlainAssignment(state)
        with pytest.raises(GuardRefused):
            item.fire(trigger, ctx=replace(ctx(role, **GOOD[trigger]), **breaker))
        assert item.state == state


def test_accepting_sets_the_review_deadline_and_finishing_stamps_the_time():
    item = PlainAssignment("assigned")
    item.fire("accept", ctx=ctx("reviewer", document_ready=True, review_days=7))
    # The end of the 7th day after acceptance, Moscow time (the default zone) — see test_deadlines.
    moscow = item.accepted_at.astimezone(ZoneInfo("Europe/Moscow"))
    last_day = moscow.date() + timedelta(days=7)
    assert item.due_at.astimezone(ZoneInfo("Europe/Moscow")).date() == last_day
    assert item.due_at.astimezone(ZoneInfo("Europe/Moscow")).time() == time(23, 59, 59)
    item.fire("submit", ctx=ctx("reviewer", conclusion_complete=True))
    assert item.finished_at is not None and item.finished_at >= item.accepted_at


def test_pinned_definition():
    assert peer_workflow.describe() == [
        {
            "trigger": "accept",
            "source": ["assigned"],
            "dest": "accepted",
            "conditions": ["actor_is_reviewer", "document_ready", "before_deadline"],
        },
        {
            "trigger": "decline",
            "source": ["accepted", "assigned"],
            "dest": "declined",
            "conditions": ["actor_is_reviewer", "has_comment"],
        },
        {
            "trigger": "submit",
            "source": ["accepted"],
            "dest": "submitted",
            "conditions": ["actor_is_reviewer", "conclusion_complete", "before_deadline"],
        },
        {
            "trigger": "expire",
            "source": ["accepted", "assigned"],
            "dest": "expired",
            "conditions": ["actor_is_system", "deadline_passed"],
        },
        {
            "trigger": "cancel",
            "source": ["accepted", "assigned"],
            "dest": "cancelled",
            "conditions": ["actor_is_system_or_curator", "has_comment"],
        },
    ]
