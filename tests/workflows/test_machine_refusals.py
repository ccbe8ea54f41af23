"""Refusals of the shared machinery, with a toy workflow built while the test runs."""

from __future__ import annotations

import enum

import pytest

from workflows.machine import (
    GuardRefused,
    GuardSpec,
    InvalidTransition,
    NotPermitted,
    Stateful,
    TriggerMeta,
    build_workflow,
)


class Light(enum.StrEnum):
    OFF = "off"
    ON = "on"
    BROKEN = "broken"


def _role(name):
    return lambda e: name in e.ctx["roles"]


GUARDS = [
    GuardSpec("is_owner", _role("owner"), "Только владелец.", is_role=True),
    GuardSpec("is_tech", _role("tech"), "Только техник.", is_role=True),
    GuardSpec("has_power", lambda e: e.ctx.get("power", False), "Нет питания."),
    GuardSpec("has_bulb", lambda e: e.ctx.get("bulb", False), "Нет лампы."),
]
TABLE = [
    {
        "trigger": "switch_on",
        "source": Light.OFF,
        "dest": Light.ON,
        "conditions": ["is_owner", "has_power"],
    },
    {"trigger": "switch_off", "source": "on", "dest": Light.OFF, "conditions": ["is_owner"]},
    {"trigger": "break_it", "source": [Light.ON, Light.OFF], "dest": Light.BROKEN},
    {
        "trigger": "repair",
        "source": [Light.BROKEN],
        "dest": Light.OFF,
        "conditions": ["is_tech", "has_bulb", "has_power"],
    },
]


def _meta(table) -> dict:
    return {str(row["trigger"]): TriggerMeta(str(row["trigger"])) for row in table}


def make_lamp_class(table=TABLE, guards=GUARDS):
    log: list[tuple[str, str, str]] = []

    workflow = build_workflow("lamp", Light, table, guards, _meta(table))

    class Lamp(Stateful):
        def __init__(self, state: str) -> None:
            self._state = state

        @property
        def state(self) -> str:
            return self._state

        @state.setter
        def state(self, value: str) -> None:
            if not self._firing:
                raise AttributeError("only through fire()")
            self._state = value

        def record_transition(self, event) -> None:
            log.append((event.trigger, event.source, event.dest))

    Lamp.workflow = workflow
    return Lamp, log


def test_built_machine_fires_every_row_with_guards_resolved_by_name():
    Lamp, log = make_lamp_class()
    lamp = Lamp("off")
    lamp.fire("switch_on", ctx=dict(roles={"owner"}, power=True))
    lamp.fire("break_it", ctx=dict(roles=set()))
    lamp.fire("repair", ctx=dict(roles={"tech"}, bulb=True, power=True))
    lamp.fire("break_it", ctx=dict(roles=set()))
    assert lamp.state == "broken"
    assert log == [
        ("switch_on", "off", "on"),
        ("break_it", "on", "broken"),
        ("repair", "broken", "off"),
        ("break_it", "off", "broken"),
    ]
    other = Lamp("on")
    other.fire("switch_off", ctx=dict(roles={"owner"}))
    assert other.state == "off"


def test_guards_of_the_built_machine_refuse():
    Lamp, log = make_lamp_class()
    lamp = Lamp("broken")
    with pytest.raises(NotPermitted) as refused:
        lamp.fire("repair", ctx=dict(roles={"owner"}, bulb=True, power=True))
    assert refused.value.message == "Только техник."
    assert refused.value.reasons == ("is_tech",)
    with pytest.raises(GuardRefused) as refused:
        lamp.fire("repair", ctx=dict(roles={"tech"}))
    assert refused.value.message == "Нет лампы. Нет питания."
    assert refused.value.reasons == ("has_bulb", "has_power")
    with pytest.raises(InvalidTransition) as refused:
        lamp.fire("switch_on", ctx=dict(roles={"owner"}, power=True))
    assert refused.value.message == "Действие «switch_on» невозможно в состоянии «broken»."
    assert lamp.state == "broken" and log == []


def test_no_auto_transitions_and_only_declared_states():
    Lamp, _ = make_lamp_class()
    machine = Lamp.workflow.machine
    assert set(machine.states) == {"off", "on", "broken"}
    assert not any(name.startswith("to_") for name in machine.events)
    assert sorted(machine.events) == ["break_it", "repair", "switch_off", "switch_on"]
    with pytest.raises(InvalidTransition):
        Lamp("off").fire("to_on")


def test_describe_and_triggers_export_the_table_as_plain_data():
    Lamp, _ = make_lamp_class()
    assert Lamp.workflow.triggers() == ["switch_on", "switch_off", "break_it", "repair"]
    assert Lamp.workflow.states is Light
    assert Lamp.workflow.table is TABLE
    assert Lamp.workflow.describe() == [
        {
            "trigger": "switch_on",
            "source": ["off"],
            "dest": "on",
            "conditions": ["is_owner", "has_power"],
        },
        {"trigger": "switch_off", "source": ["on"], "dest": "off", "conditions": ["is_owner"]},
        {"trigger": "break_it", "source": ["off", "on"], "dest": "broken", "conditions": []},
        {
            "trigger": "repair",
            "source": ["broken"],
            "dest": "off",
            "conditions": ["is_tech", "has_bulb", "has_power"],
        },
    ]
    assert all(type(row["dest"]) is str for row in Lamp.workflow.describe())
    assert all(type(s) is str for row in Lamp.workflow.describe() for s in row["source"])


def test_available_triggers_in_table_order():
    Lamp, _ = make_lamp_class()
    assert Lamp("off").available_triggers(ctx=dict(roles={"owner"}, power=True)) == [
        "switch_on",
        "break_it",
    ]
    assert Lamp("off").available_triggers(ctx=dict(roles=set())) == ["break_it"]


def test_unknown_guard_name_is_refused_when_building():
    table = [
        {"trigger": "switch_on", "source": "off", "dest": "on", "conditions": ["is_owner", "nope"]}
    ]
    with pytest.raises(ValueError, match=r"unknown guards \['nope'\] in switch_on"):
        build_workflow("lamp", Light, table, GUARDS, _meta(table))


def test_guard_that_changes_its_mind_is_still_a_refusal():
    """fire() trusts the machine's own verdict too: a guard false on the second call refuses."""
    calls = []

    def flaky(event) -> bool:
        calls.append(1)
        return len(calls) == 1

    guards = [GuardSpec("flaky", flaky, "Нестабильно.")]
    table = [{"trigger": "switch_on", "source": "off", "dest": "on", "conditions": ["flaky"]}]
    Lamp, log = make_lamp_class(table, guards)
    lamp = Lamp("off")
    with pytest.raises(GuardRefused) as refused:
        lamp.fire("switch_on")
    assert refused.value.message == "Условия перехода не выполнены."
    assert refused.value.trigger == "switch_on"
    assert lamp.state == "off" and log == []
    with pytest.raises(AttributeError):
        lamp.state = "on"


def test_guard_sees_the_model_state_and_context():
    seen = []

    def spy(event) -> bool:
        seen.append((event.model.state, event.source, event.trigger, event.ctx))
        return True

    guards = [GuardSpec("spy", spy, "-")]
    table = [{"trigger": "switch_on", "source": "off", "dest": "on", "conditions": ["spy"]}]
    Lamp, _ = make_lamp_class(table, guards)
    Lamp("off").check_fire("switch_on", ctx={"power": True})
    assert seen == [("off", "off", "switch_on", {"power": True})]


def test_with_two_rows_for_one_trigger_the_refusal_explains_the_closest_one():
    guards = GUARDS
    table = [
        {
            "trigger": "go",
            "source": "off",
            "dest": "on",
            "conditions": ["is_tech", "has_bulb", "has_power"],
        },
        {
            "trigger": "go",
            "source": "off",
            "dest": "broken",
            "conditions": ["is_owner", "has_power"],
        },
    ]
    Lamp, _ = make_lamp_class(table, guards)
    with pytest.raises(GuardRefused) as refused:
        Lamp("off").fire("go", ctx=dict(roles={"owner"}))
    assert refused.value.reasons == ("has_power",)
    with pytest.raises(NotPermitted) as refused:
        Lamp("off").fire("go", ctx=dict(roles=set(), bulb=True, power=True))
    assert refused.value.reasons == ("is_tech",)  # a tie goes to the first row of the table
    lamp = Lamp("off")
    lamp.fire("go", ctx=dict(roles={"owner"}, power=True))
    assert lamp.state == "broken"
