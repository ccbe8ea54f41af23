"""Notification preferences, the settings screen and the daily digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tasks import notifications as tasks
from tests.support import csrf_token
from tests.webapp.expertise.peer_screens import client_for
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    bring_to_review,
    complete_checklist,
    documents_of,
    fire,
    upload,
    user,
)
from webapp.extensions import db, mail
from webapp.notifications import mailer
from webapp.notifications.digest import queue_digests
from webapp.notifications.models import Notification, NotificationPreference

# 06:30 UTC = 09:30 in Moscow (the 08 region): after the 08:00 digest hour there
MORNING = datetime(2026, 11, 30, 6, 30, tzinfo=UTC)
EARLY = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)  # 07:30 Moscow: too early


def rows_of(email: str) -> list[Notification]:
    db.session.expire_all()
    stmt = select(Notification).where(Notification.user_id == user(email).id)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def choose(email: str, **choices: str) -> None:
    values = {"action": "instant", "peer": "instant", "reminder": "instant", "changed": "digest"}
    response = client_for(current_app(), email).post(
        "/notifications/settings", data={**values, **choices, "time_zone": ""}
    )
    assert response.status_code == 302


def current_app():
    from flask import current_app as app

    return app._get_current_object()


def accepted_and_approved() -> None:
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    complete_checklist(doc, CURATOR)
    fire(doc, "accept", CURATOR)
    fire(doc, "approve", CURATOR)


def test_defaults_mail_what_needs_action_and_collect_the_rest(app, demo):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)
    assert [(n.kind, n.email_state) for n in rows_of(CURATOR)] == [("action", "pending")]
    accepted_and_approved_rest(doc)
    assert [(n.kind, n.email_state) for n in rows_of(SCHOOL)] == [
        ("changed", "digest"),
        ("changed", "digest"),
    ]


def accepted_and_approved_rest(doc) -> None:
    fire(doc, "start_review", CURATOR)
    complete_checklist(doc, CURATOR)
    fire(doc, "accept", CURATOR)
    fire(doc, "approve", CURATOR)


def test_in_app_only_is_never_mailed(app, demo, monkeypatch):
    published: list[int] = []
    monkeypatch.setattr(
        "webapp.notifications.dispatch.Dispatcher.publish",
        lambda self, ids: published.extend(ids) or 0,
    )
    choose(CURATOR, action="inapp")
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)
    (note,) = rows_of(CURATOR)
    assert (note.kind, note.email_state) == ("action", "inapp")
    assert published == []
    assert mailer.deliver(note.id) is mailer.Outcome.SKIPPED
    assert note.id not in mailer.sweep_candidates(utcnow_plus(1), older_than=timedelta(0), limit=9)
    # the page still shows it
    page = client_for(app, CURATOR).get("/notifications").get_data(as_text=True)
    assert note.subject in page


def utcnow_plus(hours: int) -> datetime:
    from webapp.common.time import utcnow

    return utcnow() + timedelta(hours=hours)


def test_instant_mail_links_to_the_document(app, demo):
    app.config["PUBLIC_BASE_URL"] = "https://ekspertiza.example.ru/"
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)
    (note,) = rows_of(CURATOR)
    with mail.record_messages() as sent:
        assert mailer.deliver(note.id) is mailer.Outcome.SENT
    body = sent[0].body
    assert f"Открыть: https://ekspertiza.example.ru/documents/{doc.id}\n" in body
    assert "Все уведомления: https://ekspertiza.example.ru/notifications" in body


def test_one_digest_a_day_through_the_outbox(app, demo):
    app.config["PUBLIC_BASE_URL"] = "https://ekspertiza.example.ru"
    accepted_and_approved()
    doc = documents_of("08-UMC")[0]
    assert queue_digests(EARLY) == 0  # 07:30 in Moscow: not yet
    assert queue_digests(MORNING) == 1
    assert queue_digests(MORNING) == 0  # a re-run the same day adds nothing
    assert queue_digests(MORNING + timedelta(hours=5)) == 0
    rows = rows_of(SCHOOL)
    digests = [n for n in rows if n.kind == "digest"]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.dedupe_key == f"digest:{user(SCHOOL).id}:2026-11-30"
    assert digest.subject == "Сводка уведомлений за 30.11.2026"
    assert {n.email_state for n in rows if n.kind == "changed"} == {"digested"}
    assert digest.body.startswith("Новых уведомлений: 2.")
    assert digest.body.count(f"https://ekspertiza.example.ru/documents/{doc.id}") == 2
    with mail.record_messages() as sent:
        assert tasks.send_email.run(notification_id=digest.id) == "sent"
        assert tasks.send_email.run(notification_id=digest.id) == "skipped"
    assert len(sent) == 1 and sent[0].subject == "[Экспертиза] Сводка уведомлений за 30.11.2026"
    # the digest is mail only: not listed among the user's notifications
    page = client_for(app, SCHOOL).get("/notifications").get_data(as_text=True)
    assert "Сводка уведомлений" not in page
    # the next day starts a new digest with whatever came since
    fire(doc, "reopen", "coord.08@ekspertiza.local", "Ошибка")
    assert queue_digests(MORNING + timedelta(days=1)) == 1


def test_digest_task_is_idempotent(app, demo):
    accepted_and_approved()
    first = tasks.send_digests.run()
    assert tasks.send_digests.run() == 0
    digests = [n for n in rows_of(SCHOOL) if n.kind == "digest"]
    assert len(digests) == first  # 0 before 08:00 Moscow, else 1 — never 2


def test_settings_page_shows_defaults_and_saves_choices(app, demo):
    client = client_for(app, SCHOOL)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'id="notification-settings"' in page
    changed = page.split('id="kind-changed"')[1].split("</fieldset>")[0]
    action = page.split('id="kind-action"')[1].split("</fieldset>")[0]
    assert '<input checked class="form-check-input" id="changed-1"' in changed  # digest
    assert '<input checked class="form-check-input" id="action-0"' in action  # at once
    assert changed.count("checked") == 1 and action.count("checked") == 1
    response = client.post(
        "/notifications/settings",
        data={
            "action": "digest",
            "peer": "inapp",
            "reminder": "instant",
            "changed": "inapp",
            "time_zone": "Asia/Kamchatka",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    stored = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.delivery).where(
                NotificationPreference.user_id == user(SCHOOL).id
            )
        ).all()
    )
    assert stored == {
        "action": "digest",
        "peer": "inapp",
        "reminder": "instant",
        "changed": "inapp",
    }
    assert user(SCHOOL).time_zone == "Asia/Kamchatka"
    # back to the organisation's zone
    data = {"action": "digest", "peer": "inapp", "reminder": "instant", "changed": "inapp"}
    client.post("/notifications/settings", data={**data, "time_zone": ""})
    db.session.expire_all()
    assert user(SCHOOL).time_zone is None


@pytest.mark.parametrize(
    "data",
    [
        {"action": "fax", "peer": "inapp", "reminder": "instant", "changed": "inapp"},
        {"peer": "inapp", "reminder": "instant", "changed": "inapp"},
        {"action": "inapp", "peer": "inapp", "reminder": "instant", "changed": "inapp",
         "time_zone": "Mars/Olympus"},
    ],
)  # fmt: skip
def test_settings_refuse_bad_values(app, demo, data):
    response = client_for(app, SCHOOL).post("/notifications/settings", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(NotificationPreference.id)) is None


def test_settings_need_sign_in(app, demo):
    response = app.test_client().get("/notifications/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = app.test_client().post("/notifications/settings", data={"action": "inapp"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_settings_need_the_csrf_token(csrf_app):
    from webapp.demo.services import load_demo

    load_demo("demo-pass")
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={"email": SCHOOL, "password": "demo-pass", "csrf_token": csrf_token(page)},
    )
    data = {"action": "inapp", "peer": "inapp", "reminder": "instant", "changed": "inapp"}
    assert client.post("/notifications/settings", data=data).status_code == 400
    page = client.get("/notifications/settings").get_data(as_text=True)
    response = client.post(
        "/notifications/settings", data={**data, "csrf_token": csrf_token(page), "time_zone": ""}
    )
    assert response.status_code == 302
