"""The shared workflow layer on the document: facts from the database, effects, subscribers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    answer_remarks,
    bring_to_review,
    complete_checklist,
    day_end,
    documents_of,
    fire,
    upload,
    user,
)
from webapp.auth.models import User
from webapp.documents import services
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.reviews.models import Review
from workflows.machine import GuardRefused

COORDINATOR = "coord.08@ekspertiza.local"


def told_of_last_transition(document: Document) -> set[str]:
    log_id = max(log.id for log in db.session.get(Document, document.id).history)
    stmt = (
        select(User.email)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.transition_log_id == log_id)
    )
    return set(db.session.scalars(stmt))


def test_who_is_told_of_each_step(app, demo):
    # Written from the rules: the side that must act next, never the actor.
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    steps = [
        ("submit", SCHOOL, "", {CURATOR}),
        ("withdraw", SCHOOL, "", {CURATOR}),
        ("submit", SCHOOL, "", {CURATOR}),
        ("start_review", CURATOR, "", set()),  # nothing for the school to do (docs/notifications)
        ("request_revision", CURATOR, "Уточните цели", {SCHOOL}),
    ]
    for trigger, actor, comment, expected in steps:
        if trigger == "request_revision":
            complete_checklist(doc, CURATOR)
        fire(doc, trigger, actor, comment)
        assert told_of_last_transition(doc) == expected, trigger
    upload(doc, SCHOOL, "v2.pdf")
    answer_remarks(doc, SCHOOL)
    for trigger, actor, comment, expected in [
        ("resubmit", SCHOOL, "", {CURATOR}),
        ("start_review", CURATOR, "", set()),
        ("accept", CURATOR, "", {SCHOOL}),
        ("approve", CURATOR, "", {SCHOOL}),
        ("reopen", COORDINATOR, "Ошибка в сроках", {SCHOOL, CURATOR}),
    ]:
        if trigger == "accept":
            complete_checklist(doc, CURATOR)
        fire(doc, trigger, actor, comment)
        assert told_of_last_transition(doc) == expected, trigger


def test_submission_stamps_submitted_at_and_due_date_from_the_setting(app, demo):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)
    doc = db.session.get(Document, doc.id)
    days = doc.campaign.setting_for(doc.document_type_id).review_days
    assert doc.submitted_at == doc.history[-1].at
    # the end of that day in the school's zone (Kalmykia: Moscow, UTC+3)
    assert doc.due_at == day_end(doc.submitted_at, days, "Europe/Moscow")


def test_checklist_fact_is_read_from_the_database(app, demo):
    doc = bring_to_review(documents_of("08-UMC")[0])
    assert services.available_triggers(user(CURATOR), doc) == []
    with pytest.raises(GuardRefused) as refused:
        services.apply_transition(doc.id, "accept", actor=user(CURATOR))
    assert refused.value.reasons == ("checklist_complete",)
    db.session.rollback()

    complete_checklist(doc, CURATOR)
    doc = db.session.get(Document, doc.id)
    assert services.available_triggers(user(CURATOR), doc) == ["request_revision", "accept"]
    assert services.available_triggers(user(SCHOOL), doc) == []


@pytest.mark.parametrize(
    ("trigger", "comment", "verdict"),
    [
        ("accept", "", "approve"),
        ("accept", "Мелкие замечания", "approve_with_remarks"),
        ("request_revision", "Нет плана", "revise"),
    ],
)
def test_a_verdict_fired_without_the_screen_closes_the_checklist(
    app, demo, trigger, comment, verdict
):
    doc = bring_to_review(documents_of("08-UMC")[0])
    review = complete_checklist(doc, CURATOR)
    fire(doc, trigger, CURATOR, comment)
    review = db.session.get(Review, review.id)
    assert (review.verdict, review.comment) == (verdict, comment)
    assert review.finished_at == db.session.get(Document, doc.id).history[-1].at


def test_state_cannot_be_assigned_outside_the_workflow(app, demo):
    doc = documents_of("08-UMC")[0]
    with pytest.raises(AttributeError, match="only through fire"):
        doc.state = "approved"


def test_the_layer_defaults_to_no_comment_and_no_system_role(app, demo):
    from webapp.documents.workflow import DOCUMENTS
    from webapp.workflow import service as workflow
    from workflows.machine import NotPermitted

    doc = bring_to_review(documents_of("08-UMC")[0])
    complete_checklist(doc, CURATOR)
    with pytest.raises(GuardRefused) as refused:
        workflow.apply_transition(DOCUMENTS, doc.id, "request_revision", actor=user(CURATOR))
    assert refused.value.reasons == ("has_comment",)
    db.session.rollback()
    doc.campaign.setting_for(doc.document_type_id).needs_peer_review = True
    db.session.commit()
    workflow.apply_transition(DOCUMENTS, doc.id, "accept", actor=user(CURATOR))
    db.session.commit()
    with pytest.raises(NotPermitted):
        workflow.apply_transition(DOCUMENTS, doc.id, "start_peer_review", actor=user(CURATOR))
    db.session.rollback()
