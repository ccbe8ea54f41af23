"""Mutual expertise screens: the reviewing school's cabinet and assignment, closing, follow-up."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from webapp.auth.permissions import is_curator_of
from webapp.campaigns.services import current_campaign
from webapp.common.forms import first_error
from webapp.common.web import localtime
from webapp.documents.queries import document_or_404
from webapp.documents.views import detail
from webapp.expertise import services
from webapp.expertise.forms import CloseStageForm, PeerChecklistForm, PeerTransitionForm
from webapp.expertise.forms import peer_checklist_form as checklist_form
from webapp.expertise.queries import (
    FollowRow,
    all_rows,
    assignment_or_404,
    attention_rows,
    cabinet_rows,
    can_follow,
    flags,
    is_admin,
    is_reviewer,
    region_summary,
    regions_for_filter,
    reviewer_school_ids,
)
from webapp.expertise.workflow import PEER_ASSIGNMENTS
from webapp.extensions import db
from webapp.reviews.models import ANSWER_LABELS
from webapp.tabular import write_xlsx
from webapp.workflow.errors import on_refusal
from webapp.workflow.service import available_triggers, lock
from workflows.machine import Screen, StateConflict
from workflows.peer_assignment import (
    STATE_LABELS,
    TRIGGER_LABELS,
    PeerState,
    peer_workflow,
)

bp = Blueprint("peer", __name__, template_folder="templates", url_prefix="/peer")

DRAFT_CONFLICT = "Черновик заключения уже изменил другой пользователь школы. Обновите страницу."


# -- the reviewing school ---------------------------------------------------------------------


@bp.route("")
@login_required
def cabinet():
    school_ids = reviewer_school_ids(current_user)
    if not school_ids:
        abort(403)
    campaign = current_campaign()
    groups = cabinet_rows(school_ids, campaign.id) if campaign else {}
    return render_template(
        "expertise/cabinet.html", campaign=campaign, groups=groups, state_labels=STATE_LABELS
    )


@bp.route("/assignments/<int:assignment_id>")
@login_required
def assignment(assignment_id: int):
    return _render(assignment_or_404(current_user, assignment_id))


def _render(assignment, form: PeerChecklistForm | None = None, status: int = 200):
    reviewer = is_reviewer(current_user, assignment)
    criteria = assignment.template.criteria if assignment.template else []
    editable = reviewer and assignment.state == PeerState.ACCEPTED and bool(criteria)
    available = available_triggers(PEER_ASSIGNMENTS, assignment, current_user) if reviewer else []
    if editable and form is None:
        form = checklist_form(criteria, assignment)
    return render_template(
        "expertise/assignment.html",
        assignment=assignment,
        document=assignment.document,
        school=assignment.reviewed_school,
        reviewer=reviewer,
        criteria=criteria,
        editable=editable,
        form=form,
        triggers=peer_workflow.offered_on(Screen.ACTIONS, assignment.state, available),
        may_submit=reviewer and bool(_submit_offered(assignment)),
        trigger_meta=peer_workflow.meta,
        trigger_labels=TRIGGER_LABELS,
        state_labels=STATE_LABELS,
        answer_labels=ANSWER_LABELS,
    ), status


def _submit_offered(assignment) -> list[str]:
    """Judged as if the checklist on screen were complete: the form saves it before submitting
    (like a typed comment, the screen supplies that fact; the machine still checks it)."""
    ctx = PEER_ASSIGNMENTS.build_context(assignment, current_user)
    available = assignment.available_triggers(ctx=replace(ctx, conclusion_complete=True))
    return peer_workflow.offered_on(Screen.REVIEW, assignment.state, available)


@bp.route("/assignments/<int:assignment_id>/transitions", methods=["POST"])
@login_required
def transition(assignment_id: int):
    assignment = assignment_or_404(current_user, assignment_id)
    form = PeerTransitionForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return _render(assignment, status=422)
    on_refusal(lambda: _render(assignment_or_404(current_user, assignment_id))[0])
    services.fire(
        assignment.id,
        form.trigger.data,
        actor=current_user,
        comment=form.comment.data or "",
        expected_version=form.lock_version.data,
    )
    db.session.commit()
    flash(
        gettext("Готово: %(action)s.", action=gettext(peer_workflow.meta[form.trigger.data].label)),
        "success",
    )
    return redirect(url_for(".assignment", assignment_id=assignment.id))


@bp.route("/assignments/<int:assignment_id>/conclusion", methods=["POST"])
@login_required
def conclusion(assignment_id: int):
    assignment = assignment_or_404(current_user, assignment_id)
    if not is_reviewer(current_user, assignment):
        abort(403)
    criteria = assignment.template.criteria if assignment.template else []
    form = checklist_form(criteria, formdata=request.form)
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return _render(assignment, form, 422)
    on_refusal(lambda: _render(assignment_or_404(current_user, assignment_id), form)[0])
    _save_draft(assignment.id, form, criteria)
    db.session.commit()  # the draft is kept even if the submission is refused
    if not form.wants_submit:
        flash(gettext("Черновик заключения сохранён."), "success")
        return redirect(url_for(".assignment", assignment_id=assignment.id))
    services.fire(assignment.id, "submit", actor=current_user)
    db.session.commit()
    flash(gettext("Заключение отправлено."), "success")
    return redirect(url_for(".assignment", assignment_id=assignment.id))


def _save_draft(assignment_id: int, form: PeerChecklistForm, criteria) -> None:
    """Lock the row, refuse a stale page, store the answers (all or nothing)."""
    locked = lock(PEER_ASSIGNMENTS, assignment_id)
    expected = form.lock_version.data
    if expected is not None and locked.lock_version != expected:
        if locked.state != PeerState.ACCEPTED:
            raise StateConflict(PEER_ASSIGNMENTS.conflict_message(locked), trigger="submit")
        raise StateConflict(DRAFT_CONFLICT, trigger="submit")
    services.save_conclusion(locked, form.answers(criteria), form.conclusion.data or "")


# -- the curator closes a document's stage ------------------------------------------------------


@bp.route("/documents/<int:document_id>/close", methods=["POST"])
@login_required
def close_stage(document_id: int):
    document = document_or_404(current_user, document_id)
    if not is_curator_of(current_user, document.school_id):
        abort(403)
    form = CloseStageForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return detail(document.id), 422
    on_refusal(lambda: detail(document.id))
    services.close_stage(document.id, form.reason.data, actor=current_user)
    db.session.commit()
    flash(gettext("Этап взаимоэкспертизы закрыт."), "success")
    return redirect(url_for("documents.detail", document_id=document.id))


# -- following the stage ----------------------------------------------------------------------


def _follow_args():
    if not can_follow(current_user):
        abort(403)
    campaign = current_campaign()
    region_id = request.args.get("region", type=int) if is_admin(current_user) else None
    return campaign, region_id


@bp.route("/overview")
@login_required
def overview():
    campaign, region_id = _follow_args()
    f = flags(campaign.id) if campaign else None
    return render_template(
        "expertise/overview.html",
        campaign=campaign,
        summary=region_summary(current_user, campaign.id, region_id, f) if campaign else [],
        rows=attention_rows(current_user, campaign.id, region_id, f) if campaign else [],
        regions=regions_for_filter() if is_admin(current_user) else [],
        selected_region=region_id,
        states=list(PeerState),
        state_labels=STATE_LABELS,
        # Up to 200 attention rows: labels translated and the link built once, not per row.
        state_texts={s.value: gettext(label) for s, label in STATE_LABELS.items()},
        assignment_url=url_for(".assignment", assignment_id=0).removesuffix("0"),
    )


EXPORT_HEADER = [
    "№ назначения",
    "Состояние",
    "Документ",
    "Тип документа",
    "Проверяемая школа",
    "Регион проверяемой школы",
    "Школа-эксперт",
    "Регион школы-эксперта",
    "Попытка",
    "Срок",
    "Принято",
    "Завершено",
    "Просрочено",
    "Молчит",
    "Заменено",
]


def _export_row(r: FollowRow) -> list:
    def when(value):
        return localtime(value) if value else ""  # the viewer's zone, named in each cell

    def yes(flag: bool) -> str:
        return "да" if flag else ""

    return [
        r.id,
        STATE_LABELS[PeerState(r.state)],
        r.title,
        r.type_name,
        r.reviewed_school,
        r.reviewed_region,
        r.reviewer_school,
        r.reviewer_region,
        r.attempt,
        when(r.due_at),
        when(r.accepted_at),
        when(r.finished_at),
        yes(r.overdue),
        yes(r.silent),
        yes(r.replaced),
    ]


@bp.route("/overview.xlsx")
@login_required
def export():
    campaign, region_id = _follow_args()
    if campaign is None:
        abort(404)
    rows = (_export_row(r) for r in all_rows(current_user, campaign.id, region_id))
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, EXPORT_HEADER, rows, title="Взаимоэкспертиза")
        stream = open(path, "rb")  # noqa: SIM115 (send_file closes it)
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    return send_file(
        stream,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"peer-review-{campaign.year}.xlsx",
        max_age=0,
    )
