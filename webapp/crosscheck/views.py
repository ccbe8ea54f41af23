"""Cross-check campaign screens: coordinators create, load lists, assign (a job), follow; schools
add their own experts. Every campaign page is 404 outside the user's coordination."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from webapp.common.forms import PostForm, first_error
from webapp.crosscheck import assignment, lists, queries, services
from webapp.crosscheck import season as season_runs
from webapp.crosscheck.files import saved_upload
from webapp.crosscheck.forms import (
    CampaignForm,
    RuleForm,
    SchoolExpertForm,
    TransitionForm,
    UploadListForm,
)
from webapp.crosscheck.models import CrossCheckCampaign
from webapp.crosscheck.permissions import (
    creation_territories,
    member_school_ids,
    territory_schools,
)
from webapp.crosscheck.workflow import CAMPAIGNS, build_campaign_context
from webapp.extensions import db
from webapp.jobs.models import STATE_LABELS as JOB_STATE_LABELS
from webapp.orgs.models import School
from webapp.tabular import TabularRejected, write_xlsx
from webapp.tabular.errors import translated_errors
from webapp.workflow.errors import on_refusal
from webapp.workflow.service import apply_transition, available_triggers
from workflows.crosscheck_campaign import (
    LIST_STATES,
    SCOPE_LABELS,
    STATE_LABELS,
    CampaignTrigger,
    Screen,
    campaign_workflow,
)

bp = Blueprint("crosscheck", __name__, url_prefix="/crosschecks", template_folder="templates")
RESULT_ROWS = 200  # the page shows the first rows; the exports hold every row
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(campaign_id: int) -> CrossCheckCampaign:
    campaign = queries.campaign_for(current_user, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def _territory_choices() -> list[tuple[str, str]]:
    return [
        SelectChoice(f"{t.region_id}:{t.municipality_id or ''}", t.label)
        for t in creation_territories(current_user)
    ]


def _split(raw: str) -> list[str]:
    return [x.strip() for x in (raw or "").split(";") if x.strip()]


def _at_end_of_day(value) -> datetime | None:
    return None if value is None else datetime.combine(value, time(23, 59), tzinfo=UTC)


def _settings(form: CampaignForm) -> services.Settings:
    grades = []
    for raw in _split(form.grades.data):
        if not raw.isdigit():
            from workflows.machine import GuardRefused

            raise GuardRefused(
                gettext("Класс «%(grade)s» — не число.", grade=raw), trigger=CampaignTrigger.EDIT
            )
        grades.append(int(raw))
    subjects = tuple(s.lower() for s in _split(form.subjects.data))
    return services.Settings(
        title=form.title.data or "",
        scope=form.scope.data,
        no_reciprocal=bool(form.no_reciprocal.data),
        second_share=(form.second_percent.data or 0) / 100,
        subjects=subjects,
        grades=tuple(grades),
        experts_deadline=_at_end_of_day(form.experts_deadline.data),
        checking_deadline=_at_end_of_day(form.checking_deadline.data),
        third_check_deadline=_at_end_of_day(form.third_check_deadline.data),
        thresholds=tuple((s, form.threshold.data) for s in subjects),
    )


# -- list and create ----------------------------------------------------------------------------


@bp.route("")
@login_required
def index():
    if not creation_territories(current_user):
        abort(403)
    return render_template(
        "crosscheck/index.html",
        campaigns=queries.campaigns_of(current_user),
        state_labels=STATE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    choices = _territory_choices()
    if not choices:
        abort(403)
    form = CampaignForm()
    form.territory.choices = choices

    def render():
        return render_template("crosscheck/form.html", form=form, campaign=None)

    on_refusal(render)
    if not form.validate_on_submit():
        if request.method == "POST":
            flash(first_error(form), "danger")
        return render()
    region, _, muni = form.territory.data.partition(":")
    campaign = services.create_campaign(
        current_user, int(region), int(muni) if muni else None, _settings(form)
    )
    db.session.commit()
    flash(gettext("Кампания создана. Загрузите списки."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit(campaign_id: int):
    campaign = _campaign(campaign_id)
    if request.method == "GET" and "edit" not in available_triggers(
        CAMPAIGNS, campaign, current_user
    ):
        flash(gettext("Настройки меняются только в черновике."), "warning")
        return redirect(url_for(".show", campaign_id=campaign.id))
    form = CampaignForm(obj=None if request.method == "POST" else campaign)
    place = campaign.municipality.name if campaign.municipality else campaign.region.name
    form.territory.choices = [SelectChoice("-", place)]
    form.territory.data = "-"
    if request.method == "GET":
        s = services.settings_of(campaign)
        form.second_percent.data = round(campaign.second_share * 100)
        form.subjects.data = ";".join(s.subjects)
        form.grades.data = ";".join(str(g) for g in s.grades)
        form.threshold.data = campaign.rules[0].threshold if campaign.rules else form.threshold.data
        form.lock_version.data = campaign.lock_version
        for name in ("experts_deadline", "checking_deadline", "third_check_deadline"):
            value = getattr(campaign, name)
            getattr(form, name).data = value.date() if value else None

    def render():
        return render_template("crosscheck/form.html", form=form, campaign=campaign)

    on_refusal(render)
    if not form.validate_on_submit():
        if request.method == "POST":
            flash(first_error(form), "danger")
        return render()
    version = int(form.lock_version.data) if (form.lock_version.data or "").isdigit() else None
    services.update_campaign(campaign.id, current_user, _settings(form), expected_version=version)
    db.session.commit()
    flash(gettext("Настройки сохранены."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


# -- the campaign page ----------------------------------------------------------------------------


def _page(campaign: CrossCheckCampaign, **extra):
    triggers = available_triggers(CAMPAIGNS, campaign, current_user)
    offered = campaign_workflow.offered_on(Screen.ACTIONS, campaign.state, triggers)
    ctx = build_campaign_context(campaign, current_user)
    return render_template(
        "crosscheck/campaign.html",
        campaign=campaign,
        state_labels=STATE_LABELS,
        scope_labels=SCOPE_LABELS,
        counts=queries.list_counts(campaign.id),
        kinds=lists.KINDS,
        kind_labels=lists.KIND_LABELS,
        lists_open=campaign.state in LIST_STATES and "import_list" in triggers,
        can_edit="edit" in triggers,
        can_assign=campaign.can_fire(CampaignTrigger.ASSIGN, ctx=ctx),
        offered=offered,
        meta=campaign_workflow.meta,
        job=queries.job_of(campaign),
        job_state_labels=JOB_STATE_LABELS,
        upload_form=UploadListForm(),
        rule_form=RuleForm(),
        post_form=PostForm(),
        transition_form=TransitionForm(),
        **extra,
    )


@bp.route("/<int:campaign_id>")
@login_required
def show(campaign_id: int):
    return _page(_campaign(campaign_id))


@bp.route("/<int:campaign_id>/lists/<kind>", methods=["POST"])
@login_required
def upload(campaign_id: int, kind: str):
    campaign = _campaign(campaign_id)
    if kind not in lists.KINDS:
        abort(404)
    form = UploadListForm()
    on_refusal(lambda: _page(_campaign(campaign_id)))
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return _page(campaign), 422
    file = form.file.data
    try:
        with saved_upload(file.stream, file.filename) as path:
            loaded = services.import_list(campaign.id, kind, path, current_user)
    except TabularRejected as exc:
        db.session.rollback()
        name = os.path.basename(file.filename or "")
        problems = [replace(e, file=name).render() for e in exc.errors]
        flash(
            gettext(
                "Файл не загружен, ничего не сохранено (%(count)s ошибок).", count=len(problems)
            ),
            "danger",
        )
        return _page(_campaign(campaign_id), problems=problems, problem_kind=kind), 422
    db.session.commit()
    flash(
        gettext(
            "%(kind)s: загружено строк — %(rows)s.",
            kind=gettext(lists.KIND_LABELS[kind]),
            rows=loaded.rows,
        ),
        "success",
    )
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.route("/templates/<kind>.xlsx")
@login_required
def template(kind: str):
    if kind not in lists.KINDS or not creation_territories(current_user):
        abort(404)
    return _xlsx(
        f"crosscheck-{kind}.xlsx",
        lists.TEMPLATE_HEADERS[kind],
        lists.TEMPLATE_EXAMPLES[kind],
        lists.KIND_LABELS[kind],
    )


@bp.route("/<int:campaign_id>/rules/<int:rule_id>", methods=["POST"])
@login_required
def rule(campaign_id: int, rule_id: int):
    campaign = _campaign(campaign_id)
    form = RuleForm()
    on_refusal(lambda: _page(_campaign(campaign_id)))
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".show", campaign_id=campaign.id))
    marks = [form.mark3.data, form.mark4.data, form.mark5.data]
    scale = None if all(m is None for m in marks) else [m if m is not None else -1 for m in marks]
    try:
        services.update_rule(campaign.id, rule_id, current_user, form.threshold.data, scale)
    except LookupError:
        abort(404)
    db.session.commit()
    flash(gettext("Порог и шкала сохранены."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/assign", methods=["POST"])
@login_required
def assign(campaign_id: int):
    campaign = _campaign(campaign_id)
    if not PostForm().validate_on_submit():
        abort(400)
    on_refusal(lambda: _page(_campaign(campaign_id)))
    job = assignment.start_assignment(campaign.id, current_user)
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/<int:campaign_id>/transition", methods=["POST"])
@login_required
def transition(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".show", campaign_id=campaign.id))
    on_refusal(lambda: _page(_campaign(campaign_id)))
    version = int(form.lock_version.data) if (form.lock_version.data or "").isdigit() else None
    apply_transition(
        CAMPAIGNS,
        campaign.id,
        form.trigger.data,
        actor=current_user,
        comment=form.comment.data or "",
        expected_version=version,
    )
    db.session.commit()
    flash(gettext("Готово."), "success")
    return redirect(url_for(".show", campaign_id=campaign.id))


# -- the assignment's result ------------------------------------------------------------


@bp.route("/<int:campaign_id>/result")
@login_required
def result(campaign_id: int):
    campaign = _campaign(campaign_id)
    loads = queries.expert_loads(campaign.id)
    packages = queries.packages(campaign.id)
    packages.sort(key=lambda p: -(p["first_experts"] + p["second_experts"]))
    summary = campaign.summary or {}
    return render_template(
        "crosscheck/result.html",
        campaign=campaign,
        summary=summary,
        unassigned=summary.get("unassigned", [])[:RESULT_ROWS],
        loads=loads[:RESULT_ROWS],
        heaviest=loads[0] if loads else None,
        packages=packages[:RESULT_ROWS],
        counts={
            "unassigned": len(summary.get("unassigned", [])),
            "loads": len(loads),
            "packages": len(packages),
        },
        limit=RESULT_ROWS,
        state_labels=STATE_LABELS,
    )


@bp.route("/<int:campaign_id>/experts.xlsx")
@login_required
def export_experts(campaign_id: int):
    campaign = _campaign(campaign_id)
    return _xlsx(
        f"crosscheck-{campaign.id}-experts.xlsx",
        queries.EXPERT_LIST_HEADER,
        queries.per_expert_rows(campaign.id),
        "По экспертам",
    )


@bp.route("/<int:campaign_id>/schools.xlsx")
@login_required
def export_schools(campaign_id: int):
    campaign = _campaign(campaign_id)
    return _xlsx(
        f"crosscheck-{campaign.id}-schools.xlsx",
        queries.SCHOOL_LIST_HEADER,
        queries.per_school_rows(campaign.id),
        "По школам",
    )


def _xlsx(name: str, header, rows, title: str):
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, header, rows, title=title)
        stream = open(path, "rb")  # noqa: SIM115 (send_file closes it)
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    return send_file(stream, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)


# -- schools add their own experts ---------------------------------------------------------


def _school_campaigns() -> list[CrossCheckCampaign]:
    ids = [m.school_id for m in current_user.memberships if m.role == "school" and m.school_id]
    if not ids:
        return []
    out = []
    for campaign in db.session.scalars(select(CrossCheckCampaign).order_by(CrossCheckCampaign.id)):
        inside = db.session.scalars(
            select(School.id).where(School.id.in_(ids), territory_schools(campaign)).limit(1)
        ).first()
        if inside is not None:
            out.append(campaign)
    return out


@bp.route("/school", methods=["GET"])
@login_required
def school():
    if not current_user.has_role("school"):
        abort(403)
    return _school_page()


def _school_page():
    campaigns = _school_campaigns()
    rows = []
    for campaign in campaigns:
        triggers = available_triggers(CAMPAIGNS, campaign, current_user)
        rows.append((campaign, "add_expert" in triggers, _expert_form(campaign)))
    return render_template("crosscheck/school.html", rows=rows, state_labels=STATE_LABELS)


def _expert_form(campaign: CrossCheckCampaign) -> SchoolExpertForm:
    form = SchoolExpertForm(prefix=f"c{campaign.id}")
    own = member_school_ids(current_user, campaign)
    form.school_code.choices = [
        SelectChoice(s.code, s.short_name)
        for s in db.session.scalars(select(School).where(School.id.in_(own)).order_by(School.id))
    ]
    return form


@bp.route("/school/<int:campaign_id>/experts", methods=["POST"])
@login_required
def add_expert(campaign_id: int):
    campaign = db.session.get(CrossCheckCampaign, campaign_id)
    if campaign is None or not member_school_ids(current_user, campaign):
        abort(404)
    form = _expert_form(campaign)
    on_refusal(_school_page)
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".school"))
    cells = {
        "school_code": form.school_code.data,
        "full_name": form.full_name.data,
        "email": form.email.data,
        "subjects": form.subjects.data,
        "grades": form.grades.data,
        "capacity": str(form.capacity.data),
    }
    try:
        services.add_school_expert(campaign.id, current_user, cells)
    except TabularRejected as exc:
        db.session.rollback()
        flash(translated_errors(exc.errors, "; ", with_row=False), "danger")
        return redirect(url_for(".school"))
    db.session.commit()
    flash(gettext("Эксперт добавлен."), "success")
    return redirect(url_for(".school"))


# -- the federal operator's season: every region at once ------------------------------------------


@bp.route("/season", methods=["GET", "POST"])
@login_required
def season():
    if not season_runs.can_run_season(current_user):
        abort(403)
    campaigns = season_runs.ready_campaigns(current_user)
    form = PostForm()

    def render():
        return render_template(
            "crosscheck/season.html", campaigns=campaigns, form=form, state_labels=STATE_LABELS
        )

    on_refusal(render)
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        ids = [int(x) for x in request.form.getlist("campaign_id") if x.isdigit()]
        key, _jobs = season_runs.start_season(current_user, ids)
        db.session.commit()  # the group of tasks is published after this commit
        return redirect(url_for(".season_progress", key=key))
    return render()


@bp.route("/season/<key>")
@login_required
def season_progress(key: str):
    if not season_runs.can_run_season(current_user):
        abort(403)
    rows = season_runs.season_rows(key)
    if not rows:
        abort(404)
    return render_template(
        "crosscheck/season_progress.html",
        rows=rows,
        finished=all(r["job"].finished for r in rows),
        job_state_labels=JOB_STATE_LABELS,
    )
