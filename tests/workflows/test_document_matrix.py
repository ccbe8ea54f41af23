"""Who may fire what from where: the document workflow checked against DOMAIN.md §4.

Everything expected here is written out by hand from DOMAIN.md §4 and never read from the table
under test, so removing a guard, a role or a source state from ``workflows/document.py`` makes a
test fail.  The tests use only the plain-object interface: ``fire``, ``check_fire``,
``can_fire``, ``available_triggers`` and the exported ``describe()``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.workflows.plain import PlainDocument
from workflows.document import Context, document_workflow
from workflows.machine import GuardRefused, InvalidTransition, NotPermitted

STATES = [
    "draft",
    "submitted",
    "curator_review",
    "revision_requested",
    "curator_accepted",
    "peer_review",
    "peer_reviewed",
    "approved",
    "withdrawn",
]
TRIGGERS = [
    "submit",
    "withdraw",
    "start_review",
    "request_revision",
    "resubmit",
    "accept",
    "start_peer_review",
    "finish_peer_review",
    "approve",
    "reopen",
]
ROLES = ["school", "curator", "coordinator", "system", None]

# The facts a rule may depend on besides the actor's role, and how to take each one away.
FILE = "file"  # the document has an uploaded version
NEW_VERSION = "new_version"  # a version uploaded since the last return
COMMENT = "comment"  # a non-blank comment / reason
CHECKLIST = "checklist"  # the curator's checklist is complete
WINDOW = "window"  # the campaign stage's submission window is open
PEER_NEEDED = "peer_needed"  # the document type goes through mutual expertise
NO_PEER = "no_peer"  # ... and the opposite: it does not
SETTLED = "settled"  # no peer reviewer still holds the document
ANSWERED = "answered"  # the school answered every remark of the last return

# (trigger, source) -> (destination, roles that may fire it, facts that must hold).
# Written from DOMAIN.md §4; every (trigger, state) pair not listed is invalid.
RULES: dict[tuple[str, str], tuple[str, set[str], set[str]]] = {
    ("submit", "draft"): ("submitted", {"school"}, {FILE, WINDOW}),
    ("submit", "withdrawn"): ("submitted", {"school"}, {FILE, WINDOW}),
    ("withdraw", "submitted"): ("withdrawn", {"school"}, set()),
    ("start_review", "submitted"): ("curator_review", {"curator"}, set()),
    ("request_revision", "curator_review"): (
        "revision_requested",
        {"curator"},
        {COMMENT, CHECKLIST},
    ),
    ("request_revision", "peer_reviewed"): ("revision_requested", {"curator"}, {COMMENT}),
    ("resubmit", "revision_requested"): ("submitted", {"school"}, {NEW_VERSION, ANSWERED, WINDOW}),
    ("accept", "curator_review"): ("curator_accepted", {"curator"}, {CHECKLIST}),
    ("start_peer_review", "curator_accepted"): ("peer_review", {"system"}, {PEER_NEEDED}),
    ("finish_peer_review", "peer_review"): ("peer_reviewed", {"system", "curator"}, {SETTLED}),
    ("approve", "curator_accepted"): ("approved", {"curator"}, {NO_PEER}),
    ("approve", "peer_reviewed"): ("approved", {"curator"}, set()),
    ("reopen", "approved"): ("curator_review", {"coordinator"}, {COMMENT}),
}

# The Russian refusal texts the user sees, spelled out here so that the UI text is pinned.
ROLE_MESSAGE = {
    "submit": "Это действие выполняет школа.",
    "withdraw": "Это действие выполняет школа.",
    "resubmit": "Это действие выполняет школа.",
    "start_review": "Это действие выполняет куратор школы.",
    "request_revision": "Это действие выполняет куратор школы.",
    "accept": "Это действие выполняет куратор школы.",
    "approve": "Это действие выполняет куратор школы.",
    "reopen": "Это действие выполняет координатор.",
    "start_peer_review": "Этот переход выполняет система.",
    "finish_peer_review": "Этот переход выполняет система или куратор.",
}
FACT_MESSAGE = {
    FILE: "Сначала загрузите файл документа.",
    NEW_VERSION: "Загрузите исправленную версию документа.",
    COMMENT: "Укажите комментарий: он обязателен для этого действия.",
    CHECKLIST: "Заполните чек-лист по всем критериям.",
    WINDOW: "Этап кампании закрыт: сроки подачи истекли.",
    PEER_NEEDED: "Для этого типа документа взаимоэкспертиза не проводится.",
    NO_PEER: "Сначала документ должен пройти взаимоэкспертизу.",
    SETTLED: "У документа есть открытые назначения взаимоэкспертизы: закройте этап с указанием "
    "причины, назначения будут сняты.",
    ANSWERED: "Ответьте на каждое замечание: ответы показываются куратору рядом с критериями.",
}


def context(role: str | None, facts: set[str] | frozenset[str] = frozenset()) -> Context:
    """A context for ``role`` in which every fact holds; ``facts`` decides the peer stage."""
    return Context(
        actor_id=7,
        actor_name="Тест",
        roles=frozenset() if role is None else frozenset({role}),
        comment="причина",
        has_file=True,
        has_new_version=True,
        checklist_complete=True,
        window_open=True,
        needs_peer_stage=PEER_NEEDED in facts,
    )


def without(ctx: Context, fact: str) -> Context:
    """``ctx`` with ``fact`` taken away."""
    broken = {
        FILE: {"has_file": False},
        NEW_VERSION: {"has_new_version": False},
        COMMENT: {"comment": "  \n "},
        CHECKLIST: {"checklist_complete": False},
        WINDOW: {"window_open": False},
        PEER_NEEDED: {"needs_peer_stage": False},
        NO_PEER: {"needs_peer_stage": True},
        SETTLED: {"peer_assignments_open": True},
        ANSWERED: {"remarks_open": True},
    }[fact]
    return replace(ctx, **broken)


def expected(state: str, trigger: str, role: str | None) -> str | type[Exception]:
    """The hand-written outcome of one cell: the destination state or the refusal."""
    rule = RULES.get((trigger, state))
    if rule is None:
        return InvalidTransition
    dest, roles, _facts = rule
    return dest if role in roles else NotPermitted


CELLS = [(s, t, r) for s in STATES for t in TRIGGERS for r in ROLES]


def test_matrix_covers_every_state_trigger_and_role():
    assert len(CELLS) == 9 * 10 * 5
    assert sorted(document_workflow.triggers()) == sorted(TRIGGERS)
    assert {s.value for s in PlainDocument.workflow.states} == set(STATES)
    assert {trigger for trigger, _ in RULES} == set(TRIGGERS)


@pytest.mark.parametrize(
    ("state", "trigger", "role"), CELLS, ids=[f"{s}-{t}-{r}" for s, t, r in CELLS]
)
def test_cell(state, trigger, role):
    rule = RULES.get((trigger, state))
    facts = rule[2] if rule else set()
    ctx = context(role, facts)
    doc = PlainDocument(state)
    outcome = expected(state, trigger, role)
    if isinstance(outcome, str):
        assert doc.can_fire(trigger, ctx=ctx)
        doc.check_fire(trigger, ctx=ctx)
        doc.fire(trigger, ctx=ctx)
        assert doc.state == outcome
        assert doc.audit == [(trigger, state, outcome, 7, "причина")]
        return
    with pytest.raises(outcome) as refused:
        doc.check_fire(trigger, ctx=ctx)
    assert not doc.can_fire(trigger, ctx=ctx)
    with pytest.raises(outcome):
        doc.fire(trigger, ctx=ctx)
    assert doc.state == state and doc.audit == []
    assert refused.value.trigger == trigger
    if outcome is NotPermitted:
        assert refused.value.message == ROLE_MESSAGE[trigger]
    else:
        assert refused.value.message == f"Действие «{trigger}» невозможно в состоянии «{state}»."


ALLOWED = [
    (state, trigger, role, fact)
    for (trigger, state), (_dest, roles, facts) in RULES.items()
    for role in sorted(roles)
    for fact in sorted(facts)
]


@pytest.mark.parametrize(
    ("state", "trigger", "role", "fact"),
    ALLOWED,
    ids=[f"{s}-{t}-{r}-no_{f}" for s, t, r, f in ALLOWED],
)
def test_each_required_fact_removed_in_turn_is_refused(state, trigger, role, fact):
    ctx = without(context(role, RULES[(trigger, state)][2]), fact)
    doc = PlainDocument(state)
    with pytest.raises(GuardRefused) as refused:
        doc.fire(trigger, ctx=ctx)
    assert refused.value.message == FACT_MESSAGE[fact]
    assert not doc.can_fire(trigger, ctx=ctx)
    # A comment is typed with the action: the screen offers it and asks for the comment.
    offered = trigger in doc.available_triggers(ctx=ctx)
    assert offered == (fact == "comment")
    assert doc.state == state and doc.audit == []


UNCONDITIONAL = [
    (state, trigger, role, fact)
    for (trigger, state), (_dest, roles, facts) in RULES.items()
    for role in sorted(roles)
    for fact in (FILE, NEW_VERSION, COMMENT, CHECKLIST, WINDOW, ANSWERED)
    if fact not in facts
]


@pytest.mark.parametrize(
    ("state", "trigger", "role", "fact"),
    UNCONDITIONAL,
    ids=[f"{s}-{t}-{r}-no_{f}" for s, t, r, f in UNCONDITIONAL],
)
def test_facts_a_rule_does_not_name_do_not_block_it(state, trigger, role, fact):
    ctx = without(context(role, RULES[(trigger, state)][2]), fact)
    doc = PlainDocument(state)
    doc.fire(trigger, ctx=ctx)
    assert doc.state == RULES[(trigger, state)][0]


@pytest.mark.parametrize(
    ("state", "trigger", "role", "needs_peer", "outcome"),
    [
        # Only approval from curator_accepted and the start of the peer stage look at the setting.
        ("curator_accepted", "approve", "curator", False, "approved"),
        ("curator_accepted", "approve", "curator", True, GuardRefused),
        ("curator_accepted", "start_peer_review", "system", True, "peer_review"),
        ("curator_accepted", "start_peer_review", "system", False, GuardRefused),
        ("peer_reviewed", "approve", "curator", True, "approved"),
        ("peer_reviewed", "approve", "curator", False, "approved"),
        ("peer_review", "finish_peer_review", "system", True, "peer_reviewed"),
        ("peer_review", "finish_peer_review", "curator", False, "peer_reviewed"),
        ("curator_review", "accept", "curator", True, "curator_accepted"),
        ("peer_reviewed", "request_revision", "curator", True, "revision_requested"),
    ],
)
def test_peer_stage_setting(state, trigger, role, needs_peer, outcome):
    ctx = replace(context(role), needs_peer_stage=needs_peer)
    doc = PlainDocument(state)
    if isinstance(outcome, str):
        doc.fire(trigger, ctx=ctx)
        assert doc.state == outcome
    else:
        with pytest.raises(outcome):
            doc.fire(trigger, ctx=ctx)
        assert doc.state == state


def test_available_triggers_per_state_and_role_in_table_order():
    """What the screen offers each role in each state, every fact holding, no peer stage."""
    offered = {
        ("draft", "school"): ["submit"],
        ("withdrawn", "school"): ["submit"],
        ("submitted", "school"): ["withdraw"],
        ("submitted", "curator"): ["start_review"],
        ("curator_review", "curator"): ["request_revision", "accept"],
        ("revision_requested", "school"): ["resubmit"],
        ("curator_accepted", "curator"): ["approve"],
        ("peer_review", "curator"): ["finish_peer_review"],
        ("peer_review", "system"): ["finish_peer_review"],
        ("peer_reviewed", "curator"): ["request_revision", "approve"],
        ("approved", "coordinator"): ["reopen"],
    }
    for state in STATES:
        for role in ROLES:
            got = PlainDocument(state).available_triggers(ctx=context(role))
            assert got == offered.get((state, role), []), (state, role)
    peer = context("system", {PEER_NEEDED})
    assert PlainDocument("curator_accepted").available_triggers(ctx=peer) == ["start_peer_review"]


def test_several_roles_at_once_each_counts():
    both = replace(context("school"), roles=frozenset({"school", "curator"}))
    assert PlainDocument("submitted").available_triggers(ctx=both) == ["withdraw", "start_review"]
    coordinator_curator = replace(context(None), roles=frozenset({"coordinator", "curator"}))
    assert PlainDocument("approved").available_triggers(ctx=coordinator_curator) == ["reopen"]


def test_role_refusal_wins_over_missing_facts_and_lists_every_failed_guard():
    doc = PlainDocument("draft")
    ctx = replace(context("curator"), has_file=False, window_open=False)
    with pytest.raises(NotPermitted) as refused:
        doc.check_fire("submit", ctx=ctx)
    assert refused.value.message == "Это действие выполняет школа."
    assert refused.value.reasons == ("actor_is_school", "has_file", "window_open")


def test_several_missing_facts_are_all_explained_in_table_order():
    doc = PlainDocument("draft")
    ctx = replace(context("school"), has_file=False, window_open=False)
    with pytest.raises(GuardRefused) as refused:
        doc.fire("submit", ctx=ctx)
    assert refused.value.message == (
        "Сначала загрузите файл документа. Этап кампании закрыт: сроки подачи истекли."
    )
    assert str(refused.value) == refused.value.message
    assert refused.value.reasons == ("has_file", "window_open")
    assert refused.value.trigger == "submit"


def test_unknown_trigger_is_invalid_in_every_state():
    for state in STATES:
        doc = PlainDocument(state)
        with pytest.raises(InvalidTransition) as refused:
            doc.fire("to_approved", ctx=context("curator"))
        assert refused.value.message == "Неизвестное действие «to_approved»."
        assert refused.value.trigger == "to_approved"
        assert not doc.can_fire("to_approved", ctx=context("curator"))
        assert doc.state == state


def test_blank_comment_is_no_comment():
    for comment in ("", " ", "\t\n"):
        ctx = replace(context("coordinator"), comment=comment)
        with pytest.raises(GuardRefused):
            PlainDocument("approved").fire("reopen", ctx=ctx)
    ctx = replace(context("coordinator"), comment=" x ")
    doc = PlainDocument("approved")
    doc.fire("reopen", ctx=ctx)
    assert doc.state == "curator_review"


def test_state_changes_only_through_fire_also_after_a_transition():
    doc = PlainDocument("draft")
    doc.fire("submit", ctx=context("school"))
    with pytest.raises(AttributeError):
        doc.state = "approved"
    with pytest.raises(NotPermitted):
        doc.fire("start_review", ctx=context("school"))
    with pytest.raises(AttributeError):
        doc.state = "approved"
    assert doc.state == "submitted"


def test_full_journey_with_peer_stage_writes_one_audit_row_per_step():
    doc = PlainDocument("draft")
    steps = [
        ("submit", "school", "submitted"),
        ("start_review", "curator", "curator_review"),
        ("request_revision", "curator", "revision_requested"),
        ("resubmit", "school", "submitted"),
        ("start_review", "curator", "curator_review"),
        ("accept", "curator", "curator_accepted"),
        ("start_peer_review", "system", "peer_review"),
        ("finish_peer_review", "system", "peer_reviewed"),
        ("approve", "curator", "approved"),
        ("reopen", "coordinator", "curator_review"),
    ]
    previous = "draft"
    for trigger, role, dest in steps:
        doc.fire(trigger, ctx=context(role, {PEER_NEEDED}))
        assert doc.state == dest
        assert doc.audit[-1] == (trigger, previous, dest, 7, "причина")
        previous = dest
    assert len(doc.audit) == len(steps)


def test_machine_definition_is_pinned_including_conditions():
    """The exported table, written out by hand: any workflow change is a visible diff here."""
    assert document_workflow.describe() == [
        {
            "trigger": "submit",
            "source": ["draft", "withdrawn"],
            "dest": "submitted",
            "conditions": ["actor_is_school", "has_file", "window_open"],
        },
        {
            "trigger": "withdraw",
            "source": ["submitted"],
            "dest": "withdrawn",
            "conditions": ["actor_is_school"],
        },
        {
            "trigger": "start_review",
            "source": ["submitted"],
            "dest": "curator_review",
            "conditions": ["actor_is_curator"],
        },
        {
            "trigger": "request_revision",
            "source": ["curator_review"],
            "dest": "revision_requested",
            "conditions": ["actor_is_curator", "has_comment", "checklist_complete"],
        },
        {
            "trigger": "request_revision",
            "source": ["peer_reviewed"],
            "dest": "revision_requested",
            "conditions": ["actor_is_curator", "has_comment"],
        },
        {
            "trigger": "resubmit",
            "source": ["revision_requested"],
            "dest": "submitted",
            "conditions": ["actor_is_school", "has_new_version", "remarks_answered", "window_open"],
        },
        {
            "trigger": "accept",
            "source": ["curator_review"],
            "dest": "curator_accepted",
            "conditions": ["actor_is_curator", "checklist_complete"],
        },
        {
            "trigger": "start_peer_review",
            "source": ["curator_accepted"],
            "dest": "peer_review",
            "conditions": ["actor_is_system", "needs_peer_stage"],
        },
        {
            "trigger": "finish_peer_review",
            "source": ["peer_review"],
            "dest": "peer_reviewed",
            "conditions": ["actor_is_system_or_curator", "peer_assignments_settled"],
        },
        {
            "trigger": "approve",
            "source": ["curator_accepted"],
            "dest": "approved",
            "conditions": ["actor_is_curator", "skips_peer_stage"],
        },
        {
            "trigger": "approve",
            "source": ["peer_reviewed"],
            "dest": "approved",
            "conditions": ["actor_is_curator"],
        },
        {
            "trigger": "reopen",
            "source": ["approved"],
            "dest": "curator_review",
            "conditions": ["actor_is_coordinator", "has_comment"],
        },
    ]
    assert document_workflow.triggers() == TRIGGERS
