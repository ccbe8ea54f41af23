"""The curator's queue and review screen."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth.permissions import can_review, can_see_queue
from webapp.campaigns.services import current_campaign
from webapp.documents.queries import document_or_404
from webapp.documents.services import StateConflict, available_triggers
from webapp.extensions import db
from webapp.reviews import services
from webapp.reviews.models import ANSWER_LABELS, VERDICT_LABELS
from webapp.reviews.queries import curator_queue
from workflows.document import STATE_LABELS, TRIGGER_LABELS
from workflows.machine import WorkflowError

bp = Blueprint("reviews", __name__, template_folder="templates")


@bp.route("/queue")
@login_required
def queue():
    if not can_see_queue(current_user):
        abort(403)
    campaign = current_campaign()
    rows = curator_queue(current_user.id, campaign.id) if campaign else []
    return render_template("reviews/queue.html", rows=rows, state_labels=STATE_LABELS)


@bp.route("/documents/<int:document_id>/review", methods=["GET", "POST"])
@login_required
def review(document_id: int):
    document = document_or_404(current_user, document_id)
    if not can_review(current_user, document):
        abort(403)
    if document.state != "curator_review":
        return redirect(url_for("documents.detail", document_id=document.id))
    review, created = services.open_review(document, current_user)
    if review is None:
        flash("Для этого типа документа нет чек-листа. Обратитесь к администратору.", "danger")
        return redirect(url_for("documents.detail", document_id=document.id))
    if request.method == "POST":
        return _post_review(document, review)
    if created:
        db.session.commit()
    return _render(document, review)


def _render(document, review, status: int = 200):
    return render_template(
        "reviews/review.html",
        document=document,
        review=review,
        answer_labels=ANSWER_LABELS,
        verdict_labels=VERDICT_LABELS,
        state_labels=STATE_LABELS,
        trigger_labels=TRIGGER_LABELS,
        triggers=available_triggers(current_user, document),
    ), status


def _post_review(document, review):
    answers = {
        c.id: (request.form.get(f"status_{c.id}", ""), request.form.get(f"comment_{c.id}", ""))
        for c in review.template.criteria
    }
    services.save_answers(review, answers)
    verdict = request.form.get("verdict", "")
    if not verdict:
        db.session.commit()
        flash("Чек-лист сохранён.", "success")
        return redirect(url_for(".review", document_id=document.id))
    try:
        services.finish_review(
            document.id,
            review,
            verdict,
            request.form.get("comment", ""),
            actor=current_user,
            expected_version=request.form.get("lock_version", type=int),
        )
    except StateConflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("documents.detail", document_id=document.id))
    except WorkflowError as exc:
        db.session.commit()  # keep the checklist answers the curator typed
        flash(exc.message, "danger")
        return _render(document, review, 422)
    db.session.commit()
    flash(f"Решение сохранено: {VERDICT_LABELS[verdict]}.", "success")
    return redirect(url_for("documents.detail", document_id=document.id))
