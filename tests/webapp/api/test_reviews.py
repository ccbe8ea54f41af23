"""The curator's checklist through the API: who may use it, when, and all-or-nothing saves."""

from __future__ import annotations

import pytest

from tests.webapp.api.support import auth
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of
from webapp.extensions import db
from webapp.reviews.models import Review, ReviewAnswer

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _url(document) -> str:
    return f"/api/v1/documents/{document.id}/review"


def _answers() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(ReviewAnswer))


@BOTH
def test_get_opens_the_checklist_once_with_unanswered_criteria(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    headers = auth(client, CURATOR)
    first = client.get(_url(doc), headers=headers)
    assert first.status_code == 200
    body = first.json
    assert body["document_id"] == doc.id and body["version"] == 1 and body["complete"] is False
    assert body["criteria"] and all(c["status"] is None for c in body["criteria"])
    assert {"id", "text", "status", "comment"} == set(body["criteria"][0])
    assert client.get(_url(doc), headers=headers).json == body
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1


def test_put_saves_statuses_and_comments(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    headers = auth(client, CURATOR)
    criteria = client.get(_url(doc), headers=headers).json["criteria"]
    first, *rest = criteria
    answers = [{"criterion_id": first["id"], "status": "remark", "comment": " уточнить сроки "}]
    partial = client.put(_url(doc), headers=headers, json={"criteria": answers})
    assert partial.status_code == 200 and partial.json["complete"] is False
    assert partial.json["criteria"][0] == {**first, "status": "remark", "comment": "уточнить сроки"}
    answers = [{"criterion_id": c["id"], "status": "met"} for c in rest]
    done = client.put(_url(doc), headers=headers, json={"criteria": answers})
    assert done.json["complete"] is True
    assert [c["status"] for c in done.json["criteria"]] == ["remark"] + ["met"] * len(rest)


@pytest.mark.parametrize(
    ("item", "named"),
    [
        ({"criterion_id": 999999, "status": "met"}, "999999"),
        ({"status": "met"}, "criterion_id"),
        ({"criterion_id": "FIRST", "status": "perfect"}, "perfect"),
        ({"criterion_id": "FIRST", "status": None}, "status"),
        ({"criterion_id": "FIRST", "status": "met"}, "дважды"),
    ],
)
def test_a_bad_item_refuses_the_whole_put(app, demo, client, item, named):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    headers = auth(client, CURATOR)
    criteria = client.get(_url(doc), headers=headers).json["criteria"]
    item = {k: criteria[0]["id"] if v == "FIRST" else v for k, v in item.items()}
    good = {"criterion_id": criteria[0]["id"], "status": "met"}
    response = client.put(_url(doc), headers=headers, json={"criteria": [good, item]})
    assert response.status_code == 422
    assert named in response.json["error"]["message"] or named in str(
        response.json["error"]["fields"]
    )
    assert _answers() == 0
    assert all(c["status"] is None for c in client.get(_url(doc), headers=headers).json["criteria"])


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("curator2@ekspertiza.local", 404),  # a curator of other schools
        ("school.08-sol@ekspertiza.local", 404),  # another school
        (SCHOOL, 403),  # the school itself
        ("coord.08@ekspertiza.local", 403),  # its coordinator
    ],
)
def test_only_the_schools_curator_uses_the_checklist(app, demo, client, email, status):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    headers = auth(client, email)
    assert client.get(_url(doc), headers=headers).status_code == status
    put = client.put(_url(doc), headers=headers, json={"criteria": []})
    assert put.status_code == status and put.json["error"]["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 0


def test_checklist_outside_curator_review_is_a_conflict(app, demo, client):
    doc = documents_of("08-UMC")[0]
    headers = auth(client, CURATOR)
    response = client.get(_url(doc), headers=headers)
    assert response.status_code == 409
    assert (
        "Черновик" in response.json["error"]["message"]
        or "состоянии" in (response.json["error"]["message"])
    )
    assert client.put(_url(doc), headers=headers, json={"criteria": []}).status_code == 409
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 0
