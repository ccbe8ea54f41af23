"""Objectivity report pages: chart and table per level; XLSX through the platform's writer."""

from __future__ import annotations

import io
import math
import os
import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from webapp.common.charts import diverging_svg, histogram_svg
from webapp.crosscheck import report as reports
from webapp.crosscheck import report_jobs
from webapp.crosscheck.models import CrossCheckCampaign
from webapp.extensions import db
from webapp.jobs.models import STATE_LABELS
from webapp.jobs.views import REFRESH_SECONDS
from webapp.tabular import write_xlsx

bp = Blueprint("xc_report", __name__, template_folder="templates")
SIGNS_SHOWN = 20
SCHOOLS_PER_PAGE = 50


class RecomputeForm(FlaskForm):
    """Only the CSRF token: «compute again» after a failed report job."""


def level_args() -> dict:
    """``school_id`` / ``municipality_id`` from the query string (bad values: 404)."""
    out = {}
    for name in ("school_id", "municipality_id"):
        raw = request.args.get(name)
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
                abort(404)
            out[name] = int(raw)
    return out


def visible_report(campaign_id: int, args: dict) -> tuple[CrossCheckCampaign, dict]:
    """The campaign and the level the user asked for (or its widest), else 404."""
    campaign = db.session.get(CrossCheckCampaign, campaign_id)
    if campaign is None:
        abort(404)
    if not args:
        args = reports.default_level(current_user, campaign)
        if args is None:
            abort(404)
    if not reports.may_see(current_user, campaign, **args):
        abort(404)
    return campaign, args


@bp.route("/crosschecks/objectivity")
@login_required
def index():
    """The campaigns whose report the user may open, at the widest level it may see."""
    rows = []
    campaigns = db.session.scalars(
        select(CrossCheckCampaign).order_by(CrossCheckCampaign.created_at.desc())
    )
    for campaign in campaigns:
        level = reports.default_level(current_user, campaign)
        if level is not None:
            rows.append((campaign, level))
    return render_template("crosscheck/objectivity_index.html", rows=rows)


def page_arg() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort(404)
    return int(raw)


@bp.route("/crosschecks/<int:campaign_id>/objectivity")
@login_required
def report(campaign_id: int):
    campaign, args = visible_report(campaign_id, level_args())
    page = page_arg()
    view = report_jobs.report_view(campaign, args, current_user)
    db.session.commit()  # a job started here is published after the commit
    context = {
        "campaign": campaign,
        "args": args,
        "view": view,
        "data": view.data,
        "state_labels": STATE_LABELS,
        "refresh_seconds": REFRESH_SECONDS,
        "recompute_form": RecomputeForm(),
    }
    if view.data is None:
        return render_template("crosscheck/objectivity.html", **context)
    data = view.data
    shown = data["signs"][:SIGNS_SHOWN]  # the rest: XLSX and JSON (a page stays light)
    pages = max(1, math.ceil(len(data["schools"]) / SCHOOLS_PER_PAGE))
    if page > pages:
        abort(404)
    charts = [
        (s, histogram_svg(s["histogram"], _bounds(data, s), title=_chart_title(s))) for s in shown
    ]
    differences = [
        (row["school_name"], row["mean_difference"])
        for row in data["schools"]
        if row["mean_difference"] is not None
    ]
    return render_template(
        "crosscheck/objectivity.html",
        **context,
        page=page,
        pages=pages,
        schools=data["schools"][(page - 1) * SCHOOLS_PER_PAGE : page * SCHOOLS_PER_PAGE],
        charts=charts,
        difference_chart=(
            diverging_svg(differences[:60], title=_("Средняя разница баллов школы и перепроверки"))
            if len(differences) > 1
            else None
        ),
        sign_texts=reports.SIGN_TEXTS,
        signs_total=len(data["signs"]),
        direction_texts=reports.DIRECTION_TEXTS,
    )


def _bounds(data: dict, signs: dict) -> dict[int, int]:
    scale = data["scales"].get(f"{signs['subject']}:{signs['grade']}")
    return dict(zip((3, 4, 5), scale, strict=True)) if scale else {}


def _chart_title(s: dict) -> str:
    return _(
        "Распределение первичных баллов: %(school)s, %(subject)s, %(grade)s класс",
        school=s["school_name"],
        subject=s["subject"],
        grade=s["grade"],
    )


EXPORT_HEADER = [
    lazy_gettext("Школа"),
    lazy_gettext("Работ"),
    lazy_gettext("Перепроверено"),
    lazy_gettext("Отметка изменилась, доля"),
    lazy_gettext("Повысилась, доля"),
    lazy_gettext("Понизилась, доля"),
    lazy_gettext("Средняя разница (школа − перепроверка)"),
    lazy_gettext("95 % интервал: от"),
    lazy_gettext("95 % интервал: до"),
    lazy_gettext("Направление"),
    lazy_gettext("Признаки, требующие анализа"),
]


def _pct(value):
    return None if value is None else round(value, 4)


def export_rows(data: dict):
    for row in data["schools"]:
        yield [
            row["school_name"],
            row["works"],
            row["rechecked"],
            _pct(row["changed_share"]),
            _pct(row["up_share"]),
            _pct(row["down_share"]),
            None if row["mean_difference"] is None else round(row["mean_difference"], 3),
            None if row["ci_low"] is None else round(row["ci_low"], 3),
            None if row["ci_high"] is None else round(row["ci_high"], 3),
            _(reports.DIRECTION_TEXTS[row["direction"]]),
            "; ".join(sign_label(code) for code in row["signs"]),
        ]
    yield [_(reports.CAVEAT)]


def sign_label(code: str) -> str:
    """``peak_3:math:5`` → «пик сразу над границей отметки «3» (math, 5 класс)», in the current
    language."""
    kind, _sep, rest = code.partition(":")
    subject, _sep, grade = rest.partition(":")
    sign = _(reports.SIGN_TEXTS[kind]) if kind in reports.SIGN_TEXTS else kind
    return _("%(sign)s (%(subject)s, %(grade)s класс)", sign=sign, subject=subject, grade=grade)


@bp.route("/crosschecks/<int:campaign_id>/objectivity/progress")
@login_required
def progress(campaign_id: int):
    """The level's report job progress fragment (polled by the page; same access as it)."""
    campaign, args = visible_report(campaign_id, level_args())
    view = report_jobs.report_view(campaign, args, current_user, start=False)
    if view.job is None:  # finished and stored: the poller reloads the page
        return render_template("crosscheck/_objectivity_ready.html")
    return render_template(
        "jobs/_progress.html", job=view.job, state_labels=STATE_LABELS, can_cancel=False
    )


@bp.route("/crosschecks/<int:campaign_id>/objectivity/recompute", methods=["POST"])
@login_required
def recompute(campaign_id: int):
    """Start the level's report job again after it failed (the page offers it then)."""
    campaign, args = visible_report(campaign_id, level_args())
    if not RecomputeForm().validate_on_submit():
        abort(400)
    view = report_jobs.report_view(campaign, args, current_user, start=False)
    if not view.fresh and not view.waiting:
        report_jobs.start_report(campaign, args, current_user)
        db.session.commit()
    return redirect(url_for("xc_report.report", campaign_id=campaign.id, **args))


@bp.route("/crosschecks/<int:campaign_id>/objectivity.xlsx")
@login_required
def export(campaign_id: int):
    campaign, args = visible_report(campaign_id, level_args())
    view = report_jobs.report_view(campaign, args, current_user)
    db.session.commit()
    if not view.fresh:
        flash(_("Отчёт ещё готовится: скачайте его, когда он будет готов."), "info")
        return redirect(url_for("xc_report.report", campaign_id=campaign.id, **args))
    data = view.data
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(
            path, [str(h) for h in EXPORT_HEADER], export_rows(data), title=_("Объективность")
        )
        content = Path(path).read_bytes()  # one row per school: small
    finally:
        os.unlink(path)
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"objectivity-{campaign.id}.xlsx",
        max_age=0,
    )
