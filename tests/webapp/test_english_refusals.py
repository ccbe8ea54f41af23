"""With English chosen, refusals of the workflow and API errors come back in English."""

from __future__ import annotations

import re

import pytest

from tests.support import login
from tests.webapp.api.support import auth
from tests.webapp.helpers import CURATOR, SCHOOL, documents_of, upload
from workflows.document import document_workflow
from workflows.peer_assignment import peer_workflow

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
EN = {"Accept-Language": "en"}


def english(headers: dict) -> dict:
    return {**headers, **EN}


@pytest.mark.parametrize(
    "guard",
    [*document_workflow.guards.values(), *peer_workflow.guards.values()],
    ids=lambda g: g.name,
)
def test_every_refusal_of_the_workflows_has_an_english_text(app, guard):
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("en"):
        text = gettext(guard.message)
    assert text != guard.message and not CYRILLIC.search(text), guard.name


def test_api_refusals_and_errors_in_english(app, demo, client):
    doc = documents_of("08-UMC")[0]
    school, curator = english(auth(client, SCHOOL)), english(auth(client, CURATOR))
    url = f"/api/v1/documents/{doc.id}/transitions"
    unmet = client.post(url, json={"trigger": "submit", "comment": ""}, headers=school)
    assert unmet.status_code == 422 and unmet.json["error"]["reasons"] == ["has_file"]
    assert unmet.json["error"]["message"] == "Upload the document file first."
    role = client.post(url, json={"trigger": "submit", "comment": ""}, headers=curator)
    assert role.status_code == 403
    assert role.json["error"]["message"] == "This action is for the school."
    missing = client.get("/api/v1/documents/999999", headers=school)
    assert missing.status_code == 404 and not CYRILLIC.search(missing.json["error"]["message"])
    invalid = client.post(url, json={"comment": 5}, headers=school)
    assert invalid.status_code == 422
    assert not CYRILLIC.search(str(invalid.json)), invalid.json


def test_russian_stays_the_default_of_the_api(app, demo, client):
    # (A test of its own: the test app context keeps the first request's locale in ``g``.)
    doc = documents_of("08-UMC")[0]
    url = f"/api/v1/documents/{doc.id}/transitions"
    plain = client.post(url, json={"trigger": "submit"}, headers=auth(client, SCHOOL))
    assert plain.json["error"]["message"] == "Сначала загрузите файл документа."


def test_page_refusals_in_english(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    # English first (the test app context keeps the first request's locale in ``g``).
    client.get("/login?lang=en")
    login(client, SCHOOL)
    page = client.post(
        f"/documents/{doc.id}/transitions",
        data={"trigger": "resubmit"},
        follow_redirects=True,
    ).get_data(as_text=True)
    alerts = re.findall(r'role="alert"[^>]*>(.*?)</div>', page, re.S)
    assert alerts and not any(CYRILLIC.search(a) for a in alerts), alerts
