"""The curator's queue and review screen."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from webapp.auth.permissions import can_review, can_see_queue
from webapp.campaigns.services import current_campaign
from webapp.common.forms import first_error
from webapp.documents.queries import document_or_404
from webapp.extensions import db
from webapp.overview.followup import curated_statuses
from webapp.reviews import services
from webapp.reviews.forms import checklist_form
from webapp.reviews.models import ANSWER_LABELS, VERDICT_LABELS
from webapp.reviews.queries import curator_queue
from webapp.workflow.errors import on_refusal
from workflows.document import STATE_LABELS, TRIGGER_LABELS, DocumentState

bp = Blueprint("reviews", __name__, template_folder="templates")


@bp.route("/queue")
@login_required
def queue():
    if not can_see_queue(current_user):
        abort(403)
    campaign = current_campaign()
    rows = curator_queue(current_user.id, campaign.id) if campaign else []
    schools = curated_statuses(current_user.id, campaign.id) if campaign else []
    return render_template(
        "reviews/queue.html", rows=rows, schools=schools, state_labels=STATE_LABELS
    )


@bp.route("/documents/<int:document_id>/review", methods=["GET", "POST"])
@login_required
def review(document_id: int):
    document = document_or_404(current_user, document_id)
    if not can_review(current_user, document):
        abort(403)
    if document.state != DocumentState.CURATOR_REVIEW:
        return redirect(url_for("documents.detail", document_id=document.id))
    review, created = services.open_review(document, current_user)
    if review is None:
        flash("Для этого типа документа нет чек-листа. Обратитесь к администратору.", "danger")
        return redirect(url_for("documents.detail", document_id=document.id))
    if request.method == "POST":
        return _post_review(document, review)
    if created:
        db.session.commit()
    return _render(document, review, checklist_form(review.template.criteria, formdata=None))


def _render(document, review, form, status: int = 200):
    return render_template(
        "reviews/review.html",
        document=document,
        review=review,
        form=form,
        typed=request.method == "POST",
        answer_labels=ANSWER_LABELS,
        verdict_labels=VERDICT_LABELS,
        state_labels=STATE_LABELS,
        trigger_labels=TRIGGER_LABELS,
    ), status


def _post_review(document, review):
    form = checklist_form(review.template.criteria, formdata=request.form)
    valid = form.validate_on_submit()
    if not (form.validate_commented_criteria(review.template.criteria) and valid):
        flash(first_error(form), "danger")
        return _render(document, review, form, 422)
    services.save_answers(review, form.answers(review.template.criteria))
    if not (form.wants_verdict and form.verdict.data):
        db.session.commit()
        flash("Чек-лист сохранён.", "success")
        return redirect(url_for(".review", document_id=document.id))
    db.session.commit()  # the checklist is kept even if the verdict is refused
    verdict = form.verdict.data
    on_refusal(lambda: _render(document, review, form)[0])
    services.finish_review(
        document.id,
        review,
        verdict,
        form.comment.data or "",
        actor=current_user,
        expected_version=form.lock_version.data,
    )
    db.session.commit()
    flash(f"Решение сохранено: {VERDICT_LABELS[verdict]}.", "success")
    return redirect(url_for("documents.detail", document_id=document.id))
