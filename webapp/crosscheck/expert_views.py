"""The expert's screens: its works (by participant code only) and the points grid; the
invitation link that sets a password.

An expert sees only its own live sheets (404 otherwise) and never the school's points nor the
other checker's, except on a third check, which shows both earlier scores.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from webapp.common.forms import PostForm, first_error
from webapp.crosscheck import experts as expert_service
from webapp.crosscheck import sheets
from webapp.crosscheck.expert_forms import SetPasswordForm, points_form
from webapp.crosscheck.models import CrossCheckCampaign, CrossCheckWork, ScoreSheet
from webapp.crosscheck.permissions import coordinates_campaign
from webapp.extensions import db
from webapp.workflow.errors import localized, on_refusal, status_for
from workflows.machine import WorkflowError
from workflows.score_sheet import ROLE_LABELS, STATE_LABELS, SheetRole, SheetState

bp = Blueprint("expert", __name__, template_folder="templates")

ROLE_TEXTS = {str(k): v for k, v in ROLE_LABELS.items()}
STATE_TEXTS = {str(k): v for k, v in STATE_LABELS.items()}


@bp.route("/expert")
@login_required
def works():
    mine = sheets.expert_sheets_query(current_user).with_only_columns(ScoreSheet.id)
    stmt = (
        select(
            ScoreSheet.id,
            ScoreSheet.role,
            ScoreSheet.state,
            CrossCheckWork.participant_code,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            CrossCheckCampaign.title,
            CrossCheckCampaign.checking_deadline,
            CrossCheckCampaign.third_check_deadline,
        )
        .join(CrossCheckWork, CrossCheckWork.id == ScoreSheet.work_id)
        .join(CrossCheckCampaign, CrossCheckCampaign.id == ScoreSheet.campaign_id)
        .where(ScoreSheet.id.in_(mine))
        .order_by(
            ScoreSheet.state == SheetState.SUBMITTED,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            CrossCheckWork.participant_code,
        )
    )
    rows = db.session.execute(stmt).all()
    return render_template(
        "crosscheck/expert_works.html", rows=rows, role_labels=ROLE_TEXTS, state_labels=STATE_TEXTS
    )


def _sheet_or_404(sheet_id: int) -> ScoreSheet:
    sheet = sheets.sheet_for_expert(current_user, sheet_id)
    if sheet is None:
        abort(404)
    return sheet


def _render(sheet: ScoreSheet, form=None, status: int = 200):
    work = sheet.work
    maxima = sheets.max_points(sheet.campaign_id, work.subject, work.grade)
    if form is None:
        form = points_form(maxima, sheet.points, formdata=None)
    campaign = db.session.get(CrossCheckCampaign, sheet.campaign_id)
    editable = sheet.state in (SheetState.ASSIGNED, SheetState.IN_PROGRESS)
    return render_template(
        "crosscheck/expert_sheet.html",
        sheet=sheet,
        work=work,
        campaign=campaign,
        maxima=maxima,
        form=form,
        editable=editable,
        earlier=sheets.earlier_scores(sheet),
        role_labels=ROLE_TEXTS,
        state_labels=STATE_TEXTS,
        deadline=(
            campaign.third_check_deadline
            if sheet.role == SheetRole.THIRD
            else campaign.checking_deadline
        ),
    ), status


@bp.route("/expert/sheets/<int:sheet_id>")
@login_required
def sheet(sheet_id: int):
    return _render(_sheet_or_404(sheet_id))


@bp.route("/expert/sheets/<int:sheet_id>", methods=["POST"])
@login_required
def save(sheet_id: int):
    found = _sheet_or_404(sheet_id)
    work = found.work
    maxima = sheets.max_points(found.campaign_id, work.subject, work.grade)
    form = points_form(maxima)
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return _render(found, form, 422)
    on_refusal(lambda: _render(_sheet_or_404(sheet_id), form)[0])
    points = form.points(len(maxima))
    if form.action.data == "submit":
        sheets.submit_points(
            sheet_id, points, actor=current_user, expected_version=form.lock_version.data
        )
        db.session.commit()
        flash(gettext("Баллы отправлены."), "success")
        return redirect(url_for(".works"))
    sheets.save_points(
        sheet_id, points, actor=current_user, expected_version=form.lock_version.data
    )
    db.session.commit()
    flash(gettext("Баллы сохранены."), "success")
    return redirect(url_for(".sheet", sheet_id=sheet_id))


@bp.route("/expert/sheets/<int:sheet_id>/autosave", methods=["POST"])
@login_required
def autosave(sheet_id: int):
    """The grid's save-as-you-go: JSON ``{"points": [...]}`` (blanks as null)."""
    _sheet_or_404(sheet_id)
    data = request.get_json(silent=True) or {}
    points = data.get("points")
    if not isinstance(points, list):
        return jsonify(message=gettext("Нужен список баллов.")), 422
    try:
        saved = sheets.save_points(sheet_id, points, actor=current_user)
        db.session.commit()
    except WorkflowError as exc:
        db.session.rollback()
        return jsonify(message=localized(exc)), status_for(exc)
    return jsonify(state=saved.state, lock_version=saved.lock_version, points=saved.points)


# --- the invitation -------------------------------------------------------------------------


@bp.route("/crosschecks/<int:campaign_id>/experts/invite", methods=["POST"])
@login_required
def invite_all(campaign_id: int):
    """The coordinator links every listed expert to an account (new ones are invited)."""
    campaign = db.session.get(CrossCheckCampaign, campaign_id)
    if campaign is None or not coordinates_campaign(current_user, campaign):
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    result = expert_service.invite_experts(campaign)
    db.session.commit()
    flash(
        gettext(
            "Приглашено новых экспертов: %(invited)s; роль эксперта добавлена: %(added)s; "
            "уже были связаны: %(linked)s.",
            invited=result.invited,
            added=result.role_added,
            linked=result.linked,
        ),
        "success",
    )
    return redirect(url_for("crosscheck.show", campaign_id=campaign.id))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str):
    invitation = expert_service.invitation_for(token)
    if invitation is None:
        db.session.rollback()
        return render_template("crosscheck/invite_invalid.html"), 404
    form = SetPasswordForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(first_error(form), "danger")
            return render_template("crosscheck/invite.html", form=form), 422
        user = expert_service.accept_invitation(invitation, form.password.data)
        db.session.commit()
        login_user(user)
        flash(gettext("Пароль задан. Добро пожаловать!"), "success")
        return redirect(url_for(".works"))
    db.session.rollback()
    return render_template("crosscheck/invite.html", form=form)
