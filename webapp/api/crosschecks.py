"""ВПР cross-check campaigns (issue 9 §9): create, load the lists, run the assignment, read.

``POST /api/v1/crosschecks`` → 201 ``{"id"}``; ``POST /api/v1/crosschecks/<id>/tasks|works|
experts`` (multipart ``file``) → 200 ``{"rows"}`` or 422 ``{"errors": [{"row", "column",
"message"}]}`` with nothing stored; ``POST /api/v1/crosschecks/<id>/assignment`` → 202
``{"job_id"}`` (follow it at ``GET /api/v1/jobs/<id>``); ``GET /api/v1/crosschecks/<id>``.
A campaign outside the caller's coordination is 404; a state that does not allow the action
is 409 (the workflow's handler).
"""

from __future__ import annotations

from flask import g, jsonify
from flask_babel import gettext
from flask_smorest import abort
from marshmallow import fields, validate

from webapp.api.base import ID, Blueprint, known_id
from webapp.api.schemas import Base, UploadForm
from webapp.crosscheck import assignment, services
from webapp.crosscheck.files import errors_json, saved_upload
from webapp.crosscheck.lists import KINDS
from webapp.crosscheck.models import CrossCheckCampaign
from webapp.crosscheck.permissions import creation_territories
from webapp.crosscheck.queries import campaign_for, campaign_json
from webapp.extensions import db
from webapp.tabular import TabularRejected
from workflows.crosscheck_campaign import Scope

bp = Blueprint(
    "api_crosschecks",
    __name__,
    url_prefix="/api/v1/crosschecks",
    description="Перекрёстная проверка ВПР: кампании, списки, распределение",
)


class ThresholdIn(Base):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=32))
    threshold = fields.Integer(required=True, validate=validate.Range(min=0, max=100))


class CampaignIn(Base):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    region_id = fields.Integer(load_default=None)
    municipality_id = fields.Integer(load_default=None)
    scope = fields.String(
        load_default=Scope.ANY.value, validate=validate.OneOf([s.value for s in Scope])
    )
    no_reciprocal = fields.Boolean(load_default=False)
    second_share = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1))
    subjects = fields.List(
        fields.String(validate=validate.Length(min=1, max=32)),
        required=True,
        validate=validate.Length(min=1, max=30),
    )
    grades = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=7))
    thresholds = fields.List(fields.Nested(ThresholdIn), load_default=list)
    experts_deadline = fields.AwareDateTime(load_default=None)
    checking_deadline = fields.AwareDateTime(load_default=None)
    third_check_deadline = fields.AwareDateTime(load_default=None)


class Created(Base):
    id = fields.Integer()


class Rows(Base):
    rows = fields.Integer()


class JobStarted(Base):
    job_id = fields.Integer()


@bp.post("")
@bp.authenticated
@bp.arguments(CampaignIn)
@bp.response(201, Created)
@bp.errors(403, 422)
def create(body: dict) -> dict:
    """Создать кампанию (черновик) для своего региона или муниципалитета."""
    territories = creation_territories(g.api_user)
    if not territories:
        abort(403, message=gettext("Кампанию создаёт региональный или муниципальный координатор."))
    region_id, municipality_id = body["region_id"], body["municipality_id"]
    if region_id is None:  # one territory: it is implied
        if len(territories) != 1:
            abort(
                422,
                message=gettext(
                    "Укажите region_id (и municipality_id для муниципальной кампании)."
                ),
            )
        region_id, municipality_id = territories[0].region_id, territories[0].municipality_id
    settings = services.Settings(
        title=body["title"],
        scope=body["scope"],
        no_reciprocal=body["no_reciprocal"],
        second_share=body["second_share"],
        subjects=tuple(s.strip().lower() for s in body["subjects"]),
        grades=tuple(body["grades"]),
        experts_deadline=body["experts_deadline"],
        checking_deadline=body["checking_deadline"],
        third_check_deadline=body["third_check_deadline"],
        thresholds=tuple(
            (t["subject"].strip().lower(), t["threshold"]) for t in body["thresholds"]
        ),
    )
    campaign = services.create_campaign(g.api_user, region_id, municipality_id, settings)
    db.session.commit()
    return {"id": campaign.id}


@bp.get(f"/<{ID}:campaign_id>")
@bp.authenticated
@bp.response(200)
@bp.errors(404)
def read(campaign_id: int):
    """Состояние, списки, итоги распределения и нераспределённые работы с причинами."""
    return jsonify(campaign_json(_campaign_or_404(campaign_id)))


def _load(campaign_id: int, kind: str, files: dict):
    campaign = _campaign_or_404(campaign_id)
    file = files["file"]
    try:
        with saved_upload(file.stream, file.filename) as path:
            loaded = services.import_list(campaign.id, kind, path, g.api_user)
    except TabularRejected as exc:
        db.session.rollback()
        return jsonify({"errors": errors_json(exc)}), 422
    db.session.commit()
    return jsonify({"rows": loaded.rows})


def _loader(kind: str):
    def view(files: dict, campaign_id: int):
        return _load(campaign_id, kind, files)

    view.__name__ = f"load_{kind}"
    view.__doc__ = f"Загрузить список «{kind}» (CSV или XLSX в поле формы «file»)."
    return view


for _kind in KINDS:
    bp.post(f"/<{ID}:campaign_id>/{_kind}")(
        bp.authenticated(
            bp.arguments(UploadForm, location="files")(
                bp.response(200, Rows)(bp.errors(404, 409, 413, 422)(_loader(_kind)))
            )
        )
    )


@bp.post(f"/<{ID}:campaign_id>/assignment")
@bp.authenticated
@bp.response(202, JobStarted)
@bp.errors(404, 409, 422)
def start_assignment(campaign_id: int) -> dict:
    """Запустить распределение (фоновая задача; ход — GET /api/v1/jobs/<job_id>)."""
    campaign = _campaign_or_404(campaign_id)
    job = assignment.start_assignment(campaign.id, g.api_user)
    db.session.commit()  # the job's task is published after this commit
    return {"job_id": job.id}


def _campaign_or_404(campaign_id: int) -> CrossCheckCampaign:
    campaign = campaign_for(g.api_user, known_id(campaign_id))
    if campaign is None:
        abort(404)
    return campaign
