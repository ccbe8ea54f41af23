"""Diary screens: the list (own entries for a curator, the scope's for a coordinator), one
school's diary with the form for its curator, one entry. Schools never see any of it (404)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from webapp.auth.models import RoleCode
from webapp.diary import services
from webapp.diary.forms import DiaryEntryForm
from webapp.diary.models import FORMAT_LABELS
from webapp.diary.permissions import can_open_diary, can_read_diary, can_write_diary
from webapp.extensions import db
from webapp.orgs.models import School

bp = Blueprint("diary", __name__, template_folder="templates")


@bp.route("/diary")
@login_required
def index():
    if not can_open_diary(current_user):
        abort(404)
    curator_id = request.args.get("curator", type=int)  # one curator's entries (scoped)
    mine = (
        curator_id is None
        and current_user.has_role(RoleCode.CURATOR)
        and request.args.get("all") != "1"
    )
    if mine:
        curator_id = current_user.id
    entries = services.visible_entries(current_user, curator_id=curator_id)
    return render_template(
        "diary/index.html", entries=entries, mine=mine, format_labels=FORMAT_LABELS
    )


def _school(school_id: int) -> School:
    school = db.session.get(School, school_id)
    if school is None or not can_read_diary(current_user, school):
        abort(404)
    return school


def _render_school(school: School, form: DiaryEntryForm):
    return render_template(
        "diary/school.html",
        school=school,
        form=form if can_write_diary(current_user, school) else None,
        entries=services.school_entries(current_user, school.id),
        format_labels=FORMAT_LABELS,
    )


@bp.route("/schools/<int:school_id>/diary")
@login_required
def school(school_id: int):
    return _render_school(_school(school_id), DiaryEntryForm())


@bp.route("/schools/<int:school_id>/diary", methods=["POST"])
@login_required
def add(school_id: int):
    school = _school(school_id)
    if not can_write_diary(current_user, school):
        abort(403)
    form = DiaryEntryForm()
    if not form.validate_on_submit():
        return _render_school(school, form), 422
    data = services.EntryInput(
        held_on=form.held_on.data,
        format=form.format.data,
        participants=form.participants.data or "",
        topics=form.topics.data or "",
        agreements=form.agreements.data or "",
        follow_up_on=form.follow_up_on.data,
    )
    try:
        entry = services.add_entry(school, current_user, data)
    except services.DiaryRefused as refusal:
        db.session.rollback()
        flash(_(str(refusal)), "danger")
        return _render_school(school, form), 422
    db.session.commit()
    flash(_("Запись добавлена в дневник."), "success")
    return redirect(url_for("diary.detail", entry_id=entry.id))


@bp.route("/diary/<int:entry_id>")
@login_required
def detail(entry_id: int):
    entry = services.visible_entry(current_user, entry_id)
    if entry is None:
        abort(404)
    return render_template("diary/detail.html", entry=entry, format_labels=FORMAT_LABELS)
