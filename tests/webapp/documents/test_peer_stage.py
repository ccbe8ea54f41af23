"""The peer stage: only the system starts it, for types that need it; system or curator ends it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    bring_to_review,
    complete_checklist,
    documents_of,
    fire,
    user,
)
from webapp.campaigns.models import CampaignDocumentType
from webapp.documents import services
from webapp.documents.models import Document, TransitionLog
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.reviews import services as reviews
from workflows.machine import GuardRefused, NotPermitted


def needs_peer_stage(doc: Document, value: bool = True) -> None:
    setting = db.session.scalar(
        select(CampaignDocumentType).where(
            CampaignDocumentType.campaign_id == doc.campaign_id,
            CampaignDocumentType.document_type_id == doc.document_type_id,
        )
    )
    setting.needs_peer_review = value
    db.session.commit()


def accepted(doc: Document) -> Document:
    """Upload, submit, review with a complete checklist and accept."""
    bring_to_review(doc)
    review = complete_checklist(doc, CURATOR)
    reviews.finish_review(doc.id, review, "approve", "", actor=user(CURATOR))
    db.session.commit()
    return doc


def system_fire(doc: Document, trigger: str) -> Document:
    """What a Celery task does: no user, the system role."""
    result = services.apply_transition(doc.id, trigger, actor=None, system=True)
    db.session.commit()
    return result


def state_of(doc: Document) -> str:
    db.session.expire_all()
    return db.session.get(Document, doc.id).state


def test_system_runs_the_peer_stage_then_the_curator_approves(app, demo, client):
    doc = documents_of("08-UMC")[0]
    needs_peer_stage(doc)
    accepted(doc)
    login(client, CURATOR)
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "approve"})
    assert response.status_code == 422
    assert "Сначала документ должен пройти взаимоэкспертизу." in response.get_data(as_text=True)
    response = client.post(
        f"/documents/{doc.id}/transitions", data={"trigger": "start_peer_review"}
    )
    assert response.status_code == 403
    assert state_of(doc) == "curator_accepted"

    system_fire(doc, "start_peer_review")
    assert state_of(doc) == "peer_review"
    system_fire(doc, "finish_peer_review")
    assert state_of(doc) == "peer_reviewed"
    assert (
        client.post(f"/documents/{doc.id}/transitions", data={"trigger": "approve"}).status_code
        == 302
    )
    assert state_of(doc) == "approved"

    logs = db.session.scalars(
        select(TransitionLog).where(TransitionLog.document_id == doc.id).order_by(TransitionLog.id)
    )
    steps = [
        (log.event, log.from_state, log.to_state, log.actor_id, log.actor_name) for log in logs
    ]
    curator_id = user(CURATOR).id
    assert steps[-3:] == [
        ("start_peer_review", "curator_accepted", "peer_review", None, "Система"),
        ("finish_peer_review", "peer_review", "peer_reviewed", None, "Система"),
        ("approve", "peer_reviewed", "approved", curator_id, "Куратор 1 (демо)"),
    ]


def test_system_cannot_start_the_peer_stage_for_a_type_without_it(app, demo):
    doc = documents_of("08-UMC")[0]
    needs_peer_stage(doc, False)
    accepted(doc)
    with pytest.raises(GuardRefused, match="взаимоэкспертиза не проводится"):
        system_fire(doc, "start_peer_review")
    db.session.rollback()
    assert state_of(doc) == "curator_accepted"
    fire(doc, "approve", CURATOR)
    assert state_of(doc) == "approved"


def test_system_cannot_act_for_school_or_curator(app, demo):
    doc = documents_of("08-UMC")[0]
    needs_peer_stage(doc)
    accepted(doc)
    system_fire(doc, "start_peer_review")
    system_fire(doc, "finish_peer_review")
    for trigger in ("approve", "request_revision"):
        with pytest.raises(NotPermitted, match="куратор"):
            services.apply_transition(doc.id, trigger, actor=None, system=True, comment="x")
        db.session.rollback()
    assert state_of(doc) == "peer_reviewed"


def test_curator_may_close_the_peer_stage_the_school_may_not(app, demo, client):
    doc = documents_of("08-UMC")[0]
    needs_peer_stage(doc)
    accepted(doc)
    system_fire(doc, "start_peer_review")
    login(client, SCHOOL)
    response = client.post(
        f"/documents/{doc.id}/transitions", data={"trigger": "finish_peer_review"}
    )
    assert response.status_code == 403
    client.post("/logout")
    login(client, CURATOR)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    # The curator ends the stage with the close form (it cancels open assignments), not a button.
    assert 'id="close-peer-stage"' in page and 'id="trigger-finish_peer_review"' not in page
    response = client.post(
        f"/documents/{doc.id}/transitions", data={"trigger": "finish_peer_review"}
    )
    assert response.status_code == 302
    assert state_of(doc) == "peer_reviewed"


def test_curator_may_return_a_peer_reviewed_document_with_a_comment(app, demo, client):
    doc = documents_of("08-UMC")[0]
    needs_peer_stage(doc)
    accepted(doc)
    system_fire(doc, "start_peer_review")
    system_fire(doc, "finish_peer_review")
    login(client, CURATOR)
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "request_revision"})
    assert response.status_code == 422
    response = client.post(
        f"/documents/{doc.id}/transitions",
        data={"trigger": "request_revision", "comment": "Учтите замечания школы-партнёра"},
    )
    assert response.status_code == 302
    assert state_of(doc) == "revision_requested"
    school_id = user(SCHOOL).id
    notes = db.session.scalars(select(Notification).where(Notification.user_id == school_id))
    assert any("Учтите замечания школы-партнёра" in n.body for n in notes)
