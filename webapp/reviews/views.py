"""The curator's queue and review screen."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from webapp.auth.permissions import can_review, can_see_queue, can_upload
from webapp.campaigns.services import current_campaign
from webapp.common.forms import first_error
from webapp.documents.messages import verdict_message
from webapp.documents.queries import document_or_404
from webapp.extensions import db
from webapp.overview.followup import curated_statuses
from webapp.reviews import remarks, services
from webapp.reviews.forms import checklist_form, remark_answers_form
from webapp.reviews.models import ANSWER_LABELS, VERDICT_LABELS
from webapp.reviews.queries import queue_page
from webapp.workflow.errors import on_refusal
from workflows.document import STATE_LABELS, TRIGGER_LABELS, DocumentState, DocumentTrigger

bp = Blueprint("reviews", __name__, template_folder="templates")


@bp.route("/queue")
@login_required
def queue():
    if not can_see_queue(current_user):
        abort(403)
    campaign = current_campaign()
    size = current_app.config["QUEUE_PAGE_SIZE"]
    page = request.args.get("page", 1, type=int)
    queue = queue_page(current_user.id, campaign.id, page, size) if campaign else None
    schools = curated_statuses(current_user.id, campaign.id) if campaign else []
    return render_template(
        "reviews/queue.html",
        rows=queue.rows if queue else [],
        queue=queue,
        schools=schools,
        state_labels=STATE_LABELS,
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
        flash(
            gettext("Для этого типа документа нет чек-листа. Обратитесь к администратору."),
            "danger",
        )
        return redirect(url_for("documents.detail", document_id=document.id))
    if request.method == "POST":
        return _post_review(document, review)
    if created:
        db.session.commit()
    return _render(document, review, checklist_form(review.template.criteria, formdata=None))


def _render(document, review, form, status: int = 200):
    # Remarks come only from a return, which the (loaded) history records.
    returned = any(h.event == DocumentTrigger.REQUEST_REVISION for h in document.history)
    per_criterion, general = remarks.by_criterion(document.id) if returned else ({}, [])
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
        remarks_by_criterion=per_criterion,
        general_remarks=general,
        may_approve_now=_may_approve_now(document),
    ), status


def _may_approve_now(document) -> bool:
    """Approval is offered with the verdict when no peer stage follows for this type."""
    setting = document.campaign.setting_for(document.document_type_id)
    return not (setting and setting.needs_peer_review)


def _post_review(document, review):
    form = checklist_form(review.template.criteria, formdata=request.form)
    valid = form.validate_on_submit()
    if not (form.validate_commented_criteria(review.template.criteria) and valid):
        flash(first_error(form), "danger")
        return _render(document, review, form, 422)
    services.save_answers(review, form.answers(review.template.criteria))
    if not (form.wants_verdict and form.verdict.data):
        db.session.commit()
        flash(gettext("Чек-лист сохранён."), "success")
        return redirect(url_for(".review", document_id=document.id))
    db.session.commit()  # the checklist is kept even if the verdict is refused
    verdict = form.verdict.data
    on_refusal(lambda: _render(document, review, form)[0])
    approve_now = form.approve_now.data and _may_approve_now(document)
    services.finish_review(
        document.id,
        review,
        verdict,
        form.comment.data or "",
        actor=current_user,
        expected_version=form.lock_version.data,
        approve_now=approve_now,
    )
    db.session.commit()
    flash(verdict_message(verdict, approve_now), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.route("/documents/<int:document_id>/remarks", methods=["POST"])
@login_required
def answer_remarks(document_id: int):
    """The school answers the remarks of the return point by point."""
    document = document_or_404(current_user, document_id)
    if not can_upload(current_user, document):
        abort(403)
    if document.state != DocumentState.REVISION_REQUESTED:
        flash(gettext("Отвечать на замечания можно, пока документ на доработке."), "danger")
        return redirect(url_for("documents.detail", document_id=document.id))
    open_remarks = remarks.open_round(document.id)
    form = remark_answers_form(open_remarks, formdata=request.form)
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for("documents.detail", document_id=document.id, _anchor="remarks"))
    typed = form.answers(open_remarks)
    if not any(text.strip() for text in typed.values()):
        flash(gettext("Напишите ответ хотя бы на одно замечание."), "danger")
        return redirect(url_for("documents.detail", document_id=document.id, _anchor="remarks"))
    remarks.save_answers(document, typed, actor=current_user)
    db.session.commit()
    left = sum(1 for r in open_remarks if not r.answered)
    if left:
        flash(
            gettext("Ответы сохранены. Осталось ответить на замечаний: %(left)s.", left=left),
            "success",
        )
    else:
        flash(
            gettext(
                "Ответы сохранены. Загрузите исправленную версию и отправьте документ повторно: "
                "куратор увидит ответы рядом с критериями."
            ),
            "success",
        )
    return redirect(url_for("documents.detail", document_id=document.id, _anchor="remarks"))
