"""Dashboards: the school's next steps, the curator's schools, the coordinators' territory."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.auth.permissions import can_view_school, curated_school_ids
from webapp.campaigns.services import current_campaign
from webapp.common.time import utcnow
from webapp.dashboards import charts, personal, queries
from webapp.dashboards.scope import (
    OutOfScope,
    can_see_territory,
    territory_for,
    visible_municipalities,
    visible_regions,
)
from webapp.extensions import db
from webapp.orgs.models import School

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard", template_folder="templates")

TABLE_LIMIT = 200  # rows of one table; the charts show the first charts.CHART_ROWS
CURATOR_ROWS = 50  # curators of a territory, most overdue first (a region has hundreds)


@bp.route("")
@login_required
def index():
    """Each role's own dashboard (the highest role first)."""
    if can_see_territory(current_user):
        return redirect(url_for("dashboards.territory"))
    if current_user.has_role("curator"):
        return redirect(url_for("dashboards.curator"))
    schools = sorted(m.school_id for m in current_user.memberships if m.role == "school")
    if schools:
        return redirect(url_for("dashboards.school", school_id=schools[0]))
    abort(403)


@bp.route("/schools/<int:school_id>")
@login_required
def school(school_id: int):
    school = db.session.get(School, school_id)
    if school is None or not can_view_school(current_user, school):
        abort(404)
    campaign = current_campaign()
    now = utcnow()
    documents = personal.school_documents(campaign, school, now) if campaign else []
    measure_counts = personal.measure_counts([school.id])
    return render_template(
        "dashboards/school.html",
        school=school,
        campaign=campaign,
        documents=documents,
        documents_chart=charts.done_chart(documents, "approved"),
        measures=personal.school_measures(school.id, now.date()),
        measure_counts=measure_counts,
        measures_chart=charts.counts_progress(measure_counts),
        roadmap_items=personal.school_roadmap_items(school.id),
        peer=personal.peer_reviews_to_write(school.id, now),
        expert_works=personal.experts_works(school.id),
        labels=charts.labels(),
    )


@bp.route("/curator")
@login_required
def curator():
    if not current_user.has_role("curator"):
        abort(403)
    campaign = current_campaign()
    now = utcnow()
    ids = sorted(curated_school_ids(current_user))
    schools = School.id.in_(ids)
    documents = []
    if campaign is not None:
        documents = queries.documents_by_state(campaign, schools, "school", now, school_ids=ids)
    measures = queries.measures_progress(schools, "school", now.date(), school_ids=ids)
    return render_template(
        "dashboards/curator.html",
        campaign=campaign,
        documents=documents,
        documents_chart=charts.documents_chart(documents),
        measures=measures,
        measures_chart=charts.measures_chart(measures),
        waiting=sum(r.counts.get("submitted", 0) for r in measures),
        follow_ups=personal.follow_ups(current_user.id, now.date()),
        labels=charts.labels(),
        today=now.date(),
    )


@bp.route("/territory")
@login_required
def territory():
    if not can_see_territory(current_user):
        abort(403)
    region_id = request.args.get("region", type=int)
    municipality_id = request.args.get("municipality", type=int)
    try:
        scope = territory_for(current_user, region_id, municipality_id)
    except OutOfScope:
        abort(404)
    campaign = current_campaign()
    figures = queries.territory_figures(current_user, scope, campaign, utcnow())
    documents, curators, peer = figures["documents"], figures["curators"], figures["peer"]
    measures, crosscheck, roadmaps = figures["measures"], figures["crosscheck"], figures["roadmaps"]
    if peer is not None:
        peer = replace(peer, label=_("Все задания"))
    curators = sorted(curators, key=lambda r: (-r.overdue, r.label))
    show_municipalities = scope.region_id is not None or scope.level != "region"
    return render_template(
        "dashboards/territory.html",
        campaign=campaign,
        scope=scope,
        regions=visible_regions(current_user),
        municipalities=(
            visible_municipalities(current_user, scope.region_id) if show_municipalities else []
        ),
        documents=documents[:TABLE_LIMIT],
        documents_total=len(documents),
        documents_chart=charts.documents_chart(documents),
        curators=curators[:CURATOR_ROWS],
        curators_total=len(curators),
        curators_chart=charts.documents_chart(curators, by_curator=True),
        peer=peer,
        peer_chart=charts.peer_chart(peer) if peer is not None else None,
        measures=measures[:TABLE_LIMIT],
        measures_total=len(measures),
        measures_chart=charts.measures_chart(measures),
        crosscheck=crosscheck,
        crosscheck_chart=charts.crosscheck_chart(crosscheck),
        roadmaps=roadmaps,
        roadmaps_chart=charts.roadmaps_chart(roadmaps),
        labels=charts.labels(),
        table_limit=TABLE_LIMIT,
        curator_limit=CURATOR_ROWS,
    )
