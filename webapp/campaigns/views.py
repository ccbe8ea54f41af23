"""Admin screens: the risk catalogue and the checklist templates of the current campaign."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from webapp.auth.models import RoleCode
from webapp.campaigns.forms import ChecklistRevisionForm, RiskForm
from webapp.campaigns.models import ChecklistKind, ChecklistTemplate, DocumentType, RiskFactor
from webapp.campaigns.services import current_campaign, revise_checklist
from webapp.common.forms import first_error
from webapp.extensions import db

bp = Blueprint("campaigns", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
@login_required
def _admins_only():
    if not current_user.has_role(RoleCode.ADMIN):
        abort(403)


@bp.route("/checklists")
def checklists():
    types = list(db.session.scalars(select(DocumentType).order_by(DocumentType.position)))
    templates = {
        t.document_type_id: t
        for t in db.session.scalars(
            select(ChecklistTemplate).where(
                ChecklistTemplate.is_current, ChecklistTemplate.kind == ChecklistKind.CURATOR
            )
        )
    }
    return render_template("campaigns/checklists.html", types=types, templates=templates)


@bp.route("/checklists/<int:template_id>", methods=["POST"])
def revise(template_id: int):
    template = db.session.get(ChecklistTemplate, template_id)
    if template is None or not template.is_current:
        abort(404)
    form = ChecklistRevisionForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".checklists"))
    texts = (form.criteria.data or "").splitlines()
    try:
        new = revise_checklist(template, texts, actor_id=current_user.id)
    except ValueError as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".checklists"))
    db.session.commit()
    flash(
        gettext(
            "Сохранена редакция %(version)s чек-листа. Завершённые проверки не изменились.",
            version=new.version,
        ),
        "success",
    )
    return redirect(url_for(".checklists"))


@bp.route("/risks", methods=["GET", "POST"])
def risks():
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    form = RiskForm()
    if form.is_submitted():
        _save_risk(campaign.id, form)
        return redirect(url_for(".risks"))
    rows = db.session.scalars(
        select(RiskFactor).where(RiskFactor.campaign_id == campaign.id).order_by(RiskFactor.code)
    )
    return render_template("campaigns/risks.html", campaign=campaign, risks=list(rows))


def _save_risk(campaign_id: int, form: RiskForm) -> None:
    if not form.validate():
        flash(first_error(form), "danger")
        return
    name = form.name.data.strip()
    risk_id = form.risk_id.data
    if risk_id:
        risk = db.session.get(RiskFactor, risk_id)
        if risk is None or risk.campaign_id != campaign_id:
            abort(404)
        risk.name = name
        risk.is_active = form.is_active.data == "1"
    else:
        last = db.session.scalar(
            select(func.max(RiskFactor.code)).where(RiskFactor.campaign_id == campaign_id)
        )
        db.session.add(RiskFactor(campaign_id=campaign_id, code=(last or 0) + 1, name=name))
    db.session.commit()
    flash(gettext("Каталог рисков сохранён."), "success")
