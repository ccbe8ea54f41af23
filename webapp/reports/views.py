"""«Отчёты»: what the user may export, the report jobs' downloads, the template, the PDF conclusion.

Registers and the regional report run as jobs (their page shows the progress and the download);
the PDF conclusion of one document is small and is built in the request.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.documents.queries import document_or_404
from webapp.documents.uploads import content_disposition
from webapp.extensions import db
from webapp.jobs import services as job_services
from webapp.jobs.files import result_file
from webapp.jobs.kinds import KIND_LABELS, REPORT_KINDS
from webapp.jobs.models import STATE_LABELS, Job
from webapp.reports import jobs, scope, wordfile
from webapp.reports.conclusion import conclusion_pdf, finished_review
from webapp.reports.forms import RegionalForm, StartForm, TemplateForm
from webapp.reports.registers import REGISTERS

bp = Blueprint("reports", __name__, template_folder="templates")

RECENT = 10


@bp.app_template_global()
def may_download_conclusion(document) -> bool:
    """For the document page: the PDF conclusion link is shown to those who may download it."""
    return scope.can_download_conclusion(current_user, document)


def _private(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/reports")
@login_required
def index():
    regions = scope.report_regions(current_user)
    if not regions and not scope.can_export_registers(current_user):
        abort(403)
    form = RegionalForm()
    form.region.choices = [(r.id, r.name) for r in regions]
    return render_template(
        "reports/index.html",
        registers=REGISTERS.values() if scope.can_export_registers(current_user) else [],
        regions=regions,
        regional_form=form,
        start_form=StartForm(),
        recent=_recent_jobs(),
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
        may_manage_template=scope.can_manage_template(current_user),
        custom_template=wordfile.custom_template() is not None,
    )


def _recent_jobs() -> list[Job]:
    stmt = (
        select(Job)
        .where(Job.started_by_id == current_user.id, Job.kind.in_(REPORT_KINDS))
        .order_by(Job.id.desc())
        .limit(RECENT)
    )
    return list(db.session.scalars(stmt))


@bp.route("/reports/registers/<code>", methods=["POST"])
@login_required
def start_register(code: str):
    if code not in REGISTERS:
        abort(404)
    if not scope.can_export_registers(current_user):
        abort(403)
    if not StartForm().validate_on_submit():
        abort(400)
    job = jobs.start_register(current_user, code)
    db.session.commit()  # the task is published after this commit
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/reports/regional", methods=["POST"])
@login_required
def start_regional():
    regions = scope.report_regions(current_user)
    if not regions:
        abort(403)
    form = RegionalForm()
    form.region.choices = [(r.id, r.name) for r in regions]
    if not form.validate_on_submit():
        abort(404)  # a region outside the user's scope is not a choice: not revealed
    job = jobs.start_regional(current_user, form.region.data)
    db.session.commit()
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/reports/jobs/<int:job_id>/file")
@login_required
def download(job_id: int):
    job = job_services.job_for(current_user, job_id)
    if job is None or job.kind not in REPORT_KINDS:
        abort(404)
    result = job.result or {}
    path = result_file(job.id, result.get("file", "")) if job.state == "succeeded" else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=result.get("mime"), conditional=True)
    response.headers["Content-Disposition"] = content_disposition(result["filename"], False)
    return _private(response)


@bp.route("/reports/template", methods=["GET", "POST"])
@login_required
def template():
    if not scope.can_manage_template(current_user):
        abort(403)
    form = TemplateForm()
    status = 200
    if form.validate_on_submit():
        try:
            wordfile.install_template(form.file.data.stream, form.file.data.filename)
        except wordfile.TemplateRefused as exc:
            flash(gettext("Шаблон не принят: %(reason)s", reason=exc), "danger")
            status = 422
        else:
            flash(gettext("Новый шаблон аналитической справки сохранён."), "success")
            return redirect(url_for(".template"))
    elif form.is_submitted():
        status = 422
    return render_template(
        "reports/template.html",
        form=form,
        reset_form=StartForm(),
        custom_template=wordfile.custom_template() is not None,
    ), status


@bp.route("/reports/template/reset", methods=["POST"])
@login_required
def reset_template():
    if not scope.can_manage_template(current_user):
        abort(403)
    if not StartForm().validate_on_submit():
        abort(400)
    wordfile.reset_template()
    flash(gettext("Восстановлен шаблон по умолчанию."), "info")
    return redirect(url_for(".template"))


@bp.route("/reports/template.docx")
@login_required
def template_file():
    if not (scope.report_regions(current_user) or scope.can_manage_template(current_user)):
        abort(403)
    response = send_file(wordfile.active_template(), mimetype=jobs.DOCX_MIME, max_age=0)
    name = gettext("Шаблон аналитической справки.docx")
    response.headers["Content-Disposition"] = content_disposition(name, False)
    return _private(response)


@bp.route("/documents/<int:document_id>/conclusion.pdf")
@login_required
def conclusion(document_id: int):
    document = document_or_404(current_user, document_id)
    if not scope.can_download_conclusion(current_user, document):
        abort(403)
    review = finished_review(document)
    if review is None:
        abort(404)
    data = conclusion_pdf(document, review)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", max_age=0)
    name = gettext("Заключение %(id)s.pdf", id=document.id)
    response.headers["Content-Disposition"] = content_disposition(name, True)
    return _private(response)
