"""The JSON API: tokens, scoping, versions, transitions and their error codes."""

from __future__ import annotations

import io
import re

import pytest

from tests.support import PDF
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, complete_checklist, documents_of

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def auth(client, email: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": "demo-pass"})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_token_refused_for_bad_password_and_bad_body(app, demo, client):
    bad = client.post("/api/v1/auth/token", json={"email": SCHOOL, "password": "x"})
    assert bad.status_code == 401 and "Неверный" in bad.json["error"]["message"]
    assert client.post("/api/v1/auth/token", data="nonsense").status_code == 422
    assert (
        client.get("/api/v1/documents", headers={"Authorization": "Bearer forged"}).status_code
        == 401
    )


@BOTH
def test_school_uploads_and_submits_through_api(app, demo, client):
    headers = auth(client, SCHOOL)
    doc = documents_of("08-UMC")[0]
    listed = client.get("/api/v1/documents?state=draft&type=concept", headers=headers).json
    assert [d["id"] for d in listed["items"]] == [doc.id]
    response = client.post(
        f"/api/v1/documents/{doc.id}/versions",
        headers=headers,
        data={"file": (io.BytesIO(PDF), "Концепция.pdf")},
    )
    assert response.status_code == 201
    assert response.json["versions"][0]["original_name"] == "Концепция.pdf"
    assert response.json["available_triggers"] == ["submit"]
    response = client.post(
        f"/api/v1/documents/{doc.id}/transitions", headers=headers, json={"trigger": "submit"}
    )
    assert response.status_code == 200 and response.json["state"] == "submitted"
    history = response.json["history"]
    assert [(h["event"], h["from"], h["to"], h["version"]) for h in history] == [
        ("submit", "draft", "submitted", 1)
    ]


def test_transition_error_codes(app, demo, client):
    doc = documents_of("08-UMC")[0]
    school = auth(client, SCHOOL)
    url = f"/api/v1/documents/{doc.id}/transitions"
    refused = client.post(url, headers=school, json={"trigger": "submit"})
    assert refused.status_code == 422 and "файл" in refused.json["error"]["message"]
    assert refused.json["error"]["reasons"] == ["has_file"]
    forbidden = client.post(url, headers=school, json={"trigger": "start_review"})
    assert forbidden.status_code == 409  # not possible from draft: the state is elsewhere
    bring_to_review(doc)
    forbidden = client.post(url, headers=school, json={"trigger": "accept"})
    assert forbidden.status_code == 403
    curator = auth(client, CURATOR)
    no_comment = client.post(url, headers=curator, json={"trigger": "request_revision"})
    assert no_comment.status_code == 422
    assert "комментарий" in no_comment.json["error"]["message"].lower()
    complete_checklist(doc, CURATOR)
    ok = client.post(url, headers=curator, json={"trigger": "accept"})
    assert ok.status_code == 200 and ok.json["available_triggers"] == ["approve"]
    stale = client.post(url, headers=curator, json={"trigger": "accept"})
    assert stale.status_code == 409 and "уже изменён" in stale.json["error"]["message"]
    assert client.post(url, headers=curator, json={"trigger": "fly"}).status_code == 422


def test_outsider_gets_404_and_no_data(app, demo, client):
    doc = documents_of("08-UMC")[0]
    headers = auth(client, "coord.38@ekspertiza.local")
    for method, url in [
        ("GET", f"/api/v1/documents/{doc.id}"),
        ("POST", f"/api/v1/documents/{doc.id}/versions"),
        ("POST", f"/api/v1/documents/{doc.id}/transitions"),
    ]:
        response = client.open(url, method=method, headers=headers, json={"trigger": "submit"})
        assert response.status_code == 404
        assert "title" not in response.get_data(as_text=True)
    listed = client.get(f"/api/v1/documents?school_id={doc.school_id}", headers=headers).json
    assert listed["items"] == []


def test_upload_rejected_with_russian_message(app, demo, client):
    doc = documents_of("08-UMC")[0]
    response = client.post(
        f"/api/v1/documents/{doc.id}/versions",
        headers=auth(client, SCHOOL),
        data={"file": (io.BytesIO(b"MZ\x90\x00" * 100), "program.pdf")},
    )
    assert response.status_code == 422
    assert "Тип файла не поддерживается" in response.json["error"]["message"]


def test_logout_revokes_api_tokens_too(app, demo, client):
    headers = auth(client, SCHOOL)
    client.post("/login", data={"email": SCHOOL, "password": "demo-pass"})
    client.post("/logout")
    assert client.get("/api/v1/documents", headers=headers).status_code == 401


def test_openapi_lists_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint == "api-docs.openapi_json":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)


def test_api_verdict_finishes_the_checklist_and_reopen_needs_a_new_one(app, demo, client):
    from webapp.extensions import db
    from webapp.reviews.models import Review

    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    complete_checklist(doc, CURATOR)
    url = f"/api/v1/documents/{doc.id}/transitions"
    curator = auth(client, CURATOR)
    accepted = client.post(url, headers=curator, json={"trigger": "accept", "comment": "мелочи"})
    assert accepted.status_code == 200
    review = db.session.scalar(db.select(Review).where(Review.document_id == doc.id))
    assert review.finished_at is not None and review.verdict == "approve_with_remarks"
    assert client.post(url, headers=curator, json={"trigger": "approve"}).status_code == 200
    coordinator = auth(client, "coord.08@ekspertiza.local")
    reopened = client.post(
        url, headers=coordinator, json={"trigger": "reopen", "comment": "проверить ещё раз"}
    )
    assert reopened.status_code == 200 and reopened.json["state"] == "curator_review"
    again = client.post(url, headers=curator, json={"trigger": "accept"})
    assert again.status_code == 422 and again.json["error"]["reasons"] == ["checklist_complete"]


def test_an_overlong_comment_is_refused_and_nothing_is_stored(app, demo, client):
    from tests.webapp.api.support import auth, fire

    doc = documents_of("08-UMC")[0]
    headers = auth(client, "school.08-umc@ekspertiza.local")
    response = fire(client, headers, doc.id, "withdraw", "x" * 5001)
    assert response.status_code == 422
    assert "5000" in response.json["error"]["fields"]["comment"][0]
