"""The document machine with plain objects: every row of the table, guards, audit rows."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.workflows.plain import PlainDocument
from workflows.document import (
    TRANSITIONS,
    Context,
    DocumentState,
    document_workflow,
)
from workflows.machine import GuardRefused, InvalidTransition, NotPermitted

ALL_GOOD = Context(
    actor_id=7,
    actor_name="Тест",
    roles=frozenset(),
    comment="причина",
    has_file=True,
    has_new_version=True,
    checklist_complete=True,
    window_open=True,
)
ROLE_OF = {
    "actor_is_school": "school",
    "actor_is_curator": "curator",
    "actor_is_coordinator": "coordinator",
    "actor_is_system": "system",
    "actor_is_system_or_curator": "curator",
}


def context_for(row: dict) -> Context:
    roles = frozenset(ROLE_OF[c] for c in row["conditions"] if c in ROLE_OF)
    needs_peer = "needs_peer_stage" in row["conditions"]
    return replace(ALL_GOOD, roles=roles, needs_peer_stage=needs_peer)


ROWS = [
    (row, str(src))
    for row in TRANSITIONS
    for src in ([row["source"]] if isinstance(row["source"], str) else row["source"])
]


@pytest.mark.parametrize(("row", "source"), ROWS, ids=[f"{r['trigger']}:{s}" for r, s in ROWS])
def test_transition_table_row_fires_and_writes_exactly_one_audit_row(row, source):
    doc = PlainDocument(source)
    doc.fire(row["trigger"], ctx=context_for(row))
    assert doc.state == str(row["dest"])
    assert doc.audit == [(row["trigger"], source, str(row["dest"]), 7, "причина")]


@pytest.mark.parametrize(("row", "source"), ROWS, ids=[f"{r['trigger']}:{s}" for r, s in ROWS])
def test_transition_refused_for_every_missing_condition(row, source):
    for condition in row["conditions"]:
        ctx = context_for(row)
        if condition in ROLE_OF:
            ctx = replace(ctx, roles=frozenset())
            expected = NotPermitted
        else:
            ctx = _break(ctx, condition)
            expected = GuardRefused
        doc = PlainDocument(source)
        with pytest.raises(expected):
            doc.fire(row["trigger"], ctx=ctx)
        assert doc.state == source and doc.audit == []


def _break(ctx: Context, condition: str) -> Context:
    broken = {
        "has_file": {"has_file": False},
        "has_new_version": {"has_new_version": False},
        "has_comment": {"comment": "   "},
        "checklist_complete": {"checklist_complete": False},
        "window_open": {"window_open": False},
        "needs_peer_stage": {"needs_peer_stage": False},
        "skips_peer_stage": {"needs_peer_stage": True},
        "peer_assignments_settled": {"peer_assignments_open": True},
        "remarks_answered": {"remarks_open": True},
    }[condition]
    return replace(ctx, **broken)


def test_trigger_from_wrong_state_is_invalid_and_unknown_trigger_too():
    doc = PlainDocument("approved")
    with pytest.raises(InvalidTransition):
        doc.fire("submit", ctx=replace(ALL_GOOD, roles=frozenset({"school"})))
    with pytest.raises(InvalidTransition):
        doc.fire("to_draft", ctx=ALL_GOOD)
    assert not hasattr(doc, "to_draft")


def test_direct_state_assignment_raises():
    doc = PlainDocument("draft")
    with pytest.raises(AttributeError):
        doc.state = "approved"


def test_available_triggers_offer_only_what_the_machine_allows():
    school = replace(ALL_GOOD, roles=frozenset({"school"}))
    curator = replace(ALL_GOOD, roles=frozenset({"curator"}))
    assert PlainDocument("draft").available_triggers(ctx=school) == ["submit"]
    assert PlainDocument("draft").available_triggers(ctx=curator) == []
    assert PlainDocument("curator_review").available_triggers(ctx=curator) == [
        "request_revision",
        "accept",
    ]
    assert PlainDocument("curator_accepted").available_triggers(ctx=curator) == ["approve"]
    peer = replace(curator, needs_peer_stage=True)
    assert PlainDocument("curator_accepted").available_triggers(ctx=peer) == []


def test_blocked_triggers_name_the_missing_fact_never_a_role_or_a_typed_value():
    school = replace(ALL_GOOD, roles=frozenset({"school"}), has_new_version=False)
    returned = PlainDocument("revision_requested")
    assert returned.blocked_triggers(ctx=school) == {
        "resubmit": ["Загрузите исправленную версию документа."]
    }
    unanswered = replace(school, remarks_open=True)
    assert returned.blocked_triggers(ctx=unanswered) == {
        "resubmit": [
            "Загрузите исправленную версию документа.",
            "Ответьте на каждое замечание: ответы показываются куратору рядом с критериями.",
        ]
    }
    ready = replace(school, has_new_version=True)
    assert returned.blocked_triggers(ctx=ready) == {}
    # The curator is not the one to resubmit; a reason typed with the action is asked for.
    curator = replace(ALL_GOOD, roles=frozenset({"curator"}), comment="")
    assert returned.blocked_triggers(ctx=curator) == {}
    assert PlainDocument("curator_review").blocked_triggers(ctx=curator) == {}
    no_checklist = replace(curator, checklist_complete=False)
    assert PlainDocument("curator_review").blocked_triggers(ctx=no_checklist) == {
        "request_revision": ["Заполните чек-лист по всем критериям."],
        "accept": ["Заполните чек-лист по всем критериям."],
    }


def test_machine_definition_is_pinned():
    """Any workflow change must show up as a visible diff of this export."""
    exported = json.dumps(document_workflow.describe(), ensure_ascii=False, sort_keys=True)
    expected = [
        ("submit", ["draft", "withdrawn"], "submitted"),
        ("withdraw", ["submitted"], "withdrawn"),
        ("start_review", ["submitted"], "curator_review"),
        ("request_revision", ["curator_review"], "revision_requested"),
        ("request_revision", ["peer_reviewed"], "revision_requested"),
        ("resubmit", ["revision_requested"], "submitted"),
        ("accept", ["curator_review"], "curator_accepted"),
        ("start_peer_review", ["curator_accepted"], "peer_review"),
        ("finish_peer_review", ["peer_review"], "peer_reviewed"),
        ("approve", ["curator_accepted"], "approved"),
        ("approve", ["peer_reviewed"], "approved"),
        ("reopen", ["approved"], "curator_review"),
    ]
    got = [(r["trigger"], r["source"], r["dest"]) for r in json.loads(exported)]
    assert got == expected
    assert {s.value for s in DocumentState} == {
        "draft",
        "submitted",
        "curator_review",
        "revision_requested",
        "curator_accepted",
        "peer_review",
        "peer_reviewed",
        "approved",
        "withdrawn",
    }


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(document_workflow.triggers()),
            st.frozensets(st.sampled_from(["school", "curator", "coordinator", "system"])),
            st.booleans(),
            st.booleans(),
        ),
        max_size=25,
    )
)
def test_random_event_sequences_keep_state_declared_and_audit_consistent(steps):
    doc = PlainDocument("draft")
    for trigger, roles, flag, peer in steps:
        ctx = replace(
            ALL_GOOD, roles=roles, has_file=flag, checklist_complete=flag, needs_peer_stage=peer
        )
        before = doc.state
        try:
            doc.fire(trigger, ctx=ctx)
        except (InvalidTransition, NotPermitted, GuardRefused):
            assert doc.state == before
            continue
        assert doc.audit[-1][1:3] == (before, doc.state)
    assert doc.state in {s.value for s in DocumentState}
    for (_, _, dest, *_), (_, src, *_) in zip(doc.audit, doc.audit[1:], strict=False):
        assert dest == src
