"""Follow-up screens: the coordinator's follow-up page and both XLSX exports (platform writer)."""

from __future__ import annotations

import io
import os
import tempfile

from flask import Blueprint, abort, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.auth.permissions import can_see_overview, can_see_queue
from webapp.campaigns.services import current_campaign
from webapp.overview import followup
from webapp.tabular import write_xlsx
from workflows.document import STATE_LABELS, DocumentState

bp = Blueprint("followup", __name__, template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign():
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/overview/followup")
@login_required
def index():
    if not can_see_overview(current_user):
        abort(403)
    campaign = _campaign()
    return render_template(
        "overview/followup.html",
        campaign=campaign,
        overdue=followup.due_rows(current_user, campaign, overdue_only=True)[:500],
        municipalities=followup.shares_by_municipality(current_user, campaign),
        curators=followup.shares_by_curator(current_user, campaign),
        silent=followup.silent_schools(current_user, campaign),
        state_labels=STATE_LABELS,
    )


def _when(value) -> str:
    return value.strftime("%d.%m.%Y %H:%M") if value else ""


def _state(code: str) -> str:
    return _(STATE_LABELS[DocumentState(code)])


@bp.route("/overview/followup.xlsx")
@login_required
def export():
    if not can_see_overview(current_user):
        abort(403)
    campaign = _campaign()
    header = [
        _("Муниципалитет"),
        _("Школа"),
        _("Документ"),
        _("Состояние"),
        _("Срок (UTC)"),
        _("Просрочен"),
    ]
    rows = (
        [
            r.municipality,
            r.school,
            r.title,
            _state(r.state),
            _when(r.due),
            _("да") if r.overdue else _("нет"),
        ]
        for r in followup.due_rows(current_user, campaign)
    )
    return _xlsx(header, rows, _("Сроки"), f"followup-{campaign.year}.xlsx")


@bp.route("/queue.xlsx")
@login_required
def queue_export():
    if not can_see_queue(current_user):
        abort(403)
    campaign = _campaign()
    header = [
        _("Муниципалитет"),
        _("Школа"),
        _("Документов"),
        _("Отправлено"),
        _("Утверждено"),
        _("Ничего не отправлено"),
    ]
    rows = (
        [
            s.municipality,
            s.school,
            s.documents,
            s.submitted,
            s.done,
            _("да") if s.nothing_submitted else _("нет"),
        ]
        for s in followup.curated_statuses(current_user.id, campaign.id)
    )
    return _xlsx(header, rows, _("Мои школы"), f"my-schools-{campaign.year}.xlsx")


def _xlsx(header, rows, title: str, filename: str):
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(path, header, rows, title=title[:31])
        with open(path, "rb") as fh:
            data = io.BytesIO(fh.read())
    finally:
        os.unlink(path)
    return send_file(data, mimetype=XLSX, as_attachment=True, download_name=filename, max_age=0)
