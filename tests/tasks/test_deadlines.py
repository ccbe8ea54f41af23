"""deadlines.escalate_overdue as a plain function."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tasks import deadlines
from tests.tasks.conftest import BOTH, make_overdue, submitted_document, user
from tests.webapp.helpers import complete_checklist
from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.documents.services import apply_transition
from webapp.extensions import db
from webapp.notifications.models import Notification


def reminders() -> dict[str, Notification]:
    stmt = (
        select(User.email, Notification)
        .join(User, User.id == Notification.user_id)
        .where(Notification.dedupe_key.like("overdue:%"))
    )
    return {email: note for email, note in db.session.execute(stmt)}


@BOTH
def test_overdue_document_reminds_curator_and_regional_coordinator_once(app, demo):
    document = submitted_document()
    make_overdue(document)

    assert deadlines.escalate_overdue.run() == 2
    assert deadlines.escalate_overdue.run() == 0

    rows = reminders()
    assert set(rows) == {"curator1@ekspertiza.local", "coord.08@ekspertiza.local"}
    due = document.due_at.date().isoformat()
    curator = user("curator1@ekspertiza.local")
    note = rows["curator1@ekspertiza.local"]
    assert note.dedupe_key == f"overdue:{document.id}:{due}:{curator.id}"
    assert note.document_id == document.id and note.email_state == "pending"
    assert note.subject.startswith("Просрочена проверка: ")
    # the deadline as the school's region (Kalmykia: Moscow time) reads it, zone named
    moscow = document.due_at.astimezone(ZoneInfo("Europe/Moscow"))
    assert "Уманцевская СОШ" in note.body
    assert f"истёк {moscow:%d.%m.%Y %H:%M} (Москва, UTC+3)." in note.body


def test_municipal_coordinator_of_the_school_is_reminded_too(app, demo):
    document = submitted_document("38-VER", "school.38-ver@ekspertiza.local")
    make_overdue(document)

    deadlines.escalate_overdue.run()

    assert {"mun.zalari@ekspertiza.local", "coord.38@ekspertiza.local"} <= set(reminders())


def test_document_under_review_is_still_overdue_but_not_after_a_decision(app, demo):
    document = submitted_document()
    apply_transition(document.id, "start_review", actor=user("curator1@ekspertiza.local"))
    db.session.commit()
    make_overdue(document)
    assert deadlines.escalate_overdue.run() == 2

    make_overdue(document, days=3)
    complete_checklist(document, "curator1@ekspertiza.local")
    apply_transition(
        document.id,
        "request_revision",
        actor=user("curator1@ekspertiza.local"),
        comment="Нет плана мероприятий",
    )
    db.session.commit()
    assert deadlines.escalate_overdue.run() == 0


def test_not_yet_due_document_is_left_alone(app, demo):
    submitted_document()
    assert deadlines.escalate_overdue.run() == 0
    assert reminders() == {}


def test_a_new_due_date_earns_a_new_reminder(app, demo):
    document = submitted_document()
    make_overdue(document, days=5)
    assert deadlines.escalate_overdue.run() == 2

    make_overdue(document, days=1)
    assert deadlines.escalate_overdue.run() == 2
    assert (
        db.session.scalar(
            select(db.func.count()).where(Notification.dedupe_key.like(f"overdue:{document.id}:%"))
        )
        == 4
    )


def test_inactive_curator_is_not_reminded(app, demo):
    user("curator1@ekspertiza.local").active = False
    document = submitted_document()
    make_overdue(document)

    assert deadlines.escalate_overdue.run() == 1
    assert set(reminders()) == {"coord.08@ekspertiza.local"}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_escalation_skips_while_another_run_holds_the_lock(app, demo):
    from tasks.locks import scan_lock

    make_overdue(submitted_document())
    with scan_lock("deadlines.escalate_overdue"):
        assert deadlines.escalate_overdue.run() == 0
    assert deadlines.escalate_overdue.run() == 2


def test_queue_overdue_reminders_uses_the_given_clock(app, demo):
    document = submitted_document()
    assert deadlines.queue_overdue_reminders(document.due_at + timedelta(seconds=1)) == 2
    assert deadlines.queue_overdue_reminders(utcnow()) == 0
