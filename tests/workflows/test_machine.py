"""The shared machinery with a toy workflow: declarations checked, input guards, entry effects."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pytest

from workflows.machine import (
    GuardRefused,
    GuardSpec,
    NotPermitted,
    Screen,
    Stateful,
    TriggerMeta,
    build_workflow,
)


class Lamp(enum.StrEnum):
    OFF = "off"
    ON = "on"


@dataclass(frozen=True)
class Ctx:
    actor_id: int | None = 1
    actor_name: str = "Тест"
    allowed: bool = True
    comment: str = ""
    powered: bool = True


TABLE = [
    {"trigger": "switch_on", "source": Lamp.OFF, "dest": Lamp.ON, "conditions": ["allowed"]},
    {
        "trigger": "switch_off",
        "source": Lamp.ON,
        "dest": Lamp.OFF,
        "conditions": ["allowed", "powered", "says_why"],
    },
]
GUARDS = [
    GuardSpec("allowed", lambda e: e.ctx.allowed, "Нельзя.", is_role=True),
    GuardSpec("powered", lambda e: e.ctx.powered, "Нет питания."),
    GuardSpec("says_why", lambda e: bool(e.ctx.comment), "Скажите зачем.", on_input=True),
]
META = {
    "switch_on": TriggerMeta("Включить"),
    "switch_off": TriggerMeta("Выключить", screen_from=((Lamp.ON, Screen.REVIEW),)),
}


def _stamp(model, event) -> None:
    model.stamped.append((event.trigger, event.dest))


LAMP = build_workflow("lamp", Lamp, TABLE, GUARDS, META, {Lamp.ON: (_stamp,)})


class PlainLamp(Stateful):
    workflow = LAMP

    def __init__(self) -> None:
        self.state = Lamp.OFF.value
        self.stamped: list = []
        self.events: list = []

    def record_transition(self, event) -> None:
        self.events.append(event)


def test_hook_gets_a_plain_event_after_the_entry_effects():
    lamp = PlainLamp()
    lamp.fire("switch_on", ctx=Ctx())
    assert lamp.state == "on"
    assert lamp.stamped == [("switch_on", "on")]
    (event,) = lamp.events
    assert (event.workflow, event.trigger, event.source, event.dest) == (
        "lamp",
        "switch_on",
        "off",
        "on",
    )
    assert event.model is lamp and event.ctx == Ctx() and event.at.tzinfo is not None


def test_effects_run_only_for_their_state():
    lamp = PlainLamp()
    lamp.fire("switch_on", ctx=Ctx())
    lamp.fire("switch_off", ctx=Ctx(comment="ночь"))
    assert lamp.stamped == [("switch_on", "on")]
    assert [e.dest for e in lamp.events] == ["on", "off"]


def test_input_guards_are_not_judged_when_offering_but_are_when_firing():
    lamp = PlainLamp()
    lamp.fire("switch_on", ctx=Ctx())
    assert lamp.available_triggers(ctx=Ctx(comment="")) == ["switch_off"]
    with pytest.raises(GuardRefused, match="Скажите зачем") as refused:
        lamp.fire("switch_off", ctx=Ctx(comment=""))
    assert refused.value.reasons == ("says_why",)
    assert lamp.available_triggers(ctx=Ctx(powered=False)) == []
    with pytest.raises(NotPermitted):
        lamp.fire("switch_off", ctx=Ctx(allowed=False, comment="x"))


def test_screen_of_a_trigger_may_depend_on_the_state():
    assert LAMP.offered_on(Screen.ACTIONS, "off", ["switch_on", "switch_off"]) == [
        "switch_on",
        "switch_off",
    ]
    assert LAMP.offered_on(Screen.ACTIONS, "on", ["switch_on", "switch_off"]) == ["switch_on"]
    assert LAMP.offered_on(Screen.REVIEW, "on", ["switch_off"]) == ["switch_off"]


@pytest.mark.parametrize(
    ("table", "meta", "effects", "message"),
    [
        (
            [{**TABLE[0], "conditions": ["nobody_knows"]}],
            {"switch_on": META["switch_on"]},
            {},
            "unknown guards",
        ),
        (TABLE, {"switch_on": META["switch_on"]}, {}, "metadata does not match"),
        (TABLE, {**META, "extra": TriggerMeta("x")}, {}, "metadata does not match"),
        ([{**TABLE[0], "dest": "broken"}], {"switch_on": META["switch_on"]}, {}, "undeclared"),
        (TABLE, META, {"dimmed": (_stamp,)}, "undeclared states"),
    ],
)
def test_declarations_that_disagree_are_refused(table, meta, effects, message):
    with pytest.raises(ValueError, match=message):
        build_workflow("lamp", Lamp, table, GUARDS, meta, effects)
