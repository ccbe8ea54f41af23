"""With English chosen, a representative flash of every blueprint and the e-mails to a user who
chose English carry no Cyrillic (issue 10 §3). Chromium-free: the test client and the outbox."""

from __future__ import annotations

import io
import re

import pytest

from tests.support import login
from tests.webapp.helpers import SCHOOL, documents_of, user

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
ADMIN = "admin@ekspertiza.local"
COORD = "coord.08@ekspertiza.local"


def _doc() -> int:
    return documents_of("08-UMC")[0].id


# blueprint → (who, URL, form data): each request ends in a flash (a refusal or a form error).
CASES = {
    "auth": (None, lambda: "/login", {"email": ADMIN, "password": "not-the-password"}),
    "documents": (SCHOOL, lambda: f"/documents/{_doc()}/versions", {}),
    "uploads": (SCHOOL, lambda: f"/documents/{_doc()}/versions", "empty file"),
    "transitions": (SCHOOL, lambda: f"/documents/{_doc()}/transitions", {"trigger": "submit"}),
    "remarks": (SCHOOL, lambda: f"/documents/{_doc()}/remarks", {}),
    "campaigns": (ADMIN, lambda: "/admin/risks", {"name": ""}),
    "setup": (ADMIN, lambda: "/setup/users/invite", {"email": "not-an-address"}),
    "expertise": (ADMIN, lambda: "/admin/peer/pairings", {}),
    "crosscheck": (COORD, lambda: "/crosschecks/new", {"title": ""}),
}


def alerts(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", a).strip()
        for a in re.findall(r'role="alert"[^>]*>(.*?)</div>', html, re.S)
    ]


@pytest.mark.parametrize("case", sorted(CASES))
def test_flash_messages_in_english(app, demo, client, case):
    who, url, data = CASES[case]
    client.get("/login?lang=en")  # first: the test's app context keeps this request's locale
    if who:
        login(client, who)
    if data == "empty file":  # an upload refusal (webapp/documents/uploads.py)
        data = {"file": (io.BytesIO(b""), "plan.pdf")}
    page = client.post(url(), data=data, follow_redirects=True).get_data(as_text=True)
    found = alerts(page)
    assert found, f"{case}: no flash on the page"
    assert not any(CYRILLIC.search(a) for a in found), found


def test_sign_in_prompt_in_english(app, demo, client):
    client.get("/login?lang=en")
    page = client.get("/cabinet", follow_redirects=True).get_data(as_text=True)
    assert "Sign in to continue." in alerts(page), alerts(page)


def test_the_same_flash_stays_russian_by_default(app, demo, client):
    login(client, SCHOOL)
    page = client.post(f"/documents/{_doc()}/versions", data={}, follow_redirects=True)
    assert "Выберите файл для загрузки." in alerts(page.get_data(as_text=True))


def test_switching_language_is_stored_for_the_signed_in_user(app, demo, client):
    login(client, SCHOOL)
    assert user(SCHOOL).locale == "ru"
    client.get("/cabinet?lang=en")
    from webapp.extensions import db

    db.session.expire_all()
    assert user(SCHOOL).locale == "en"


def _mail_of(note_user, app):
    from webapp.auth.tokens import Purpose
    from webapp.extensions import db
    from webapp.notifications.account import queue_password_link
    from webapp.notifications.mailer import build_message
    from webapp.notifications.models import Notification

    with app.test_request_context("/"):  # a request of someone else (Russian by default)
        queue_password_link(note_user, Purpose.RESET)
    note = (
        db.session.query(Notification)
        .filter_by(user_id=note_user.id)
        .order_by(Notification.id.desc())
        .first()
    )
    return build_message(note, note_user)  # as the worker does: no request


def test_an_email_to_a_user_who_chose_english_has_no_cyrillic(app, demo):
    recipient = user(SCHOOL)
    recipient.locale = "en"
    app.config["PUBLIC_BASE_URL"] = "https://ekspertiza.example"
    message = _mail_of(recipient, app)
    text = f"{message.subject}\n{message.body}"
    assert "Password reset" in message.subject or "password" in text.lower()
    assert not CYRILLIC.search(text), text


def test_an_email_to_a_russian_user_stays_russian(app, demo):
    message = _mail_of(user(SCHOOL), app)
    assert message.subject == "[Экспертиза] Восстановление пароля"
    assert message.body.startswith("Здравствуйте!\n\n")


def test_tabular_problems_in_english(app, tmp_path):
    from flask_babel import force_locale

    from webapp.tabular import TabularRejected
    from webapp.tabular.reader import read_table

    path = tmp_path / "people.csv"
    path.write_text("name;name\nA;B\n", encoding="utf-8")
    with app.test_request_context("/"), force_locale("en"):
        with pytest.raises(TabularRejected) as refused:
            read_table(path, ["name", "email"], ["name", "email"])
        text = str(refused.value)
    assert "row 1" in text and not CYRILLIC.search(text), text
    with app.test_request_context("/"), pytest.raises(TabularRejected) as russian:
        read_table(path, ["name", "email"], ["name", "email"])
    assert "строка 1" in str(russian.value) and "нет обязательных столбцов: email" in str(
        russian.value
    )


def test_document_notifications_in_each_recipients_language(app, demo):
    from tests.webapp.helpers import fire, upload
    from webapp.extensions import db
    from webapp.notifications.mailer import build_message
    from webapp.notifications.models import Notification
    from webapp.orgs.models import CuratorSchool

    doc = documents_of("08-UMC")[0]
    curators = db.session.scalars(
        db.select(CuratorSchool.curator_id).where(CuratorSchool.school_id == doc.school_id)
    ).all()
    assert len(curators) >= 1
    english = db.session.get(type(user(SCHOOL)), curators[0])
    english.locale = "en"
    db.session.commit()
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)  # the school's curators are told
    notes = {
        n.user_id: n
        for n in db.session.scalars(
            db.select(Notification).where(Notification.document_id == doc.id)
        )
    }
    assert english.id in notes
    assert notes[english.id].subject.endswith(": Submitted (awaiting curator)")
    message = build_message(notes[english.id], english)
    assert message.subject.startswith("[Ekspertiza] ")
    assert "Hello," in message.body and "Здравствуйте" not in message.body
    others = [n for uid, n in notes.items() if uid != english.id]
    for note in others:  # everyone else (default ru) keeps the Russian text
        assert note.subject.endswith(": На проверке (ожидает куратора)")


def test_a_stored_job_error_is_shown_in_english(app, demo, client):
    from webapp.common.web import translated_id
    from webapp.jobs.services import MSG_STALE

    with app.test_request_context("/"):
        from flask_babel import force_locale

        with force_locale("en"):
            assert translated_id(MSG_STALE) == (
                "The job's worker stopped before finishing it. Start the job again."
            )
            assert translated_id("100% данные") == "100% данные"  # data: unchanged, no formatting
        assert translated_id(MSG_STALE) == MSG_STALE
