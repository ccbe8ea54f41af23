"""Set-up screens for the admin and, within their scope, coordinators (``/setup/...``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import Forbidden
from wtforms.fields.choices import SelectChoice

from webapp.auth.models import ROLE_LABELS, RoleCode, User
from webapp.campaigns.models import CampaignDocumentType, DocumentType, Stage
from webapp.campaigns.services import current_campaign
from webapp.common.forms import PostForm, first_error
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, School
from webapp.orgs.org_import import import_orgs
from webapp.orgs.services import ORG_COLUMNS, ORG_REQUIRED
from webapp.setup import queries, services
from webapp.setup.forms import (
    CampaignForm,
    ImportForm,
    InviteForm,
    RegionDeadlineForm,
    StageForm,
    TypeSettingForm,
)
from webapp.setup.permissions import (
    can_manage_user,
    can_set_up,
    grantable_roles,
    is_admin,
    region_ids,
)
from webapp.setup.services import SetupRefused
from webapp.tabular import MAX_BYTES, TabularError, TabularRejected, read_table

bp = Blueprint("setup", __name__, url_prefix="/setup", template_folder="templates")


@bp.before_request
@login_required
def _coordinators_only():
    if not can_set_up(current_user):
        abort(403)


def _admin_only() -> None:
    if not is_admin(current_user):
        abort(403)


@bp.errorhandler(SetupRefused)
def _refused(exc: SetupRefused):
    db.session.rollback()
    if exc.status == 403:
        return current_app.handle_user_exception(Forbidden())
    flash(str(exc), "danger")
    back = request.referrer or ""
    if not back.startswith(request.host_url):  # only back to a page of this site
        back = url_for(".index")
    return redirect(back)


@bp.route("/")
def index():
    return render_template("setup/index.html", admin=is_admin(current_user))


# --- users -----------------------------------------------------------------------------------


NONE = SelectChoice("", "—")


NONE = SelectChoice("", "—")


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.role.choices = [
        SelectChoice(r, _(ROLE_LABELS[RoleCode(r)])) for r in grantable_roles(current_user)
    ]
    regions = queries.regions_in_scope(current_user)
    form.region_id.choices = [NONE, *(SelectChoice(r.id, f"{r.code} {r.name}") for r in regions)]
    munis = queries.municipalities_in_scope(current_user)
    form.municipality_id.choices = [NONE, *(SelectChoice(i, name) for i, name in munis)]
    return form


@bp.route("/users")
def users():
    q = request.args.get("q", "")[:100]
    role = request.args.get("role", "")
    if role not in {r.value for r in RoleCode}:
        role = ""
    page = max(request.args.get("page", 1, type=int), 1)
    rows = queries.users_in_scope(current_user, q=q, role=role, page=page)
    return render_template(
        "setup/users.html",
        rows=rows,
        page=page,
        more=len(rows) == queries.PAGE_SIZE,
        q=q,
        role=role,
        form=_invite_form(),
        post_form=PostForm(),
        role_labels=ROLE_LABELS,
        manages=lambda u: can_manage_user(current_user, u),
    )


@bp.route("/users/invite", methods=["POST"])
def invite():
    form = _invite_form()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".users"))
    school_id = None
    if form.school_code.data:
        school = queries.school_by_code(form.school_code.data)
        if school is None:
            flash(_("Школа с кодом «%(code)s» не найдена.", code=form.school_code.data), "danger")
            return redirect(url_for(".users"))
        school_id = school.id
    grant = services.scoped_grant(
        form.role.data, form.region_id.data, form.municipality_id.data, school_id
    )
    user, invited = services.invite_user(current_user, form.email.data, form.full_name.data, grant)
    db.session.commit()
    if invited:
        flash(_("Приглашение отправлено на %(email)s.", email=user.email), "success")
    else:
        flash(_("Роль добавлена пользователю %(email)s.", email=user.email), "success")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not can_manage_user(current_user, user):
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    services.deactivate_user(current_user, user)
    db.session.commit()
    flash(_("Пользователь %(email)s отключён.", email=user.email), "success")
    return redirect(url_for(".users"))


# --- organisations (admin) -------------------------------------------------------------------


@bp.route("/orgs", methods=["GET", "POST"])
def orgs():
    _admin_only()
    form = ImportForm()
    problems: list[str] = []
    summary = None
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            flash(_("Выберите файл CSV или XLSX."), "danger")
        else:
            summary, problems = _import_upload(upload)
    elif form.is_submitted():
        flash(first_error(form), "danger")
    status = 422 if problems else 200
    return render_template("setup/orgs.html", form=form, problems=problems, summary=summary), status


def _import_upload(upload) -> tuple[object | None, list[str]]:
    """Run the organisations import on an uploaded file: all of it, or nothing."""
    name = Path(upload.filename or "").name[:100] or "file"
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return None, [_("%(name)s: нужен файл CSV или XLSX.", name=name)]
    handle, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as fh:
            size = _copy_limited(upload.stream, fh, MAX_BYTES)
        if size is None:
            return None, [_("%(name)s: файл слишком большой.", name=name)]
        try:
            summary = import_orgs(read_table(Path(path), ORG_COLUMNS, ORG_REQUIRED))
        except TabularRejected as exc:
            db.session.rollback()
            return None, [_named(e, name) for e in exc.errors]
        db.session.commit()
        return summary, []
    finally:
        os.unlink(path)


def _named(error: TabularError, name: str) -> str:
    """The problem with the uploaded file's own name (not the temporary copy's)."""
    return TabularError(error.row, error.column, error.message).render(name)


def _copy_limited(source, target, limit: int) -> int | None:
    size = 0
    while chunk := source.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        target.write(chunk)
    return size


# --- curators of schools (admin, regional coordinators) --------------------------------------


@bp.route("/curators")
def curators():
    if not is_admin(current_user) and not region_ids(current_user):
        abort(403)
    schools = queries.schools_for_curators(current_user, request.args.get("region", type=int))
    links = queries.curator_links([s.id for s in schools])
    eligible = queries.eligible_curators(current_user)
    return render_template(
        "setup/curators.html",
        schools=schools,
        links=links,
        eligible=eligible,
        admin=is_admin(current_user),
        post_form=PostForm(),
    )


@bp.route("/curators", methods=["POST"])
def assign():
    school = db.session.get(School, request.form.get("school_id", type=int) or 0)
    curator = db.session.get(User, request.form.get("curator_id", type=int) or 0)
    if school is None or curator is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    services.assign_curator(current_user, school, curator)
    db.session.commit()
    flash(
        _(
            "%(curator)s закреплён(а) за школой %(school)s.",
            curator=curator.full_name,
            school=school.short_name,
        ),
        "success",
    )
    return redirect(url_for(".curators"))


@bp.route("/curators/<int:link_id>/remove", methods=["POST"])
def unassign(link_id: int):
    link = db.session.get(CuratorSchool, link_id)
    if link is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    services.unassign_curator(current_user, link)
    db.session.commit()
    flash(_("Куратор снят со школы."), "success")
    return redirect(url_for(".curators"))


# --- the campaign: stages, deadlines, per-type settings (admin edits, coordinators see) -------


@bp.route("/campaign")
def campaign():
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    types = {t.id: t for t in db.session.scalars(select(DocumentType))}
    return render_template(
        "setup/campaign.html",
        campaign=campaign,
        types=types,
        admin=is_admin(current_user),
        campaign_form=CampaignForm(
            formdata=None,
            risks_per_school=campaign.risks_per_school,
            is_open="1" if campaign.is_open else "0",
        ),
        stage_form=StageForm,
        setting_form=TypeSettingForm,
        own_regions=queries.regions_in_scope(current_user) if not is_admin(current_user) else [],
        region_names={r.id: r.name for r in queries.all_regions()},
        visible_region=lambda rid: (
            is_admin(current_user) or rid in (region_ids(current_user) or ())
        ),
    )


@bp.route("/campaign", methods=["POST"])
def save_campaign():
    _admin_only()
    campaign = current_campaign()
    if campaign is None:
        abort(404)
    form = CampaignForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
    else:
        services.update_campaign(
            campaign, risks_per_school=form.risks_per_school.data, is_open=form.is_open.data == "1"
        )
        db.session.commit()
        flash(_("Настройки кампании сохранены."), "success")
    return redirect(url_for(".campaign"))


@bp.route("/campaign/stages/<int:stage_id>", methods=["POST"])
def save_stage(stage_id: int):
    _admin_only()
    stage = db.session.get(Stage, stage_id)
    if stage is None:
        abort(404)
    form = StageForm(prefix=f"s{stage_id}")
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".campaign"))
    services.update_stage(stage, form.name.data, form.starts_on.data, form.ends_on.data)
    db.session.commit()
    flash(
        _("Этап «%(name)s»: срок — %(date)s.", name=stage.name, date=stage.ends_on.isoformat()),
        "success",
    )
    return redirect(url_for(".campaign"))


@bp.route("/campaign/stages/<int:stage_id>/region", methods=["POST"])
def save_region_deadline(stage_id: int):
    if not is_admin(current_user) and not region_ids(current_user):
        abort(403)
    stage = db.session.get(Stage, stage_id)
    if stage is None:
        abort(404)
    form = RegionDeadlineForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".campaign"))
    services.set_region_deadline(current_user, stage, form.region_id.data, form.ends_on.data)
    db.session.commit()
    if form.ends_on.data:
        message = _(
            "Этап «%(name)s»: срок в регионе — %(date)s.",
            name=stage.name,
            date=form.ends_on.data.isoformat(),
        )
    else:
        message = _("Этап «%(name)s»: в регионе действует федеральный срок.", name=stage.name)
    flash(message, "success")
    return redirect(url_for(".campaign"))


@bp.route("/campaign/types/<int:setting_id>", methods=["POST"])
def save_setting(setting_id: int):
    _admin_only()
    setting = db.session.get(CampaignDocumentType, setting_id)
    if setting is None:
        abort(404)
    form = TypeSettingForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".campaign"))
    services.update_type_setting(setting, review_days=form.review_days.data)
    db.session.commit()
    flash(_("Настройка типа документа сохранена."), "success")
    return redirect(url_for(".campaign"))
