"""The last Russian-only texts for an English user (issue 10 §3): the daily digest in the
recipient's language, and the score-sheet, cross-check campaign and pairing refusals in the
request's language on the pages and in the API. Russian stays as it was.

Every request runs in its own application context (``fetch``): Flask-Babel caches the chosen
locale in ``g``, and the ``app`` fixture keeps one context open for the whole test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from tests.support import login
from tests.webapp.crosscheck import world as w
from tests.webapp.crosscheck.support import MUN
from tests.webapp.expertise.peer_support import school_id
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    bring_to_review,
    complete_checklist,
    documents_of,
    fire,
    user,
)
from webapp.campaigns.services import current_campaign
from webapp.expertise import pairing as pairings
from webapp.expertise.models import Pairing
from webapp.extensions import db
from webapp.notifications import digest
from webapp.notifications.models import Notification

ADMIN = "admin@ekspertiza.local"
MORNING = datetime(2026, 11, 30, 6, 30, tzinfo=UTC)  # 09:30 in Moscow (the 08 region)


def fetch(app, client, method: str, url: str, **kwargs):
    """One request in its own app context: a fresh ``g``, so the locale is chosen anew."""
    with app.app_context():
        return getattr(client, method)(url, **kwargs)


# --- the daily digest ---------------------------------------------------------------------------

DIGEST = {
    "en": ("Notification digest for 30.11.2026", "New notifications: 2.", "(Moscow, UTC+3)"),
    "ru": ("Сводка уведомлений за 30.11.2026", "Новых уведомлений: 2.", "(Москва, UTC+3)"),
}


@pytest.mark.parametrize("locale", sorted(DIGEST))
def test_the_digest_is_in_the_recipients_language(app, demo, locale):
    school = user(SCHOOL)
    school.locale = locale
    db.session.commit()
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    complete_checklist(doc, CURATOR)
    fire(doc, "accept", CURATOR)
    fire(doc, "approve", CURATOR)  # two "changed" rows wait for the school's digest
    assert digest.queue_digests(MORNING) == 1
    db.session.expire_all()
    (row,) = db.session.scalars(
        db.select(Notification).where(
            Notification.user_id == school.id, Notification.kind == "digest"
        )
    )
    subject, count, place = DIGEST[locale]
    assert row.subject == subject
    lines = row.body.splitlines()
    assert lines[0] == count
    items = [line for line in lines if line.startswith("• ")]
    assert len(items) == 2 and all(place in line for line in items), lines


@pytest.mark.parametrize(("locale", "more"), [("en", "… and 1 more."), ("ru", "… и ещё 1.")])
def test_a_long_digest_ends_with_the_count_left_out(app, demo, monkeypatch, locale, more):
    notes = [
        Notification(user_id=user(SCHOOL).id, subject=f"s{n}", created_at=MORNING) for n in range(2)
    ]
    monkeypatch.setattr(digest, "MAX_ITEMS", 1)
    with force_locale(locale):
        body = digest.digest_body(notes, "Europe/Moscow")
    assert body.splitlines()[-1] == more


# --- score sheets: the expert's grid (page JSON) and the API ------------------------------------

POINTS = {
    "en": (
        "Points for task 2: a whole number from 0 to 2.",
        "5 point values are needed (one per task), got 2.",
        "A list of points is needed.",
    ),
    "ru": (
        "Баллы за задание 2: целое число от 0 до 2.",
        "Нужно 5 значений баллов (по числу заданий), получено 2.",
        "Нужен список баллов.",
    ),
}


@pytest.mark.parametrize("locale", sorted(POINTS))
def test_autosave_refusals_in_the_chosen_language(app, demo, client, locale):
    world = w.build()
    sheet = w.give(world, "38-VER-1", "38-TROI")
    fetch(app, client, "get", f"/login?lang={locale}")
    with app.app_context():
        w.login(client, "expert.38-troi@test")
    url = f"/expert/sheets/{sheet.id}/autosave"
    invalid, count, no_list = POINTS[locale]
    bad = fetch(app, client, "post", url, json={"points": [1, 5, None, None, None]})
    assert bad.status_code == 422 and bad.json["message"] == invalid
    short = fetch(app, client, "post", url, json={"points": [1, 1]})
    assert short.status_code == 422 and short.json["message"] == count
    nothing = fetch(app, client, "post", url, json={})
    assert nothing.status_code == 422 and nothing.json["message"] == no_list


@pytest.mark.parametrize(
    ("locale", "message"),
    [("en", "Task 2: a whole number from 0 to 2."), ("ru", "Задание 2: целое число от 0 до 2.")],
)
def test_the_grid_form_error_in_the_chosen_language(app, demo, client, locale, message):
    world = w.build()
    sheet = w.give(world, "38-VER-1", "38-TROI")
    fetch(app, client, "get", f"/login?lang={locale}")
    with app.app_context():
        w.login(client, "expert.38-troi@test")
    data = {"task_1": "1", "task_2": "3"}
    refused = fetch(app, client, "post", f"/expert/sheets/{sheet.id}", data=data)
    assert refused.status_code == 422
    assert f'<div class="invalid-feedback">{message}</div>' in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Points for task 5: a whole number from 0 to 2."),
        ("ru", "Баллы за задание 5: целое число от 0 до 2."),
    ],
)
def test_api_points_refusal_in_the_requests_language(app, demo, client, lang, message):
    world = w.build()
    sheet = w.give(world, "38-VER-1", "38-TROI")
    with app.app_context():
        headers = w.token(client, "expert.38-troi@test")
    response = fetch(
        app,
        client,
        "put",
        f"/api/v1/expert/works/{sheet.id}/scores?lang={lang}",
        json={"points": [2, 2, 2, 2, 3]},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["error"]["message"] == message


def test_api_entry_closed_in_english(app, demo, client):
    world = w.build(state="assigned")
    sheet = w.give(world, "38-VER-1", "38-TROI")
    with app.app_context():
        headers = w.token(client, "expert.38-troi@test")
    response = fetch(
        app,
        client,
        "put",
        f"/api/v1/expert/works/{sheet.id}/scores?lang=en",
        json={"points": [1] * 5},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["error"]["message"] == (
        "Score entry is closed now: the checking stage is not running."
    )


# --- the cross-check campaign form --------------------------------------------------------------

CAMPAIGN = {
    "title": "ВПР осень",
    "scope": "any",
    "second_percent": "0",
    "subjects": "math",
    "threshold": "2",
}


def _territory(page: str) -> str:
    start = page.index('value="', page.index('name="territory"')) + 7
    return page[start : page.index('"', start)]


@pytest.mark.parametrize(
    ("locale", "grades", "message"),
    [
        ("en", "3", "Grade 3: the VPR is written in grades 4–8, 10 and 11."),
        ("en", "пятый", "Grade “пятый” is not a number."),
        ("ru", "3", "Класс 3: ВПР пишут в 4–8, 10 и 11 классах."),
    ],
)
def test_campaign_settings_refused_in_the_chosen_language(
    app, demo, client, locale, grades, message
):
    fetch(app, client, "get", f"/login?lang={locale}")
    with app.app_context():
        login(client, MUN)
    form = fetch(app, client, "get", "/crosschecks/new").get_data(as_text=True)
    data = {**CAMPAIGN, "grades": grades, "territory": _territory(form)}
    refused = fetch(app, client, "post", "/crosschecks/new", data=data)
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)


# --- pairing swaps: the admin page and the API --------------------------------------------------


def _preset(pairs: list[tuple[str, str]]) -> Pairing:
    """A pairing whose preview holds exactly these (reviewer, reviewed) pairs (k = 1)."""
    preview = pairings.initial_preview(
        {"pairs": [{"reviewer": school_id(a), "reviewed": school_id(b)} for a, b in pairs]}
    )
    pairing = Pairing(campaign_id=current_campaign().id, k=1, no_reciprocal=True, preview=preview)
    db.session.add(pairing)
    db.session.commit()
    return pairing


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("en", "There is no pair no. 5 in the pairing."),
        ("ru", "Пары №5 нет в распределении."),
    ],
)
def test_a_swap_refusal_on_the_admin_page(app, demo, client, locale, message):
    pairing = _preset([("56-D01", "08-UMC"), ("22-D01", "14-D01")])
    fetch(app, client, "get", f"/login?lang={locale}")
    with app.app_context():
        login(client, ADMIN)
    refused = fetch(
        app,
        client,
        "post",
        f"/admin/peer/pairings/{pairing.id}/swap",
        data={"first": "1", "second": "5", "lock_version": pairing.lock_version},
    )
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)


def test_a_swap_breaking_a_rule_in_english_through_the_api(app, demo, client):
    pairing = _preset([("56-D01", "08-UMC"), ("08-UMC", "22-D01")])
    with app.app_context():
        response = client.post("/api/v1/auth/token", json={"email": ADMIN, "password": "demo-pass"})
    headers = {"Authorization": f"Bearer {response.json['token']}"}
    refused = fetch(
        app,
        client,
        "post",
        f"/api/v1/pairings/{pairing.id}/swaps?lang=en",
        json={"first": 1, "second": 2},
        headers=headers,
    )
    assert refused.status_code == 422
    message = refused.json["error"]["message"]
    # the school's name and code are data and stay as entered
    assert message.startswith("The swap is not possible. A school cannot review itself: «")
