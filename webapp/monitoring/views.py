"""Monitoring screens: the school's measures, a measure's report and check, the checker's queue."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from webapp.auth.models import RoleCode
from webapp.common.forms import first_error
from webapp.documents.services import upload_dir
from webapp.documents.uploads import UploadRejected, content_disposition, resolve_stored
from webapp.extensions import db
from webapp.monitoring import queries, services, table
from webapp.monitoring.forms import ImportForm, MeasureForm, ReportForm, TransitionForm
from webapp.monitoring.permissions import may_report
from webapp.monitoring.workflow import EVIDENCE_CHECKS
from webapp.tabular.errors import TabularRejected
from webapp.workflow.errors import on_refusal
from webapp.workflow.service import judge_triggers
from workflows.evidence_check import (
    EDITABLE_STATES,
    NEXT_STEP,
    STATE_LABELS,
    EvidenceState,
    evidence_workflow,
)
from workflows.machine import Screen

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring", template_folder="templates")

COMMENT_REQUIRED = {
    t
    for t in evidence_workflow.triggers()
    if any(
        evidence_workflow.guards[c].on_input
        for row in evidence_workflow.table
        if str(row["trigger"]) == t
        for c in row.get("conditions", [])
    )
}


def _labels() -> dict:
    return {
        "state_labels": STATE_LABELS,
        "next_step": NEXT_STEP,
        "trigger_meta": evidence_workflow.meta,
        "comment_required": COMMENT_REQUIRED,
    }


@bp.route("/")
@login_required
def index():
    """The school's list for a school member, otherwise the checker's queue."""
    schools = [m.school_id for m in current_user.memberships if m.role == RoleCode.SCHOOL]
    if schools:
        return redirect(url_for(".school", school_id=schools[0]))
    return redirect(url_for(".queue"))


@bp.route("/schools/<int:school_id>")
@login_required
def school(school_id: int):
    school = queries.school_or_404(current_user, school_id)
    return render_template(
        "monitoring/school.html",
        school=school,
        measures=queries.school_measures(school.id),
        own=may_report(current_user, school.id),
        **_labels(),
    )


def _measure_form(school_id: int) -> MeasureForm:
    form = MeasureForm()
    form.document_id.choices = [(0, "—")] + [
        (d.id, d.title) for d in queries.school_programmes(school_id)
    ]
    return form


@bp.route("/schools/<int:school_id>/measures/new", methods=["GET", "POST"])
@login_required
def new_measure(school_id: int):
    school = queries.school_or_404(current_user, school_id)
    if not may_report(current_user, school.id):
        abort(403)
    form = _measure_form(school.id)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in services.FIELD_LABELS}
        fields["deadline"] = form.deadline.data
        fields["target_value"] = float(form.target_value.data)
        fields["document_id"] = form.document_id.data or None
        try:
            measure = services.create_measure(school.id, fields, actor=current_user)
        except services.MonitoringRefused as exc:
            db.session.rollback()
            flash(gettext(exc.message), "danger")
        else:
            db.session.commit()
            flash(gettext("Мероприятие добавлено."), "success")
            return redirect(url_for(".detail", measure_id=measure.id))
    elif form.is_submitted():
        flash(first_error(form), "danger")
    status = 422 if form.is_submitted() else 200
    return render_template("monitoring/new_measure.html", school=school, form=form), status


@bp.route("/measures/<int:measure_id>")
@login_required
def detail(measure_id: int):
    measure = queries.measure_or_404(current_user, measure_id)
    check = measure.check
    available, blocked = judge_triggers(EVIDENCE_CHECKS, check, current_user)
    triggers = evidence_workflow.offered_on(Screen.ACTIONS, check.state, available)
    editable = may_report(current_user, measure.school_id) and check.state in EDITABLE_STATES
    return render_template(
        "monitoring/measure.html",
        measure=measure,
        check=check,
        triggers=triggers,
        blocked=blocked,
        report_form=ReportForm(actual_value=check.actual_value) if editable else None,
        **_labels(),
    )


@bp.route("/measures/<int:measure_id>/report", methods=["POST"])
@login_required
def report(measure_id: int):
    measure = queries.measure_or_404(current_user, measure_id)
    if not may_report(current_user, measure.school_id):
        abort(403)
    form = ReportForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".detail", measure_id=measure.id))
    file = form.file.data
    has_file = file is not None and getattr(file, "filename", "")
    value = form.actual_value.data
    try:
        services.save_report(
            measure.check.id,
            actor=current_user,
            actual_value=None if value is None else float(value),
            stream=file.stream if has_file else None,
            filename=file.filename if has_file else None,
            expected_version=form.lock_version.data,
        )
        db.session.commit()
    except (UploadRejected, services.MonitoringRefused) as exc:
        db.session.rollback()
        flash(gettext(exc.message), "danger")
    else:
        flash(gettext("Отчёт сохранён."), "success")
    return redirect(url_for(".detail", measure_id=measure.id))


@bp.route("/measures/<int:measure_id>/transitions", methods=["POST"])
@login_required
def transition(measure_id: int):
    measure = queries.measure_or_404(current_user, measure_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".detail", measure_id=measure.id))
    on_refusal(lambda: detail(measure.id))
    services.apply_transition(
        measure.check.id,
        form.trigger.data,
        actor=current_user,
        comment=form.comment.data or "",
        expected_version=form.lock_version.data,
    )
    db.session.commit()
    state = STATE_LABELS[EvidenceState(measure.check.state)]
    flash(gettext("Готово. Состояние отчёта: «%(state)s».", state=gettext(state)), "success")
    return redirect(url_for(".detail", measure_id=measure.id))


@bp.route("/measures/<int:measure_id>/files/<int:number>")
@login_required
def download(measure_id: int, number: int):
    measure = queries.measure_or_404(current_user, measure_id)
    row = queries.file_or_404(measure, number)
    response = send_file(
        resolve_stored(upload_dir(), row.stored_name), mimetype=row.mime, conditional=True
    )
    name = row.original_name
    if not name.lower().endswith(f".{row.kind}"):
        name = f"{name}.{row.kind}"
    response.headers["Content-Disposition"] = content_disposition(name, False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/queue")
@login_required
def queue():
    """Reports waiting for this checker (curator of the school or its municipal coordinator)."""
    if not (current_user.has_role(RoleCode.CURATOR, RoleCode.MUNICIPAL_COORDINATOR)):
        abort(403)
    return render_template(
        "monitoring/queue.html", measures=queries.check_queue(current_user), **_labels()
    )


@bp.route("/schools/<int:school_id>/import", methods=["GET", "POST"])
@login_required
def import_measures(school_id: int):
    school = queries.school_or_404(current_user, school_id)
    if not may_report(current_user, school.id):
        abort(403)
    form = ImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            count = table.import_measures(
                school.id, upload.stream, upload.filename, actor=current_user
            )
        except TabularRejected as exc:
            db.session.rollback()
            problems = [e.render() for e in exc.errors]
        except services.MonitoringRefused as exc:
            db.session.rollback()
            problems = [exc.message]
        else:
            db.session.commit()
            flash(gettext("Загружено мероприятий: %(count)s.", count=count), "success")
            return redirect(url_for(".school", school_id=school.id))
    elif form.is_submitted():
        problems = [first_error(form)]
    status = 422 if problems else 200
    return render_template(
        "monitoring/import.html", school=school, form=form, problems=problems
    ), status


@bp.route("/template.xlsx")
@login_required
def template():
    """The empty table with one example row (through the platform's writer)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        table.write_template(Path(path))
        data = Path(path).read_bytes()
    finally:
        os.unlink(path)
    response = send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="measures-template.xlsx",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
