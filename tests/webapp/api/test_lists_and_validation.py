"""Pagination of the document list and validation errors in the common Russian shape."""

from __future__ import annotations

import pytest

from tests.webapp.api.support import auth, fire, upload
from tests.webapp.helpers import SCHOOL, bring_to_review, documents_of

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def test_list_pages_carry_total_and_items(app, demo, client):
    headers = auth(client, SCHOOL)
    ids = [d.id for d in documents_of("08-UMC")]
    first = client.get("/api/v1/documents?per_page=2", headers=headers).json
    assert first["total"] == len(ids) and first["page"] == 1 and first["per_page"] == 2
    assert [d["id"] for d in first["items"]] == ids[:2]
    second = client.get("/api/v1/documents?per_page=2&page=2", headers=headers).json
    assert [d["id"] for d in second["items"]] == ids[2:4]
    beyond = client.get(f"/api/v1/documents?per_page=2&page={len(ids)}", headers=headers).json
    assert beyond["items"] == [] and beyond["total"] == len(ids)
    default = client.get("/api/v1/documents", headers=headers).json
    assert default["per_page"] == 50 and len(default["items"]) == len(ids)


def test_list_total_counts_the_filtered_documents(app, demo, client):
    headers = auth(client, "coord.08@ekspertiza.local")
    everything = client.get("/api/v1/documents?per_page=1", headers=headers).json
    assert len(everything["items"]) == 1 and everything["total"] > 1
    school = documents_of("08-UMC")[0].school_id
    one_school = client.get(f"/api/v1/documents?school_id={school}", headers=headers).json
    assert one_school["total"] == len(documents_of("08-UMC"))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=501", "per_page"),
        ("per_page=много", "per_page"),
        ("page=0", "page"),
        ("school_id=abc", "school_id"),
        ("school_id=99999999999", "school_id"),
        ("state=lost", "state"),
    ],
)
def test_bad_list_parameters_answer_422_in_russian(app, demo, client, query, field):
    response = client.get(f"/api/v1/documents?{query}", headers=auth(client, SCHOOL))
    assert response.status_code == 422
    error = response.json["error"]
    assert error["status"] == 422 and field in error["fields"]
    assert f"«{field}»" in error["message"] and error["message"].startswith("Проверьте")
    assert all(ord(c) < 128 or "а" <= c.lower() <= "я" or c in "«»ё–" for c in error["message"])


def test_per_page_bounds_are_inclusive_and_unknown_query_is_ignored(app, demo, client):
    headers = auth(client, SCHOOL)
    for query in ("per_page=1", "per_page=500", "per_page=3&colour=red"):
        assert client.get(f"/api/v1/documents?{query}", headers=headers).status_code == 200


def test_body_validation_errors_name_the_fields(app, demo, client):
    missing = client.post("/api/v1/auth/token", json={"email": SCHOOL})
    assert missing.status_code == 422
    assert missing.json["error"]["fields"] == {"password": ["Обязательное поле."]}
    broken = client.post(
        "/api/v1/auth/token", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422 and "JSON" in broken.json["error"]["message"]
    doc = documents_of("08-UMC")[0]
    headers = auth(client, SCHOOL)
    url = f"/api/v1/documents/{doc.id}/transitions"
    no_trigger = client.post(url, headers=headers, json={"comment": "x"})
    assert no_trigger.status_code == 422 and "trigger" in no_trigger.json["error"]["fields"]
    wrong_type = client.post(url, headers=headers, json={"trigger": 5})
    assert wrong_type.json["error"]["fields"] == {"trigger": ["Должно быть строкой."]}
    no_file = client.post(f"/api/v1/documents/{doc.id}/versions", headers=headers, data={})
    assert no_file.status_code == 422 and "file" in no_file.json["error"]["message"]


@BOTH
def test_ids_beyond_the_integer_column_are_not_found(app, demo, client):
    headers = auth(client, SCHOOL)
    for url in ("/api/v1/documents/2147483648", "/api/v1/documents/99999999999999999999/review"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.json["error"]["message"] == "Не найдено."


def test_unknown_api_url_and_method_answer_json(app, demo, client):
    headers = auth(client, SCHOOL)
    assert client.get("/api/v1/nothing", headers=headers).json["error"]["status"] == 404
    doc = documents_of("08-UMC")[0]
    response = client.delete(f"/api/v1/documents/{doc.id}", headers=headers)
    assert response.status_code == 405 and "Метод" in response.json["error"]["message"]


def test_upload_in_a_state_without_uploads_is_refused(app, demo, client):

    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    response = upload(client, auth(client, SCHOOL), doc.id)
    # A workflow refusal, mapped by the shared handler (webapp/workflow/errors.py).
    assert response.status_code == 422 and "нельзя" in response.json["error"]["message"]
    assert fire(client, auth(client, SCHOOL), doc.id, "withdraw").status_code == 409


def test_api_needs_no_csrf_token_when_the_site_enforces_it(csrf_app):
    from webapp.demo.services import load_demo

    load_demo("demo-pass")
    client = csrf_app.test_client()
    headers = auth(client, SCHOOL)
    doc = documents_of("08-UMC")[0]
    response = fire(client, headers, doc.id, "submit")
    assert response.status_code == 422 and response.json["error"]["reasons"] == ["has_file"]
