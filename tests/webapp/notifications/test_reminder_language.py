"""Reminders and peer-stage texts are written in each recipient's language (issue 10 §3)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.webapp.helpers import CURATOR, bring_to_review, documents_of, user
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.reminders import queue_overdue_reminders


def test_the_overdue_reminder_is_in_each_recipients_language(app, demo):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    curator = user(CURATOR)
    curator.locale = "en"
    db.session.commit()
    assert queue_overdue_reminders(doc.due_at + timedelta(days=1)) >= 1
    rows = db.session.scalars(
        select(Notification).where(Notification.dedupe_key.like(f"overdue:{doc.id}:%"))
    ).all()
    mine = [r for r in rows if r.user_id == curator.id]
    others = [r for r in rows if r.user_id != curator.id]
    assert mine and mine[0].subject == f"Review overdue: {doc.title}"
    assert "Please finish the review or agree a new deadline." in mine[0].body
    assert "State: “Under curator review”" in mine[0].body
    assert others and all(r.subject == f"Просрочена проверка: {doc.title}" for r in others)
