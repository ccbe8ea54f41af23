"""A user who chose the daily digest gets one e-mail (issue 10): the school picks «Ежедневная
сводка» in Chromium, the curator returns one document and approves another, the digest task runs
at the school's local morning, and the test's SMTP server receives exactly one letter with both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_setup_journey import TIMEOUT_MS, deliver_outbox, sign_in, world  # noqa: F401

pytestmark = pytest.mark.e2e

SCHOOL = "school.08-umc@ekspertiza.local"


def test_a_user_who_chose_the_digest_gets_one_email(world, browser: Browser) -> None:  # noqa: F811
    from tests.webapp.helpers import (
        CURATOR,
        bring_to_review,
        complete_checklist,
        documents_of,
        fire,
    )
    from webapp.extensions import db
    from webapp.notifications.digest import queue_digests

    app, mailbox, base = world["app"], world["mailbox"], world["base"]
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in(page, base, SCHOOL)
        page.goto(f"{base}/notifications/settings")
        for name in ("Нужно моё действие", "Мой документ изменился"):
            page.get_by_role("group", name=name).get_by_label("Ежедневная сводка").check()
        page.get_by_role("button", name="Сохранить").click()
        expect(page.get_by_role("alert").filter(has_text="Настройки уведомлений сохранены."))
    finally:
        context.close()

    with app.app_context():
        returned, approved = documents_of("08-UMC")[:2]
        for doc in (returned, approved):
            bring_to_review(doc)
            complete_checklist(doc, CURATOR)
        fire(returned, "request_revision", CURATOR, "Дополните таблицу мероприятий.")
        fire(approved, "accept", CURATOR)
        fire(approved, "approve", CURATOR)
        titles = (returned.title, approved.title)
        db.session.remove()
    mailbox.clear()
    deliver_outbox(app)
    assert mailbox.to(SCHOOL) == [], "the school chose the digest: nothing at once"

    # 06:30 UTC is 09:30 in Kalmykia (Moscow time), after the digest hour.
    morning = (datetime.now(UTC) + timedelta(days=1)).replace(hour=6, minute=30)
    with app.app_context():
        assert queue_digests(morning) >= 1
        assert queue_digests(morning) == 0  # a second run the same day adds nothing
        db.session.remove()
    deliver_outbox(app)
    letters = mailbox.to(SCHOOL)
    assert len(letters) == 1, [m["Subject"] for m in letters]
    body = letters[0].get_content()
    assert all(title in body for title in titles), body
