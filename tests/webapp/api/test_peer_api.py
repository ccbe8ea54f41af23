"""The mutual expertise through the API alone: pairing, preview, confirm, review, decline."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tasks import jobs as job_tasks
from tests.webapp.api.support import auth
from tests.webapp.api.support import fire as fire_document
from tests.webapp.expertise.peer_support import enable_peer_stage, school_id
from tests.webapp.jobs.conftest import assert_hard_rules
from webapp.campaigns.services import current_campaign
from webapp.documents.models import Document
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.orgs.models import School

ADMIN = "admin@ekspertiza.local"
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def school_email(school_id_: int) -> str:
    code = db.session.get(School, school_id_).code
    return f"school.{code.lower()}@ekspertiza.local"


def run_pairing(client, headers: dict, k: int = 1) -> dict:
    """POST the pairing, run its job's task in-process, return the preview."""
    body = {"campaign_id": current_campaign().id, "k": k, "no_reciprocal": True}
    started = client.post("/api/v1/pairings", headers=headers, json=body)
    assert started.status_code == 202, started.json
    assert job_tasks.pair_schools.run(job_id=started.json["job_id"]) == "succeeded"
    job = client.get(f"/api/v1/jobs/{started.json['job_id']}", headers=headers)
    assert (job.status_code, job.json["state"], job.json["progress"]) == (200, "succeeded", 100)
    preview = client.get(f"/api/v1/pairings/{started.json['pairing_id']}", headers=headers)
    assert preview.status_code == 200, preview.json
    return preview.json


@pytest.fixture
def staged(app, demo):
    enable_peer_stage()


@BOTH
def test_the_whole_peer_journey_through_the_api(staged, client):
    admin = auth(client, ADMIN)
    preview = run_pairing(client, admin)
    assert preview["ready"] and preview["confirmed_at"] is None and preview["unpaired"] == []
    pairs = [{"reviewer": p["reviewer_school_id"], "reviewed": p["reviewed_school_id"]}
             for p in preview["pairs"]]  # fmt: skip
    assert_hard_rules(pairs, {p["reviewed"] for p in pairs}, 1, no_reciprocal=True)

    confirmed = client.post(f"/api/v1/pairings/{preview['id']}/confirm", headers=admin)
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["assignments"] == 2 * len(pairs)  # concept and programme
    again = client.post(f"/api/v1/pairings/{preview['id']}/confirm", headers=admin)
    assert again.status_code == 409 and "уже подтверждено" in again.json["error"]["message"]

    reviewed = school_id("22-D01")
    reviewer = next(p["reviewer"] for p in pairs if p["reviewed"] == reviewed)
    school = auth(client, school_email(reviewer))
    listed = client.get(
        "/api/v1/peer-assignments",
        headers=school,
        query_string={"reviewed_school_id": reviewed, "state": "assigned"},
    )
    assert listed.status_code == 200 and listed.json["total"] == 2
    item = listed.json["items"][0]
    assert item["reviewer_school_id"] == reviewer and item["due_at"] is not None
    assert set(item["available_triggers"]) == {"accept", "decline"}
    url = f"/api/v1/peer-assignments/{item['id']}"
    document_url = f"/api/v1/documents/{item['document_id']}"
    assert client.get(document_url, headers=school).status_code == 404  # not accepted yet
    assert client.get(f"{document_url}/versions/1/file", headers=school).status_code == 404

    accepted = client.post(f"{url}/transitions", headers=school, json={"trigger": "accept"})
    assert accepted.status_code == 200 and accepted.json["state"] == "accepted"
    read = client.get(document_url, headers=school)
    assert read.status_code == 200 and read.json["state"] == "peer_review"
    download = client.get(f"{document_url}/versions/1/file", headers=school)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    assert client.post(f"{document_url}/versions", headers=school).status_code == 403

    criteria = accepted.json["checklist"]["criteria"]
    assert criteria and all(c["status"] is None for c in criteria)
    bad = [{"criterion_id": criteria[0]["id"], "status": "met"}, {"criterion_id": 999999,
           "status": "met"}]  # fmt: skip
    refused = client.put(f"{url}/conclusion", headers=school, json={"criteria": bad})
    assert refused.status_code == 422 and "criteria[1]" in refused.json["error"]["message"]
    assert client.get(url, headers=school).json["checklist"]["criteria"][0]["status"] is None
    answers = [{"criterion_id": c["id"], "status": "met", "comment": ""} for c in criteria]
    answers[0] = {**answers[0], "status": "remark", "comment": "Уточнить сроки"}
    saved = client.put(
        f"{url}/conclusion",
        headers=school,
        json={"criteria": answers, "conclusion": "Концепция годится"},
    )
    assert saved.status_code == 200 and saved.json["checklist"]["complete"]
    assert saved.json["checklist"]["criteria"][0]["comment"] == "Уточнить сроки"
    submitted = client.post(f"{url}/transitions", headers=school, json={"trigger": "submit"})
    assert submitted.status_code == 200 and submitted.json["state"] == "submitted"
    assert client.get(document_url, headers=school).status_code == 404  # finished: no access

    curator = auth(client, "curator3@ekspertiza.local")
    assert client.get(document_url, headers=curator).json["state"] == "peer_reviewed"
    seen = client.get(url, headers=curator)  # the reviewed school's curator reads the conclusion
    assert seen.status_code == 200 and seen.json["conclusion"] == "Концепция годится"
    approved = fire_document(client, curator, item["document_id"], "approve")
    assert approved.status_code == 200 and approved.json["state"] == "approved"

    other = school_id("56-D01")
    decliner = next(p["reviewer"] for p in pairs if p["reviewed"] == other)
    declining = auth(client, school_email(decliner))
    mine = client.get("/api/v1/peer-assignments", headers=declining,
                      query_string={"reviewed_school_id": other}).json["items"][0]  # fmt: skip
    decline_url = f"/api/v1/peer-assignments/{mine['id']}/transitions"
    no_reason = client.post(decline_url, headers=declining, json={"trigger": "decline"})
    assert no_reason.status_code == 422
    declined = client.post(
        decline_url, headers=declining, json={"trigger": "decline", "comment": "Нет экспертов"}
    )
    assert declined.status_code == 200 and declined.json["state"] == "declined"
    replacement = db.session.scalar(
        select(PeerAssignment).where(PeerAssignment.replaces_id == mine["id"])
    )
    assert replacement is not None and replacement.reviewer_school_id not in (decliner, other)
    assert replacement.state == "assigned" and replacement.due_at is not None
    listed = client.get("/api/v1/peer-assignments", headers=auth(client, ADMIN),
                        query_string={"reviewed_school_id": other}).json  # fmt: skip
    assert replacement.id in {i["id"] for i in listed["items"]}


def test_decline_reason_and_reviewer_only_actions(staged, client):
    admin = auth(client, ADMIN)
    preview = run_pairing(client, admin)
    client.post(f"/api/v1/pairings/{preview['id']}/confirm", headers=admin)
    assignment = db.session.scalar(select(PeerAssignment).order_by(PeerAssignment.id))
    url = f"/api/v1/peer-assignments/{assignment.id}"
    coordinator = auth(client, "coord.08@ekspertiza.local")
    if client.get(url, headers=coordinator).status_code == 200:
        acted = client.post(f"{url}/transitions", headers=coordinator, json={"trigger": "accept"})
        assert acted.status_code == 403
    stale = client.post(
        f"{url}/transitions",
        headers=auth(client, school_email(assignment.reviewer_school_id)),
        json={"trigger": "decline", "comment": "нет", "lock_version": 99},
    )
    assert stale.status_code == 409


def test_a_document_is_readable_by_the_peer_only_while_accepted(staged, client):
    admin = auth(client, ADMIN)
    preview = run_pairing(client, admin)
    client.post(f"/api/v1/pairings/{preview['id']}/confirm", headers=admin)
    assignment = db.session.scalar(
        select(PeerAssignment)
        .join(Document, Document.id == PeerAssignment.document_id)
        .where(Document.state == "peer_review")
        .order_by(PeerAssignment.id)
    )
    school = auth(client, school_email(assignment.reviewer_school_id))
    url = f"/api/v1/peer-assignments/{assignment.id}/transitions"
    document_url = f"/api/v1/documents/{assignment.document_id}"
    assert client.get(document_url, headers=school).status_code == 404
    client.post(url, headers=school, json={"trigger": "accept"})
    assert client.get(document_url, headers=school).status_code == 200
    client.post(url, headers=school, json={"trigger": "decline", "comment": "Передумали"})
    assert client.get(document_url, headers=school).status_code == 404
    assert client.get(f"{document_url}/versions/1/file", headers=school).status_code == 404
