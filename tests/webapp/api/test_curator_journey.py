"""The whole curator journey through the API alone: return with a remark, accept, approve."""

from __future__ import annotations

import pytest

from tests.webapp.api.support import auth, fire, upload
from tests.webapp.helpers import CURATOR, SCHOOL, documents_of

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def _fill(client, headers, document_id: int, remark: str = "") -> dict:
    """GET the checklist, then PUT every criterion: met, the first one a remark if given."""
    url = f"/api/v1/documents/{document_id}/review"
    criteria = client.get(url, headers=headers).json["criteria"]
    answers = [{"criterion_id": c["id"], "status": "met", "comment": ""} for c in criteria]
    if remark:
        answers[0].update(status="remark", comment=remark)
    response = client.put(url, headers=headers, json={"criteria": answers})
    assert response.status_code == 200 and response.json["complete"] is True
    return response.json


def _ok(response, state: str) -> dict:
    assert response.status_code in (200, 201), response.json
    assert response.json["state"] == state
    return response.json


@BOTH
def test_curator_returns_accepts_and_approves_through_the_api(app, demo, client):
    doc = documents_of("08-UMC")[0]
    assert doc.campaign.setting_for(doc.document_type_id).needs_peer_review is False  # demo
    school, curator = auth(client, SCHOOL), auth(client, CURATOR)

    _ok(upload(client, school, doc.id, "план v1.pdf"), "draft")
    _ok(fire(client, school, doc.id, "submit"), "submitted")
    _ok(fire(client, curator, doc.id, "start_review"), "curator_review")
    checklist = _fill(client, curator, doc.id, remark="Нет сроков по пункту 2")
    assert checklist["version"] == 1 and checklist["criteria"][0]["status"] == "remark"
    returned = _ok(
        fire(client, curator, doc.id, "request_revision", "Доработайте сроки"),
        "revision_requested",
    )
    assert returned["available_triggers"] == []

    _ok(upload(client, school, doc.id, "план v2.pdf"), "revision_requested")
    refused = fire(client, school, doc.id, "resubmit")
    assert refused.status_code == 422
    assert refused.json["error"]["reasons"] == ["remarks_answered"]
    thread = client.get(f"/api/v1/documents/{doc.id}/remarks", headers=school).json
    # One remark for the criterion rated «есть замечания», one for the general comment.
    assert [(r["criterion_id"], r["text"]) for r in thread["remarks"]] == [
        (checklist["criteria"][0]["id"], "Нет сроков по пункту 2"),
        (None, "Доработайте сроки"),
    ]
    answers = [{"id": r["id"], "answer": "Сроки указаны в п. 2"} for r in thread["remarks"]]
    answered = client.put(
        f"/api/v1/documents/{doc.id}/remarks", json={"answers": answers}, headers=school
    )
    assert answered.status_code == 200 and answered.json["open"] == 0
    _ok(fire(client, school, doc.id, "resubmit"), "submitted")
    linked = client.get(f"/api/v1/documents/{doc.id}/remarks", headers=curator).json
    assert {r["addressed_in_version"] for r in linked["remarks"]} == {2}
    _ok(fire(client, curator, doc.id, "start_review"), "curator_review")
    again = client.get(f"/api/v1/documents/{doc.id}/review", headers=curator).json
    # The second round starts from the first round's statuses, comments left for new remarks.
    assert again["version"] == 2
    assert [c["status"] for c in again["criteria"]] == [c["status"] for c in checklist["criteria"]]
    assert all(c["comment"] == "" for c in again["criteria"])
    _fill(client, curator, doc.id)
    accepted = _ok(fire(client, curator, doc.id, "accept"), "curator_accepted")
    assert accepted["available_triggers"] == ["approve"]
    approved = _ok(fire(client, curator, doc.id, "approve"), "approved")

    steps = [
        (h["event"], h["from"], h["to"], h["actor"], h["version"]) for h in approved["history"]
    ]
    school_name, curator_name = "Директор: ", "Куратор 1 (демо)"
    assert [s[:3] for s in steps] == [
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "curator_review"),
        ("request_revision", "curator_review", "revision_requested"),
        ("resubmit", "revision_requested", "submitted"),
        ("start_review", "submitted", "curator_review"),
        ("accept", "curator_review", "curator_accepted"),
        ("approve", "curator_accepted", "approved"),
    ]
    actors = [s[3] for s in steps]
    assert actors[0].startswith(school_name) and actors[3].startswith(school_name)
    assert [actors[i] for i in (1, 2, 4, 5, 6)] == [curator_name] * 5
    assert [s[4] for s in steps] == [1, 1, 1, 2, 2, 2, 2]
    assert approved["history"][2]["comment"] == "Доработайте сроки"
    assert [v["original_name"] for v in approved["versions"]] == ["план v1.pdf", "план v2.pdf"]
    closed = client.get(f"/api/v1/documents/{doc.id}/review", headers=curator)
    assert closed.status_code == 409  # the checklist belongs to the finished review
