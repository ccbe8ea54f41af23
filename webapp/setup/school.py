"""The school chooses its risk directions in its cabinet (before the «risks» stage ends)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from webapp.auth.permissions import can_view_school, is_school_member
from webapp.campaigns.models import RiskFactor
from webapp.campaigns.services import current_campaign
from webapp.common.forms import first_error
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.orgs.models import School
from webapp.setup import services
from webapp.setup.forms import RiskChoiceForm
from webapp.setup.services import RISK_STAGE, SetupRefused

bp = Blueprint("school_risks", __name__, template_folder="templates")


@bp.route("/schools/<int:school_id>/risks", methods=["GET", "POST"])
@login_required
def choose(school_id: int):
    school = db.session.get(School, school_id)
    if school is None or not can_view_school(current_user, school):
        abort(404)
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    own = is_school_member(current_user, school.id)
    catalogue = list(
        db.session.scalars(
            select(RiskFactor)
            .where(RiskFactor.campaign_id == campaign.id, RiskFactor.is_active.is_(True))
            .order_by(RiskFactor.code)
        )
    )
    chosen = services.chosen_risk_ids(school.id, campaign.id)
    form = RiskChoiceForm(formdata=None, risks=sorted(chosen))
    form.risks.choices = [SelectChoice(r.id, f"{r.code}. {r.name}") for r in catalogue]
    status = 200
    if form.is_submitted():
        if not own:
            abort(403)
        form = RiskChoiceForm()
        form.risks.choices = [SelectChoice(r.id, f"{r.code}. {r.name}") for r in catalogue]
        if form.validate_on_submit():
            try:
                services.choose_risks(school, campaign, set(form.risks.data), utcnow().date())
            except SetupRefused as exc:
                db.session.rollback()
                flash(str(exc), "danger")
                status = 422
            else:
                db.session.commit()
                flash(
                    _("Рисковые направления сохранены; антирисковые программы — по выбору."),
                    "success",
                )
                return redirect(url_for("documents.school", school_id=school.id))
        else:
            flash(first_error(form), "danger")
            status = 422
    stage = next((s for s in campaign.stages if s.code == RISK_STAGE), None)
    return render_template(
        "setup/risks.html",
        school=school,
        campaign=campaign,
        form=form,
        own=own,
        stage=stage,
        window_open=campaign.window_open(RISK_STAGE, utcnow().date(), school.region_id),
        deadline=stage.ends_on_for(school.region_id) if stage else None,
        chosen=[r for r in catalogue if r.id in chosen],
    ), status
