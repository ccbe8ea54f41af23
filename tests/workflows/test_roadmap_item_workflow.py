"""The roadmap item machine with plain objects: a matrix written by hand from issue 11 §2."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workflows.machine import GuardRefused, InvalidTransition, NotPermitted
from workflows.roadmap_item import Context, RoadmapItemFlow, roadmap_item_workflow

STATES = ["new", "planned", "in_progress", "done", "removed"]
ROLES = ["editor", "system", None]

# (trigger, state, role) → destination; every other cell is refused.
ALLOWED = {
    ("add", "new", "editor"): "planned",
    ("add", "new", "system"): "planned",
    ("start", "planned", "editor"): "in_progress",
    ("start", "planned", "system"): "in_progress",
    ("complete", "planned", "editor"): "done",
    ("complete", "planned", "system"): "done",
    ("complete", "in_progress", "editor"): "done",
    ("complete", "in_progress", "system"): "done",
    ("remove", "planned", "editor"): "removed",
    ("remove", "planned", "system"): "removed",
    ("remove", "in_progress", "editor"): "removed",
    ("remove", "in_progress", "system"): "removed",
}
FROM_STATES = {
    "add": {"new"},
    "start": {"planned"},
    "complete": {"planned", "in_progress"},
    "remove": {"planned", "in_progress"},
}
GOOD = {
    "add": {"roadmap_confirmed": True, "comment": "Новое поручение министерства"},
    "start": {},
    "complete": {},
    "remove": {"comment": "Мероприятие отменено организатором"},
}
BREAKERS = {
    "add": [{"comment": "  "}],  # confirmed roadmap, no reason
    "start": [],
    "complete": [],
    "remove": [{"comment": ""}, {"comment": " \n "}],
}


class PlainItem(RoadmapItemFlow):
    def __init__(self, state: str) -> None:
        self.state = state
        self.done_at = None
        self.audit: list[tuple[str, str, str, str]] = []

    def record_transition(self, event) -> None:
        self.audit.append((event.trigger, event.source, event.dest, event.ctx.comment))


def ctx(role: str | None, **facts) -> Context:
    return Context(actor_id=1, actor_name="Тест", roles=frozenset([role] if role else []), **facts)


CELLS = [(t, s, r) for t in FROM_STATES for s in STATES for r in ROLES]


@pytest.mark.parametrize(("trigger", "state", "role"), CELLS)
def test_matrix(trigger, state, role):
    item = PlainItem(state)
    context = ctx(role, **GOOD[trigger])
    dest = ALLOWED.get((trigger, state, role))
    if dest is not None:
        item.fire(trigger, ctx=context)
        assert item.state == dest
        assert item.audit == [(trigger, state, dest, GOOD[trigger].get("comment", ""))]
    elif state in FROM_STATES[trigger]:
        with pytest.raises(NotPermitted):
            item.fire(trigger, ctx=context)
        assert item.state == state and item.audit == []
    else:
        with pytest.raises(InvalidTransition):
            item.fire(trigger, ctx=context)
        assert item.state == state and item.audit == []


@pytest.mark.parametrize(("trigger", "state", "role"), list(ALLOWED))
def test_each_condition_refuses_when_missing(trigger, state, role):
    for breaker in BREAKERS[trigger]:
        item = PlainItem(state)
        with pytest.raises(GuardRefused):
            item.fire(trigger, ctx=replace(ctx(role, **GOOD[trigger]), **breaker))
        assert item.state == state and item.audit == []


def test_adding_to_an_unconfirmed_roadmap_needs_no_reason():
    item = PlainItem("new")
    item.fire("add", ctx=ctx("editor", roadmap_confirmed=False))
    assert item.state == "planned"


def test_adding_to_a_confirmed_roadmap_refuses_without_reason_with_the_message():
    item = PlainItem("new")
    with pytest.raises(GuardRefused, match="укажите причину добавления"):
        item.fire("add", ctx=ctx("editor", roadmap_confirmed=True))


def test_done_stamps_the_time_and_other_states_do_not():
    item = PlainItem("planned")
    item.fire("start", ctx=ctx("editor"))
    assert item.done_at is None
    item.fire("complete", ctx=ctx("editor"))
    assert item.done_at is not None


def test_screens_offer_remove_and_reason_is_asked_not_judged():
    item = PlainItem("planned")
    assert set(item.available_triggers(ctx=ctx("editor"))) == {"start", "complete", "remove"}
    assert item.available_triggers(ctx=ctx(None)) == []
    assert PlainItem("new").available_triggers(ctx=ctx("editor", roadmap_confirmed=True)) == ["add"]


def test_pinned_definition():
    assert roadmap_item_workflow.describe() == [
        {
            "trigger": "add",
            "source": ["new"],
            "dest": "planned",
            "conditions": ["actor_is_editor_or_system", "reason_once_confirmed"],
        },
        {
            "trigger": "start",
            "source": ["planned"],
            "dest": "in_progress",
            "conditions": ["actor_is_editor_or_system"],
        },
        {
            "trigger": "complete",
            "source": ["in_progress", "planned"],
            "dest": "done",
            "conditions": ["actor_is_editor_or_system"],
        },
        {
            "trigger": "remove",
            "source": ["in_progress", "planned"],
            "dest": "removed",
            "conditions": ["actor_is_editor_or_system", "has_comment"],
        },
    ]
