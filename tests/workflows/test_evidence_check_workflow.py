"""The evidence check machine with plain objects: a matrix written by hand from issue 11 §1."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workflows.evidence_check import Context, EvidenceCheckFlow, evidence_workflow
from workflows.machine import GuardRefused, InvalidTransition, NotPermitted

STATES = ["draft", "submitted", "accepted", "returned", "not_done"]
ROLES = ["school", "checker", None]

ALLOWED = {
    ("submit", "draft", "school"): "submitted",
    ("submit", "returned", "school"): "submitted",
    ("accept", "submitted", "checker"): "accepted",
    ("return_for_revision", "submitted", "checker"): "returned",
    ("mark_not_done", "draft", "checker"): "not_done",
    ("mark_not_done", "submitted", "checker"): "not_done",
    ("mark_not_done", "returned", "checker"): "not_done",
}
FROM_STATES = {
    "submit": {"draft", "returned"},
    "accept": {"submitted"},
    "return_for_revision": {"submitted"},
    "mark_not_done": {"draft", "submitted", "returned"},
}
GOOD = {
    "submit": {"has_actual_value": True, "evidence_count": 2},
    "accept": {},
    "return_for_revision": {"comment": "Нет подписи директора"},
    "mark_not_done": {"comment": "Срок прошёл"},
}
BREAKERS = {
    "submit": [{"has_actual_value": False}, {"evidence_count": 0}, {"evidence_count": 1}],
    "return_for_revision": [{"comment": ""}, {"comment": "   "}],
    "mark_not_done": [{"comment": ""}],
}


class PlainCheck(EvidenceCheckFlow):
    def __init__(self, state: str, seen: int = 1) -> None:
        self.state = state
        self.submitted_at = None
        self.submitted_evidence_count = seen  # the checker saw one file before
        self.audit: list[tuple[str, str, str]] = []

    def record_transition(self, event) -> None:
        self.audit.append((event.trigger, event.source, event.dest))


def ctx(role: str | None, **facts) -> Context:
    roles = frozenset([role] if role else [])
    return Context(actor_id=7, actor_name="Иванова", roles=roles, **facts)


CELLS = [(t, s, r) for t in FROM_STATES for s in STATES for r in ROLES]


def test_the_matrix_names_every_trigger_of_the_machine():
    assert set(FROM_STATES) == set(evidence_workflow.triggers())


@pytest.mark.parametrize(("trigger", "state", "role"), CELLS)
def test_matrix(trigger, state, role):
    item = PlainCheck(state)
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
        item = PlainCheck(state)
        with pytest.raises(GuardRefused):
            item.fire(trigger, ctx=replace(ctx(role, **GOOD[trigger]), **breaker))
        assert item.state == state and item.audit == []


def test_the_first_submission_needs_one_file_and_stamps_what_was_seen():
    item = PlainCheck("draft", seen=0)
    with pytest.raises(GuardRefused):
        item.fire("submit", ctx=ctx("school", has_actual_value=True, evidence_count=0))
    item.fire("submit", ctx=ctx("school", has_actual_value=True, evidence_count=1))
    assert item.state == "submitted"
    assert item.submitted_evidence_count == 1 and item.submitted_at is not None


def test_returned_report_needs_a_file_newer_than_the_one_checked():
    item = PlainCheck("draft", seen=0)
    item.fire("submit", ctx=ctx("school", has_actual_value=True, evidence_count=1))
    item.fire("return_for_revision", ctx=ctx("checker", comment="Не тот документ"))
    with pytest.raises(GuardRefused) as refused:
        item.fire("submit", ctx=ctx("school", has_actual_value=True, evidence_count=1))
    assert refused.value.reasons == ("has_new_evidence",)
    item.fire("submit", ctx=ctx("school", has_actual_value=True, evidence_count=2))
    item.fire("accept", ctx=ctx("checker"))
    assert item.state == "accepted" and item.submitted_evidence_count == 2


def test_a_remark_is_asked_for_not_judged_when_listing_actions():
    item = PlainCheck("submitted")
    offered = item.available_triggers(ctx=ctx("checker"))
    assert offered == ["accept", "return_for_revision", "mark_not_done"]
    assert item.available_triggers(ctx=ctx("school")) == []


def test_notification_audiences():
    meta = evidence_workflow.meta
    assert meta["submit"].notify == ("checkers",)
    assert meta["accept"].notify == ("school",)
    assert meta["return_for_revision"].notify == ("school",)
    assert meta["mark_not_done"].notify == ("school",)


def test_pinned_definition():
    assert evidence_workflow.describe() == [
        {
            "trigger": "submit",
            "source": ["draft", "returned"],
            "dest": "submitted",
            "conditions": ["actor_is_school", "has_actual_value", "has_new_evidence"],
        },
        {
            "trigger": "accept",
            "source": ["submitted"],
            "dest": "accepted",
            "conditions": ["actor_is_checker"],
        },
        {
            "trigger": "return_for_revision",
            "source": ["submitted"],
            "dest": "returned",
            "conditions": ["actor_is_checker", "has_comment"],
        },
        {
            "trigger": "mark_not_done",
            "source": ["draft", "returned", "submitted"],
            "dest": "not_done",
            "conditions": ["actor_is_checker", "has_comment"],
        },
    ]
