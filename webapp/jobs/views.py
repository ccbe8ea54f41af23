"""Job pages: progress that refreshes itself, cancel, and the admin's pairing start form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.campaigns.models import Campaign
from webapp.extensions import db
from webapp.jobs import services
from webapp.jobs.errors import JobError, JobInputError
from webapp.jobs.forms import CancelJobForm, PairingJobForm
from webapp.jobs.kinds import KIND_LABELS, PAIR_SCHOOLS
from webapp.jobs.models import STATE_LABELS, Job
from webapp.jobs.pairing import pairing_params
from webapp.jobs.permissions import can_cancel_job, can_start_pairing

bp = Blueprint("jobs", __name__, template_folder="templates")

REFRESH_SECONDS = 2


def _visible(job_id: int) -> Job:
    job = services.job_for(current_user, job_id)
    if job is None:
        abort(404)
    return job


def _context(job: Job) -> dict:
    return {
        "job": job,
        "state_labels": STATE_LABELS,
        "kind_labels": KIND_LABELS,
        "can_cancel": can_cancel_job(current_user, job),
        "cancel_form": CancelJobForm(),
        "refresh_seconds": REFRESH_SECONDS,
    }


@bp.route("/jobs/<int:job_id>")
@login_required
def show(job_id: int):
    return render_template("jobs/job.html", **_context(_visible(job_id)))


@bp.route("/jobs/<int:job_id>/progress")
@login_required
def progress(job_id: int):
    return render_template("jobs/_progress.html", **_context(_visible(job_id)))


@bp.route("/jobs/<int:job_id>/cancel", methods=["POST"])
@login_required
def cancel(job_id: int):
    job = _visible(job_id)
    if not CancelJobForm().validate_on_submit():
        abort(400)
    try:
        services.request_cancel(job.id)
        db.session.commit()
        flash(gettext("Отмена задания запрошена."), "info")
    except JobError:
        db.session.rollback()
        flash(gettext("Задание уже завершено или его нельзя отменить."), "warning")
    return redirect(url_for(".show", job_id=job_id))


@bp.route("/admin/jobs/pairing", methods=["GET", "POST"])
@login_required
def start_pairing():
    if not can_start_pairing(current_user):
        abort(403)
    form = PairingJobForm()
    form.campaign.choices = _campaign_choices()
    if not form.validate_on_submit():
        return render_template("jobs/start_pairing.html", form=form)
    try:
        params = pairing_params(form.campaign.data, form.k.data, form.no_reciprocal.data)
    except JobInputError as exc:
        flash(str(exc), "danger")
        return render_template("jobs/start_pairing.html", form=form)
    job = services.create_job(PAIR_SCHOOLS, params, started_by_id=current_user.id)
    db.session.commit()  # the task is published after this commit
    return redirect(url_for(".show", job_id=job.id))


def _campaign_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Campaign.id, Campaign.name).order_by(Campaign.year.desc()))
    return [(campaign_id, name) for campaign_id, name in rows]
