"""Access control over every route: anonymous, other school, other region, lower role."""

from __future__ import annotations

import pytest

from tests.support import login
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of

PUBLIC = {
    "auth.login",
    "static",
    "api_tokens.token",
    "api-docs.openapi_json",
    "password.forgot",  # anyone may ask for a link (same answer for unknown addresses)
    "password.set_password",  # the signed single-use link is the credential
    "expert.invite",  # the invitation link: its single-use token is the credential
}

OUTSIDERS = [
    "school.08-sol@ekspertiza.local",  # another school of the same region
    "school.38-ver@ekspertiza.local",  # a school of another region
    "coord.38@ekspertiza.local",  # coordinator of another region
    "mun.zalari@ekspertiza.local",  # municipal coordinator elsewhere
    "curator2@ekspertiza.local",  # curator of other schools
]


def _urls(app, document_id: int, school_id: int) -> list[tuple[str, str]]:
    values = {
        "document_id": document_id,
        "school_id": school_id,
        "number": 1,
        "template_id": 1,
        "job_id": 1,
        "pairing_id": 1,
        "assignment_id": 1,
        "upload_id": "0" * 32,
        "user_id": 1,
        "link_id": 1,
        "stage_id": 1,
        "setting_id": 1,
        "sheet_id": 1,
        "campaign_id": 1,
        "rule_id": 1,
        "kind": "tasks",
        "key": "season",
        "measure_id": 1,
        "entry_id": 1,
        "roadmap_id": 1,
        "item_id": 1,
        "code": "documents",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = rule.build(values, append_unknown=False)[1] if rule.arguments else rule.rule
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, url))
    return urls


def test_every_route_needs_sign_in(app, demo, client):
    doc = documents_of("08-UMC")[0]
    for method, url in _urls(app, doc.id, doc.school_id):
        response = client.open(url, method=method)
        if url.startswith(("/api/", "/uploads/tus/")):  # a programme's client: no redirect
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302, url
            assert "/login" in response.headers["Location"], url


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_404_on_documents_files_and_school(app, demo, client, outsider):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    login(client, outsider)
    for method, url in [
        ("GET", f"/documents/{doc.id}"),
        ("GET", f"/schools/{doc.school_id}"),
        ("GET", f"/documents/{doc.id}/versions/1/file"),
        ("GET", f"/documents/{doc.id}/versions/1/file?inline=1"),
        ("GET", f"/documents/{doc.id}/review"),
        ("POST", f"/documents/{doc.id}/review"),
        ("POST", f"/documents/{doc.id}/versions"),
        ("POST", f"/documents/{doc.id}/transitions"),
        ("GET", f"/documents/{doc.id}/conclusion.pdf"),
    ]:
        response = client.open(url, method=method, data={"trigger": "accept"})
        assert response.status_code == 404, (outsider, url)
        assert "план.pdf" not in response.get_data(as_text=True)


def test_role_screens_refuse_other_roles(app, demo, client):
    login(client, SCHOOL)
    assert client.get("/queue").status_code == 403
    assert client.get("/overview").status_code == 403
    client.post("/logout")
    login(client, CURATOR)
    assert client.get("/overview").status_code == 403
    assert client.get("/cabinet").status_code == 403


def test_coordinator_sees_but_cannot_act_as_curator_or_school(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    login(client, "coord.08@ekspertiza.local")
    assert client.get(f"/documents/{doc.id}").status_code == 200
    with client.get(f"/documents/{doc.id}/versions/1/file") as response:
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF-")
    assert client.get(f"/documents/{doc.id}/review").status_code == 403
    assert client.post(f"/documents/{doc.id}/versions").status_code == 403
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "accept"})
    assert response.status_code == 403
    assert "куратор" in response.get_data(as_text=True)
    from webapp.documents.models import Document
    from webapp.extensions import db

    db.session.expire_all()
    assert db.session.get(Document, doc.id).state == "curator_review"


def test_school_sees_only_its_own_documents_in_api_and_overview_scope(app, demo, client):
    token = client.post(
        "/api/v1/auth/token",
        json={"email": "school.38-ver@ekspertiza.local", "password": "demo-pass"},
    ).json["token"]
    items = client.get("/api/v1/documents", headers={"Authorization": f"Bearer {token}"}).json[
        "items"
    ]
    own = {d.id for d in documents_of("38-VER")}
    assert items and {i["id"] for i in items} == own
