"""The coordinator's overview screen."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from webapp.auth.permissions import can_see_overview
from webapp.campaigns.services import current_campaign
from webapp.overview.queries import build_overview, municipalities_in_scope
from workflows.document import STATE_LABELS, DocumentState

bp = Blueprint("overview", __name__, template_folder="templates")


@bp.route("/overview")
@login_required
def index():
    if not can_see_overview(current_user):
        abort(403)
    campaign = current_campaign()
    if campaign is None:
        return render_template("overview/index.html", overview=None, campaign=None)
    state = request.args.get("state") or None
    if state is not None and state not in {s.value for s in DocumentState}:
        state = None
    overview = build_overview(
        current_user,
        campaign.id,
        municipality_id=request.args.get("municipality", type=int),
        state=state,
        page=request.args.get("page", 1, type=int),
    )
    return render_template(
        "overview/index.html",
        overview=overview,
        campaign=campaign,
        municipalities=municipalities_in_scope(current_user),
        state_labels=STATE_LABELS,
        selected_state=state,
        selected_municipality=request.args.get("municipality", type=int),
    )
