"""The mutual expertise through the services: assignment lifecycle, replacements, the stage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.webapp.expertise.peer_support import (
    REVIEWED,
    REVIEWER,
    REVIEWER_USER,
    accept_concept,
    act,
    assignment_of,
    concept_of,
    confirm,
    enable_peer_stage,
    fill_conclusion,
    make_pairing,
    school_id,
)
from tests.webapp.helpers import CURATOR, day_end, fire, user
from webapp.auth.models import User
from webapp.auth.permissions import can_view_document
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.expertise.deadlines import expire_overdue, remind_before_deadlines
from webapp.expertise.models import PeerAssignment
from webapp.expertise.workflow import stage_of
from webapp.extensions import db
from webapp.notifications.models import Notification
from workflows.machine import GuardRefused, StateConflict

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
PAIRS = [(REVIEWER, REVIEWED)]


def notified(prefix: str) -> set[str]:
    stmt = (
        select(User.email)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.dedupe_key.like(f"{prefix}%"))
    )
    return set(db.session.scalars(stmt))


@pytest.fixture
def staged(app, demo):
    enable_peer_stage()
    return accept_concept()


def test_confirming_starts_the_peer_stage_of_accepted_documents(staged):
    assert staged.state == "curator_accepted"
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    document = db.session.get(Document, staged.id)
    assert document.state == "peer_review"
    assert [h.event for h in document.history][-1] == "start_peer_review"
    assert document.history[-1].actor_name == "Система"
    days = stage_of(document.campaign_id).accept_days
    # the accept deadline ends the day in the reviewing school's zone (56: Orenburg, UTC+5)
    assert assignment.due_at == day_end(document.history[-1].at, days, "Asia/Yekaterinburg")
    assert notified(f"peer-open:{assignment.id}:") == {REVIEWER_USER}


def test_a_document_accepted_later_enters_the_stage_when_accepted(app, demo):
    enable_peer_stage()
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(concept_of(REVIEWED), REVIEWER)
    assert assignment.due_at is None and assignment.document.state == "draft"
    with pytest.raises(GuardRefused, match="ещё не передан"):
        act(assignment.id, "accept", REVIEWER_USER)
    db.session.rollback()
    accept_concept()
    assert db.session.get(Document, assignment.document_id).state == "peer_review"
    assert db.session.get(PeerAssignment, assignment.id).due_at is not None


def test_the_whole_stage_with_one_reviewer(staged):
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    reviewer = user(REVIEWER_USER)
    assert not can_view_document(reviewer, staged)
    act(assignment.id, "accept", REVIEWER_USER)
    assert can_view_document(reviewer, db.session.get(Document, staged.id))
    with pytest.raises(GuardRefused, match="Заполните заключение"):
        act(assignment.id, "submit", REVIEWER_USER)
    db.session.rollback()
    fill_conclusion(db.session.get(PeerAssignment, assignment.id))
    act(assignment.id, "submit", REVIEWER_USER)
    document = db.session.get(Document, staged.id)
    assert document.state == "peer_reviewed"
    assert not can_view_document(reviewer, document)
    assert notified("peer:") >= {CURATOR}
    fire(document, "approve", CURATOR)
    assert db.session.get(Document, staged.id).state == "approved"


def test_only_the_reviewing_school_acts_on_its_assignment(staged):
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    for outsider in ("school.56-d02@ekspertiza.local", "school.08-umc@ekspertiza.local", CURATOR):
        with pytest.raises(Exception, match="школа-эксперт"):
            act(assignment.id, "accept", outsider)
        db.session.rollback()


def test_decline_needs_a_reason_and_brings_the_lightest_valid_replacement(staged):
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    with pytest.raises(GuardRefused, match="причину"):
        act(assignment.id, "decline", REVIEWER_USER)
    db.session.rollback()
    act(assignment.id, "decline", REVIEWER_USER, "Нет свободных специалистов")
    rows = db.session.scalars(
        select(PeerAssignment).where(PeerAssignment.document_id == staged.id)
    ).all()
    replacement = next(r for r in rows if r.id != assignment.id)
    # The first alternate: another region, never asked, no load yet.
    assert replacement.reviewer_school_id == school_id("14-D01")
    assert replacement.attempt == 2 and replacement.replaces_id == assignment.id
    assert replacement.state == "assigned" and replacement.due_at is not None
    assert notified(f"peer-open:{replacement.id}:") == {"school.14-d01@ekspertiza.local"}
    assert CURATOR in notified("peer:")  # the reviewed school's curator hears of the decline


def test_expiry_replaces_and_tells_the_reviewing_side(staged):
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    db.session.get(PeerAssignment, assignment.id).due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert expire_overdue(utcnow()) == 1
    assert expire_overdue(utcnow()) == 0
    assert db.session.get(PeerAssignment, assignment.id).state == "expired"
    told = notified("peer:")
    assert {REVIEWER_USER, "coord.56@ekspertiza.local"} <= told
    count = db.session.scalar(
        select(db.func.count()).where(PeerAssignment.document_id == staged.id)
    )
    assert count == 2


def test_after_the_allowed_replacements_the_curator_is_asked_to_close(staged):
    stage_of(staged.campaign_id).max_replacements = 1
    db.session.commit()
    confirm(make_pairing(PAIRS), PAIRS)
    first = assignment_of(staged, REVIEWER)
    act(first.id, "decline", REVIEWER_USER, "Нет экспертов")
    second = assignment_of(staged, "14-D01")
    act(second.id, "decline", "school.14-d01@ekspertiza.local", "Тоже нет")
    assert assignment_of(staged, "22-D01") is None
    assert notified(f"peer-close:{staged.id}:") == {CURATOR}


def test_the_curator_closes_the_stage_with_a_reason(staged):
    from webapp.expertise.services import close_stage

    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    with pytest.raises(GuardRefused):
        close_stage(staged.id, "  ", actor=user(CURATOR))
    db.session.rollback()
    close_stage(staged.id, "Партнёр не отвечает", actor=user(CURATOR))
    db.session.commit()
    assert db.session.get(PeerAssignment, assignment.id).state == "cancelled"
    document = db.session.get(Document, staged.id)
    assert document.state == "peer_reviewed"
    assert document.history[-1].comment == "Партнёр не отвечает"


def test_one_reminder_before_the_deadline(staged):
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    stage = stage_of(staged.campaign_id)
    due = db.session.get(PeerAssignment, assignment.id).due_at
    early = due - timedelta(days=stage.reminder_days, hours=1)
    assert remind_before_deadlines(early) == 0
    late = due - timedelta(hours=1)
    assert remind_before_deadlines(late) == 1
    assert remind_before_deadlines(late) == 0
    assert notified(f"peer-remind:{assignment.id}:") == {REVIEWER_USER}


def test_a_stale_second_action_is_a_conflict(staged):
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    act(assignment.id, "decline", REVIEWER_USER, "Нет людей")
    with pytest.raises(StateConflict):
        act(assignment.id, "accept", REVIEWER_USER)
    db.session.rollback()


def test_peer_audit_rows_are_append_only(staged):
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    act(assignment.id, "accept", REVIEWER_USER)
    log = db.session.get(PeerAssignment, assignment.id).history[-1]
    assert (log.event, log.from_state, log.to_state) == ("accept", "assigned", "accepted")
    log.comment = "подмена"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_the_stage_cannot_be_finished_past_an_open_assignment(staged):
    from tests.webapp.helpers import fire as fire_document

    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(staged, REVIEWER)
    act(assignment.id, "accept", REVIEWER_USER)
    with pytest.raises(GuardRefused, match="открытые назначения"):
        fire_document(staged, "finish_peer_review", CURATOR)
    db.session.rollback()
    assert db.session.get(Document, staged.id).state == "peer_review"
    assert can_view_document(user(REVIEWER_USER), db.session.get(Document, staged.id))
