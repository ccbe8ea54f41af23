"""The ВПР expert's works and score entry, and the objectivity report as JSON.

``GET /api/v1/expert/works``: the caller's live score sheets, by participant code only (a third
check also carries the school's and the earlier checkers' points; first and second checks never
do). ``PUT /api/v1/expert/works/<id>/scores``: ``{"points": [...], "submit": false}`` through the
score sheet workflow (start on the first save, submit when asked). Another expert's sheet: 404.
``GET /api/v1/crosschecks/<id>/report?school_id=&municipality_id=``: the report the caller may see
(200); a level too large to compute in the request answers 202 with its job's progress until the
job has stored it (``webapp/crosscheck/report_jobs.py``): ask the same URL again.
"""

from __future__ import annotations

from flask import g, jsonify
from flask_babel import lazy_gettext
from flask_smorest import abort
from marshmallow import fields, validate
from sqlalchemy.orm import joinedload

from webapp.api.base import ID, Blueprint, known_id
from webapp.api.schemas import Base, _id
from webapp.crosscheck import experts, report_jobs, sheets
from webapp.crosscheck import report as reports
from webapp.crosscheck.models import CrossCheckCampaign, ScoreSheet
from webapp.crosscheck.permissions import coordinates_campaign
from webapp.extensions import db
from workflows.score_sheet import SheetRole, SheetState

bp = Blueprint(
    "api_expert_works",
    __name__,
    url_prefix="/api/v1",
    description="Перекрёстная проверка ВПР: работы эксперта, баллы, отчёт об объективности",
)
MAX_TASKS = 100


class EarlierOut(Base):
    role = fields.String(metadata={"enum": ["school", "first", "second"]})
    points = fields.List(fields.Integer())


class ExpertWorkOut(Base):
    id = fields.Integer()
    participant_code = fields.String()
    subject = fields.String()
    grade = fields.Integer()
    role = fields.String(metadata={"enum": [r.value for r in SheetRole]})
    state = fields.String(metadata={"enum": [s.value for s in SheetState]})
    max_points = fields.List(fields.Integer())
    points = fields.List(fields.Integer(allow_none=True), allow_none=True)
    lock_version = fields.Integer()
    earlier_scores = fields.List(
        fields.Nested(EarlierOut),
        metadata={"description": "Только для третьей проверки: баллы школы и прежних проверок"},
    )


class ExpertWorkList(Base):
    items = fields.List(fields.Nested(ExpertWorkOut), required=True)
    total = fields.Integer(required=True)


class ScoresIn(Base):
    points = fields.List(
        fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1000)),
        required=True,
        validate=validate.Length(max=MAX_TASKS, error=lazy_gettext("Не больше {max} заданий.")),
    )
    submit = fields.Boolean(load_default=False)
    lock_version = fields.Integer(allow_none=True)


class ReportQuery(Base):
    school_id = _id()
    municipality_id = _id()


class ReportPending(Base):
    job_id = fields.Integer(allow_none=True)
    state = fields.String(allow_none=True)
    progress = fields.Integer()
    error = fields.String(allow_none=True)


class ReportOut(Base):
    level = fields.String(metadata={"enum": ["school", "municipality", "region"]})
    campaign_id = fields.Integer()
    school_id = fields.Integer(allow_none=True)
    municipality_id = fields.Integer(allow_none=True)
    summary = fields.Dict()
    subjects = fields.List(fields.Dict())
    schools = fields.List(fields.Dict())
    signs = fields.List(fields.Dict())
    scales = fields.Dict()
    caveat = fields.String()


class InvitationsOut(Base):
    invited = fields.Integer(
        metadata={"description": "Новые учётные записи, отправлено приглашение"}
    )
    role_added = fields.Integer(metadata={"description": "Существующим добавлена роль эксперта"})
    linked = fields.Integer(metadata={"description": "Уже были связаны с учётной записью"})


def work_json(sheet: ScoreSheet, maxima: dict | None = None) -> dict:
    work = sheet.work
    maxima = {} if maxima is None else maxima
    key = (sheet.campaign_id, work.subject, work.grade)
    if key not in maxima:
        maxima[key] = sheets.max_points(*key)
    out = {
        "id": sheet.id,
        "participant_code": work.participant_code,
        "subject": work.subject,
        "grade": work.grade,
        "role": sheet.role,
        "state": sheet.state,
        "max_points": maxima[key],
        "points": sheet.points,
        "lock_version": sheet.lock_version,
    }
    if sheet.role == SheetRole.THIRD:
        out["earlier_scores"] = sheets.earlier_scores(sheet)
    return out


@bp.get("/expert/works")
@bp.authenticated
@bp.response(200, ExpertWorkList)
def list_works() -> dict:
    """Работы, назначенные вызывающему эксперту (только коды участников)."""
    stmt = (
        sheets.expert_sheets_query(g.api_user)
        .options(joinedload(ScoreSheet.work))
        .order_by(ScoreSheet.id)
    )
    maxima: dict = {}  # one query per subject and grade, not per work
    items = [work_json(s, maxima) for s in db.session.scalars(stmt)]
    return {"items": items, "total": len(items)}


def _own_sheet(sheet_id: int) -> ScoreSheet:
    sheet = sheets.sheet_for_expert(g.api_user, known_id(sheet_id))
    if sheet is None:
        abort(404)
    return sheet


@bp.put(f"/expert/works/<{ID}:sheet_id>/scores")
@bp.authenticated
@bp.arguments(ScoresIn)
@bp.response(200, ExpertWorkOut)
@bp.errors(403, 404, 409, 422)
def put_scores(body: dict, sheet_id: int) -> dict:
    """Сохранить баллы по заданиям (пустые — null); с ``submit: true`` — отправить."""
    _own_sheet(sheet_id)
    if body["submit"]:
        sheets.submit_points(
            sheet_id, body["points"], actor=g.api_user, expected_version=body.get("lock_version")
        )
    else:
        sheets.save_points(
            sheet_id, body["points"], actor=g.api_user, expected_version=body.get("lock_version")
        )
    db.session.commit()
    db.session.expire_all()
    return work_json(_own_sheet(sheet_id))


@bp.get(f"/crosschecks/<{ID}:campaign_id>/report")
@bp.authenticated
@bp.arguments(ReportQuery, location="query")
@bp.response(200, ReportOut)
@bp.alt_response(202, schema=ReportPending, description="Отчёт рассчитывается заданием")
@bp.errors(404)
def get_report(query: dict, campaign_id: int) -> dict:
    """Отчёт об объективности: школы, муниципалитета или всей кампании (по правам)."""
    campaign = db.session.get(CrossCheckCampaign, known_id(campaign_id))
    if campaign is None:
        abort(404)
    args = {k: query[k] for k in ("school_id", "municipality_id") if k in query}
    if not args:
        args = reports.default_level(g.api_user, campaign)
    if args is None or not reports.may_see(g.api_user, campaign, **args):
        abort(404)
    view = report_jobs.report_view(campaign, args, g.api_user)
    db.session.commit()  # a report job started here is published after the commit
    if view.fresh:
        return view.data
    job = view.job  # a large level still being computed: ask again later
    response = jsonify(
        {
            "job_id": job.id if job else None,
            "state": job.state if job else None,
            "progress": job.progress if job else 0,
            "error": job.error if job else None,
        }
    )
    response.status_code = 202
    return response


@bp.post(f"/crosschecks/<{ID}:campaign_id>/experts/invitations")
@bp.authenticated
@bp.response(200, InvitationsOut)
@bp.errors(404)
def post_invitations(campaign_id: int) -> dict:
    """Связать экспертов списка с учётными записями; новым — письмо-приглашение."""
    campaign = db.session.get(CrossCheckCampaign, known_id(campaign_id))
    if campaign is None or not coordinates_campaign(g.api_user, campaign):
        abort(404)
    result = experts.invite_experts(campaign)
    db.session.commit()
    return {"invited": result.invited, "role_added": result.role_added, "linked": result.linked}
