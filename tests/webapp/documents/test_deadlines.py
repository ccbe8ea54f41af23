"""The documents stage's window: submission and resubmission close with the stage's deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    answer_remarks,
    complete_checklist,
    documents_of,
    fire,
    upload,
    user,
)
from webapp.campaigns.models import Campaign, Stage
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.reviews import services as reviews
from workflows.deadlines import local_day

CLOSED = "Этап кампании закрыт: сроки подачи истекли."


def documents_stage() -> Stage:
    return db.session.scalar(select(Stage).where(Stage.code == "documents"))


def set_stage(starts: int, ends: int) -> None:
    """Move the documents stage to [today + starts, today + ends] (days of 08-UMC: Moscow)."""
    today = local_day(utcnow(), "Europe/Moscow")
    stage = documents_stage()
    stage.starts_on = today + timedelta(days=starts)
    stage.ends_on = today + timedelta(days=ends)
    db.session.commit()


def state_of(doc: Document) -> str:
    db.session.expire_all()
    return db.session.get(Document, doc.id).state


def token(client, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": "demo-pass"})
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.mark.parametrize(("starts", "ends"), [(-30, -1), (1, 30)], ids=["ended", "not_started"])
def test_submission_outside_the_stage_is_refused_on_the_page(app, demo, client, starts, ends):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    set_stage(starts, ends)
    login(client, SCHOOL)
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "submit"})
    assert response.status_code == 422
    assert CLOSED in response.get_data(as_text=True)
    assert state_of(doc) == "draft"


def test_submission_after_the_deadline_is_refused_in_the_api(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    set_stage(-30, -1)
    response = client.post(
        f"/api/v1/documents/{doc.id}/transitions",
        json={"trigger": "submit"},
        headers=token(client, SCHOOL),
    )
    assert response.status_code == 422
    assert response.json["error"]["message"] == CLOSED
    assert response.json["error"]["reasons"] == ["window_open"]
    assert state_of(doc) == "draft"


@pytest.mark.parametrize(
    ("starts", "ends"), [(-30, 0), (0, 30), (0, 0)], ids=["last", "first", "only"]
)
def test_submission_on_the_stage_boundary_days_is_accepted(app, demo, client, starts, ends):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    set_stage(starts, ends)
    response = client.post(
        f"/api/v1/documents/{doc.id}/transitions",
        json={"trigger": "submit"},
        headers=token(client, SCHOOL),
    )
    assert response.status_code == 200, response.json
    assert response.json["state"] == "submitted"


def test_submission_before_the_deadline_is_accepted_on_the_page(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    set_stage(-30, 3)
    login(client, SCHOOL)
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "submit"})
    assert response.status_code == 302
    assert state_of(doc) == "submitted"


def test_closed_campaign_refuses_submission(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    db.session.scalar(select(Campaign)).is_open = False
    db.session.commit()
    login(client, SCHOOL)
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "submit"})
    assert response.status_code == 422
    assert CLOSED in response.get_data(as_text=True)
    assert state_of(doc) == "draft"


def test_campaign_without_a_documents_stage_stays_open(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    db.session.delete(documents_stage())
    db.session.commit()
    login(client, SCHOOL)
    assert (
        client.post(f"/documents/{doc.id}/transitions", data={"trigger": "submit"}).status_code
        == 302
    )
    assert state_of(doc) == "submitted"


def test_resubmission_after_the_deadline_is_refused_and_the_school_is_told(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)
    fire(doc, "start_review", CURATOR)
    review = complete_checklist(doc, CURATOR)
    reviews.finish_review(doc.id, review, "revise", "Дополните таблицу", actor=user(CURATOR))
    db.session.commit()
    upload(doc, SCHOOL, "v2.pdf")
    answer_remarks(doc, SCHOOL)
    set_stage(-30, -1)
    login(client, SCHOOL)
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "resubmit"})
    assert response.status_code == 422
    assert CLOSED in response.get_data(as_text=True)
    assert state_of(doc) == "revision_requested"
    set_stage(-30, 0)
    assert (
        client.post(f"/documents/{doc.id}/transitions", data={"trigger": "resubmit"}).status_code
        == 302
    )
    assert state_of(doc) == "submitted"


def test_the_curator_still_works_after_the_deadline(app, demo, client):
    """The window closes submissions only: review of what was submitted in time goes on."""
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)
    set_stage(-30, -1)
    login(client, CURATOR)
    assert (
        client.post(
            f"/documents/{doc.id}/transitions", data={"trigger": "start_review"}
        ).status_code
        == 302
    )
    assert state_of(doc) == "curator_review"
