"""Password by e-mail: same answer for unknown addresses, expiry, single use."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from tests.support import login
from tests.webapp.helpers import user
from webapp.auth.tokens import Purpose, check_token, make_token
from webapp.extensions import db
from webapp.notifications.models import Notification

SCHOOL = "school.08-umc@ekspertiza.local"


def notes() -> int:
    return db.session.scalar(select(func.count(Notification.id)))


def reset_path(email: str) -> str:
    note = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user(email).id)
        .order_by(Notification.id.desc())
    ).first()
    return re.search(r"(/password/set/reset/\S+)", note.body).group(1)


def test_login_page_links_to_forgot_password(app, client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_same_answer_and_similar_time_whether_or_not_the_address_exists(app, demo, client):
    app.config["PASSWORD_RESET_MIN_SECONDS"] = 0.3
    answers = {}
    for email in (SCHOOL, "nobody@example.org"):
        started = time.monotonic()
        response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
        answers[email] = (
            response.status_code,
            response.get_data(as_text=True),
            time.monotonic() - started,
        )
    (s1, body1, t1), (s2, body2, t2) = answers.values()
    assert s1 == s2 == 200
    flash = re.compile(r'<div class="alert[^>]*>(.*?)</div>', re.S)
    assert flash.findall(body1) == flash.findall(body2) and flash.findall(body1)
    assert t1 >= 0.3 and t2 >= 0.3
    assert abs(t1 - t2) < 0.25
    # Only the real address got a row in the outbox.
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user(SCHOOL).id)
        )
        == 1
    )


def test_reset_link_sets_password_once_and_ends_sessions(app, demo, client):
    other = app.test_client()
    login(other, SCHOOL)
    app.config["PASSWORD_RESET_MIN_SECONDS"] = 0
    client.post("/password/forgot", data={"email": SCHOOL.upper()})
    path = reset_path(SCHOOL)
    response = client.post(path, data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert response.status_code == 302
    assert other.get("/cabinet").status_code == 302  # the old session is gone
    assert client.post("/login", data={"email": SCHOOL, "password": "demo-pass"}).status_code == 200
    login(client, SCHOOL, "brand-new-pass")
    client.post("/logout")
    again = client.post(path, data={"password": "another-pass-1", "confirm": "another-pass-1"})
    assert again.status_code == 410
    assert "использована" in again.get_data(as_text=True)
    login(client, SCHOOL, "brand-new-pass")


def test_reset_link_expires(app, demo, client):
    token = make_token(user(SCHOOL), Purpose.RESET)
    assert check_token(token, Purpose.RESET)[0] is not None  # default: two hours
    app.config["RESET_TOKEN_MAX_AGE"] = 1
    time.sleep(2.1)
    found, problem = check_token(token, Purpose.RESET)
    assert found is None and problem == "expired"
    response = client.get(f"/password/set/reset/{token}")
    assert response.status_code == 410 and "истёк" in response.get_data(as_text=True)
    app.config["RESET_TOKEN_MAX_AGE"] = 3600
    assert check_token(token, Purpose.RESET)[0] is not None


def test_a_token_for_one_purpose_does_not_open_the_other(app, demo, client):
    token = make_token(user(SCHOOL), Purpose.RESET)
    assert check_token(token, Purpose.INVITE) == (None, "invalid")
    assert client.get(f"/password/set/invite/{token}").status_code == 410
    assert client.get(f"/password/set/other/{token}").status_code == 404
    assert client.get("/password/set/reset/garbage").status_code == 410


def test_deactivated_user_gets_no_link_and_its_links_die(app, demo, client):
    app.config["PASSWORD_RESET_MIN_SECONDS"] = 0
    target = user(SCHOOL)
    token = make_token(target, Purpose.RESET)
    target.active = False
    db.session.commit()
    before = notes()
    client.post("/password/forgot", data={"email": SCHOOL})
    assert notes() == before
    assert client.get(f"/password/set/reset/{token}").status_code == 410


def test_short_or_mismatched_password_is_refused(app, demo, client):
    token = make_token(user(SCHOOL), Purpose.RESET)
    url = f"/password/set/reset/{token}"
    assert client.post(url, data={"password": "short", "confirm": "short"}).status_code == 200
    assert (
        client.post(url, data={"password": "long-enough-1", "confirm": "other-one-22"}).status_code
        == 200
    )
    login(client, SCHOOL)  # unchanged
