"""Background jobs: state and progress of a job, for the user who started it and the admin.

Reads ``webapp.jobs`` (built in parallel); ``webapp.api.init_api`` registers this blueprint only
when that package is importable.
"""

from __future__ import annotations

from flask import g, jsonify
from flask_smorest import abort

from webapp.api.base import ID, Blueprint, known_id
from webapp.api.schemas import JobOut

bp = Blueprint("api_jobs", __name__, url_prefix="/api/v1/jobs", description="Фоновые задачи")


@bp.get(f"/<{ID}:job_id>")
@bp.authenticated
@bp.response(200, JobOut)
@bp.errors(404)
def get_job(job_id: int):
    """Состояние, прогресс, сообщение и результат задачи."""
    from webapp.jobs.services import job_for, job_json

    job = job_for(g.api_user, known_id(job_id))
    if job is None:
        abort(404)
    return jsonify(job_json(job))  # every key of job_json; the schema documents the stable ones
