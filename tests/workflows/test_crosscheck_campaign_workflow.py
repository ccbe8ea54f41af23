"""The cross-check campaign machine with plain objects: a matrix written by hand from issue 9."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workflows.crosscheck_campaign import (
    Context,
    CrossCheckCampaignFlow,
    campaign_workflow,
    entry_open,
)
from workflows.machine import GuardRefused, InvalidTransition, NotPermitted

STATES = ["draft", "lists_loaded", "assigned", "checking", "third_check", "closed", "cancelled"]
ROLES = ["coordinator", "school", "system", None]

# (trigger, state, role) → destination; every other cell is refused.
ALLOWED = {
    ("edit", "draft", "coordinator"): "draft",
    ("import_list", "draft", "coordinator"): "draft",
    ("import_list", "lists_loaded", "coordinator"): "lists_loaded",
    ("complete_lists", "draft", "coordinator"): "lists_loaded",
    ("complete_lists", "draft", "system"): "lists_loaded",
    ("add_expert", "draft", "school"): "draft",
    ("add_expert", "lists_loaded", "school"): "lists_loaded",
    ("add_expert", "assigned", "school"): "assigned",
    ("add_expert", "checking", "school"): "checking",
    ("assign", "lists_loaded", "coordinator"): "assigned",
    ("assign", "lists_loaded", "system"): "assigned",
    ("assign", "assigned", "coordinator"): "assigned",
    ("assign", "assigned", "system"): "assigned",
    ("assign", "checking", "coordinator"): "checking",
    ("assign", "checking", "system"): "checking",
    ("start_checking", "assigned", "coordinator"): "checking",
    ("start_third_check", "checking", "coordinator"): "third_check",
    ("start_third_check", "checking", "system"): "third_check",
    ("close", "checking", "coordinator"): "closed",
    ("close", "third_check", "coordinator"): "closed",
    ("cancel", "draft", "coordinator"): "cancelled",
    ("cancel", "lists_loaded", "coordinator"): "cancelled",
    ("cancel", "assigned", "coordinator"): "cancelled",
    ("cancel", "checking", "coordinator"): "cancelled",
    ("cancel", "third_check", "coordinator"): "cancelled",
}
# Where the trigger is known from the state but the role is wrong: 403, not 409/422.
FROM_STATES = {
    "edit": {"draft"},
    "import_list": {"draft", "lists_loaded"},
    "complete_lists": {"draft"},
    "add_expert": {"draft", "lists_loaded", "assigned", "checking"},
    "assign": {"lists_loaded", "assigned", "checking"},
    "start_checking": {"assigned"},
    "start_third_check": {"checking"},
    "close": {"checking", "third_check"},
    "cancel": {"draft", "lists_loaded", "assigned", "checking", "third_check"},
}
LISTS = {"has_tasks": True, "has_works": True, "has_experts": True}
# Every fact but the role, set so that the trigger may fire.
GOOD = {
    "edit": {},
    "import_list": {},
    "complete_lists": LISTS,
    "add_expert": {"experts_deadline_passed": False},
    "assign": LISTS,
    "start_checking": {"has_sheets": True},
    "start_third_check": {},
    "close": {"open_sheets": 0},
    "cancel": {"comment": "Перенос на весну"},
}
# Each condition removed in turn must refuse with GuardRefused.
BREAKERS = {
    "complete_lists": [{"has_tasks": False}, {"has_works": False}, {"has_experts": False}],
    "add_expert": [{"experts_deadline_passed": True}],
    "assign": [{"has_tasks": False}, {"has_works": False}, {"has_experts": False}],
    "start_checking": [{"has_sheets": False}],
    "close": [{"open_sheets": 1}, {"open_sheets": 250}],
    "cancel": [{"comment": "   "}],
}


class PlainCampaign(CrossCheckCampaignFlow):
    def __init__(self, state: str) -> None:
        self.state = state
        self.audit: list[tuple[str, str, str, str]] = []

    def record_transition(self, event) -> None:
        self.audit.append((event.trigger, event.source, event.dest, event.ctx.comment))


def ctx(role: str | None, **facts) -> Context:
    return Context(actor_id=1, actor_name="Тест", roles=frozenset([role] if role else []), **facts)


CELLS = [(t, s, r) for t in FROM_STATES for s in STATES for r in ROLES]


def test_the_matrix_names_every_trigger_of_the_machine():
    assert set(FROM_STATES) == set(campaign_workflow.triggers())


@pytest.mark.parametrize(("trigger", "state", "role"), CELLS)
def test_matrix(trigger, state, role):
    item = PlainCampaign(state)
    context = ctx(role, **GOOD[trigger])
    dest = ALLOWED.get((trigger, state, role))
    if dest is not None:
        item.fire(trigger, ctx=context)
        assert item.state == dest
        assert item.audit == [(trigger, state, dest, context.comment)]
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
        item = PlainCampaign(state)
        with pytest.raises(GuardRefused):
            item.fire(trigger, ctx=replace(ctx(role, **GOOD[trigger]), **breaker))
        assert item.state == state and item.audit == []


def test_lists_are_refused_once_assigned():
    """Lists change only in draft and lists_loaded: after the assignment, 409-class refusal."""
    for state in ("assigned", "checking", "third_check", "closed", "cancelled"):
        with pytest.raises(InvalidTransition):
            PlainCampaign(state).fire("import_list", ctx=ctx("coordinator"))


def test_screens_ask_for_the_comment_but_offer_cancel():
    item = PlainCampaign("checking")
    offered = item.available_triggers(ctx=ctx("coordinator", open_sheets=3, **LISTS))
    assert offered == ["assign", "start_third_check", "cancel"]


def test_the_school_is_offered_only_adding_experts():
    assert PlainCampaign("assigned").available_triggers(ctx=ctx("school")) == ["add_expert"]
    assert PlainCampaign("third_check").available_triggers(ctx=ctx("school")) == []


@pytest.mark.parametrize(
    ("campaign_state", "sheet_role", "expected"),
    [
        ("checking", "first", True),
        ("checking", "second", True),
        ("checking", "third", True),
        ("third_check", "third", True),
        ("third_check", "first", False),
        ("third_check", "second", False),
        ("assigned", "first", False),
        ("assigned", "third", False),
        ("lists_loaded", "first", False),
        ("draft", "first", False),
        ("closed", "third", False),
        ("closed", "first", False),
        ("cancelled", "first", False),
        ("cancelled", "third", False),
    ],
)
def test_entry_open(campaign_state, sheet_role, expected):
    assert entry_open(campaign_state, sheet_role) is expected


def test_pinned_definition():
    assert campaign_workflow.describe() == [
        {"trigger": "edit", "source": ["draft"], "dest": "draft",
         "conditions": ["actor_is_coordinator"]},
        {"trigger": "import_list", "source": ["draft"], "dest": "draft",
         "conditions": ["actor_is_coordinator"]},
        {"trigger": "import_list", "source": ["lists_loaded"], "dest": "lists_loaded",
         "conditions": ["actor_is_coordinator"]},
        {"trigger": "complete_lists", "source": ["draft"], "dest": "lists_loaded",
         "conditions": ["actor_is_coordinator_or_system", "lists_complete"]},
        {"trigger": "add_expert", "source": ["draft"], "dest": "draft",
         "conditions": ["actor_is_school", "before_experts_deadline"]},
        {"trigger": "add_expert", "source": ["lists_loaded"], "dest": "lists_loaded",
         "conditions": ["actor_is_school", "before_experts_deadline"]},
        {"trigger": "add_expert", "source": ["assigned"], "dest": "assigned",
         "conditions": ["actor_is_school", "before_experts_deadline"]},
        {"trigger": "add_expert", "source": ["checking"], "dest": "checking",
         "conditions": ["actor_is_school", "before_experts_deadline"]},
        {"trigger": "assign", "source": ["assigned", "lists_loaded"], "dest": "assigned",
         "conditions": ["actor_is_coordinator_or_system", "lists_complete"]},
        {"trigger": "assign", "source": ["checking"], "dest": "checking",
         "conditions": ["actor_is_coordinator_or_system", "lists_complete"]},
        {"trigger": "start_checking", "source": ["assigned"], "dest": "checking",
         "conditions": ["actor_is_coordinator", "has_sheets"]},
        {"trigger": "start_third_check", "source": ["checking"], "dest": "third_check",
         "conditions": ["actor_is_coordinator_or_system"]},
        {"trigger": "close", "source": ["checking", "third_check"], "dest": "closed",
         "conditions": ["actor_is_coordinator", "all_sheets_submitted"]},
        {"trigger": "cancel",
         "source": ["assigned", "checking", "draft", "lists_loaded", "third_check"],
         "dest": "cancelled", "conditions": ["actor_is_coordinator", "has_comment"]},
    ]  # fmt: skip
