"""The report jobs: start them (views) and do their work (``tasks/jobs.py`` runs it).

Every report but the one-document PDF conclusion runs as a job: the file is written under the
job's folder (``webapp/jobs/files.py``) with a generated name, the name and the download name
go into ``job.result``. The work re-checks the starter's scope when it runs, so a role taken
away between the click and the run is honoured.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext
from sqlalchemy import select

from webapp.auth.models import User
from webapp.campaigns.models import Campaign
from webapp.campaigns.services import current_campaign
from webapp.common.time import utcnow, zone
from webapp.extensions import db
from webapp.jobs import kinds
from webapp.jobs.errors import JobInputError
from webapp.jobs.files import save_result_file
from webapp.jobs.progress import Progress
from webapp.jobs.services import create_job
from webapp.orgs.models import Region
from webapp.reports import registers, scope, wordfile
from webapp.reports.regional import build_context

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KIND_OF_REGISTER = {
    "documents": kinds.REPORT_DOCUMENTS,
    "measures": kinds.REPORT_MEASURES,
    "roadmap": kinds.REPORT_ROADMAP,
}
FILE_NAMES = {
    "documents": "Реестр документов",
    "measures": "Реестр мероприятий",
    "roadmap": "Реестр дорожных карт",
}
NO_ACCESS = lazy_gettext("Нет доступа к этому отчёту.")
TEMPLATE_BROKEN = lazy_gettext(
    "Шаблон отчёта не удалось заполнить. Загрузите исправленный шаблон или верните шаблон по "
    "умолчанию."
)


def _campaign_id() -> int | None:
    campaign = (
        current_campaign()
        or db.session.scalars(select(Campaign).order_by(Campaign.year.desc())).first()
    )
    return campaign.id if campaign else None


def start_register(user: User, register: str):
    """Queue a register export for ``user``; the caller commits."""
    params = {"user_id": user.id, "register": register, "campaign_id": _campaign_id()}
    return create_job(KIND_OF_REGISTER[register], params, started_by_id=user.id)


def start_regional(user: User, region_id: int):
    """Queue the region's analytical report; the caller commits."""
    params = {"user_id": user.id, "region_id": region_id, "campaign_id": _campaign_id()}
    return create_job(kinds.REPORT_REGIONAL, params, started_by_id=user.id)


def _starter(params: dict) -> User:
    user = db.session.get(User, params.get("user_id") or 0)
    if user is None or not user.active:
        raise JobInputError(NO_ACCESS)
    return user


def run_register(job_id: int, params: dict, progress: Progress) -> dict:
    """Write one XLSX register for the job's starter."""
    user = _starter(params)
    code = params.get("register")
    if code not in registers.REGISTERS or not scope.can_export_registers(user):
        raise JobInputError(NO_ACCESS)
    progress("load", 0.02)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.xlsx"
        rows = registers.write_register(code, user, params.get("campaign_id"), path, progress)
        progress("save", 0.97)
        name = save_result_file(job_id, path.read_bytes(), ".xlsx")
    stamp = _stamp(user)
    return {"file": name, "filename": f"{FILE_NAMES[code]} {stamp}.xlsx", "mime": XLSX_MIME,
            "rows": rows}  # fmt: skip


def run_regional(job_id: int, params: dict, progress: Progress) -> dict:
    """Build the region's analytical report (DOCX) from the active template."""
    user = _starter(params)
    region_id = params.get("region_id")
    if not isinstance(region_id, int) or not scope.can_build_regional_report(user, region_id):
        raise JobInputError(NO_ACCESS)
    region = db.session.get(Region, region_id)
    progress("load", 0.05)
    today = utcnow().astimezone(zone(region.time_zone)).date()
    context = build_context(region_id, params.get("campaign_id"), today=today, progress=progress)
    progress("report", 0.9)
    try:
        data = wordfile.render(context)
    except Exception as exc:
        raise JobInputError(TEMPLATE_BROKEN) from exc
    progress("save", 0.97)
    name = save_result_file(job_id, data, ".docx")
    return {"file": name, "filename": f"Аналитическая справка {region.name} {_stamp(user)}.docx",
            "mime": DOCX_MIME, "schools": context["participants"]["schools_500plus"]}  # fmt: skip


def _stamp(user: User) -> str:
    return datetime.now(zone(user.time_zone)).strftime("%Y-%m-%d")
