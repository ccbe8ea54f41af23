"""Roadmap screens: the list with a creation form, one roadmap with its items, actions and change
log. Every access goes through the roadmap permission layer (404 outside the scope)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from webapp.documents.uploads import UploadRejected, content_disposition
from webapp.extensions import db
from webapp.roadmaps import services
from webapp.roadmaps.forms import (
    CompleteWithFileForm,
    ItemForm,
    PostForm,
    RoadmapForm,
    TransitionForm,
)
from webapp.roadmaps.models import LEVEL_LABELS, RoadmapItem
from webapp.roadmaps.permissions import can_edit_roadmap, can_read_roadmap, own_levels
from webapp.roadmaps.workflow import ITEMS
from webapp.workflow.errors import on_refusal
from webapp.workflow.service import apply_transition, available_triggers
from workflows.machine import Screen
from workflows.roadmap_item import (
    STATE_LABELS,
    TRIGGERS,
    ItemState,
    ItemTrigger,
    roadmap_item_workflow,
)

bp = Blueprint("roadmaps", __name__, template_folder="templates")
TEXT_FIELDS = {"comment", "actual", "actual_value", "evidence_url"}


def _create_form() -> RoadmapForm:
    form = RoadmapForm()
    form.owner.choices = [
        SelectChoice(f"{level}:{owner_id}", f"{_(LEVEL_LABELS[level])}: {name}")
        for level, owner_id, name in own_levels(current_user)
    ]
    return form


def _render_index(form: RoadmapForm):
    return render_template(
        "roadmaps/index.html",
        roadmaps=services.visible_roadmaps(current_user),
        form=form if form.owner.choices else None,
        level_labels=LEVEL_LABELS,
    )


@bp.route("/roadmaps")
@login_required
def index():
    return _render_index(_create_form())


@bp.route("/roadmaps", methods=["POST"])
@login_required
def create():
    form = _create_form()
    if not form.validate_on_submit():
        return _render_index(form), 422
    level, owner_id = form.owner.data.split(":")
    try:
        roadmap = services.create_roadmap(current_user, level, int(owner_id), form.title.data)
    except services.RoadmapRefused as refusal:
        db.session.rollback()
        flash(_(str(refusal)), "danger")
        return _render_index(form), 422
    db.session.commit()
    return redirect(url_for("roadmaps.detail", roadmap_id=roadmap.id))


def _roadmap(roadmap_id: int):
    roadmap = services.visible_roadmap(current_user, roadmap_id)
    if roadmap is None:
        abort(404)
    return roadmap


def _actions(item: RoadmapItem) -> list[str]:
    triggers = available_triggers(ITEMS, item, current_user)
    return roadmap_item_workflow.offered_on(Screen.ACTIONS, item.state, triggers)


def _page(roadmap, item_form: ItemForm | None = None):
    editor = can_edit_roadmap(current_user, roadmap)
    return render_template(
        "roadmaps/detail.html",
        roadmap=roadmap,
        editor=editor,
        item_form=(item_form or ItemForm()) if editor else None,
        post_form=PostForm(),
        transition_form=TransitionForm(),
        actions={item.id: _actions(item) for item in roadmap.items} if editor else {},
        log=services.change_log(roadmap),
        state_labels=STATE_LABELS,
        triggers=TRIGGERS,
        level_labels=LEVEL_LABELS,
        removed=ItemState.REMOVED.value,
    )


@bp.route("/roadmaps/<int:roadmap_id>")
@login_required
def detail(roadmap_id: int):
    return _page(_roadmap(roadmap_id))


@bp.route("/roadmaps/<int:roadmap_id>/confirm", methods=["POST"])
@login_required
def confirm(roadmap_id: int):
    roadmap = _roadmap(roadmap_id)
    if not PostForm().validate_on_submit():
        abort(400)
    on_refusal(lambda: _page(_roadmap(roadmap_id)))
    services.confirm_roadmap(roadmap, current_user)
    db.session.commit()
    flash(_("Дорожная карта утверждена."), "success")
    return redirect(url_for("roadmaps.detail", roadmap_id=roadmap.id))


@bp.route("/roadmaps/<int:roadmap_id>/items", methods=["POST"])
@login_required
def add_item(roadmap_id: int):
    roadmap = _roadmap(roadmap_id)
    if not can_edit_roadmap(current_user, roadmap):
        abort(403)
    form = ItemForm()
    if not form.validate_on_submit():
        return _page(roadmap, form), 422
    data = services.ItemInput(
        event=form.event.data or "",
        planned=form.planned.data or "",
        indicator=form.indicator.data or "",
        target_value=form.target_value.data or "",
        evidence_url=form.evidence_url.data or "",
    )
    on_refusal(lambda: _page(_roadmap(roadmap_id), form))
    try:
        services.add_item(roadmap, data, actor=current_user, reason=form.reason.data or "")
    except services.RoadmapRefused as refusal:
        db.session.rollback()
        flash(_(str(refusal)), "danger")
        return _page(_roadmap(roadmap_id), form), 422
    db.session.commit()
    flash(_("Мероприятие добавлено."), "success")
    return redirect(url_for("roadmaps.detail", roadmap_id=roadmap_id))


@bp.route("/roadmap-items/<int:item_id>/transitions", methods=["POST"])
@login_required
def transition(item_id: int):
    item = db.session.get(RoadmapItem, item_id)
    if item is None or not can_read_roadmap(current_user, item.roadmap):
        abort(404)
    roadmap_id = item.roadmap_id
    complete = request.form.get("trigger") == ItemTrigger.COMPLETE
    form = CompleteWithFileForm() if complete else TransitionForm()
    on_refusal(lambda: _page(_roadmap(roadmap_id)))
    if not form.validate_on_submit():
        if form.trigger.data and not form.errors.keys() - {
            "actual",
            "actual_value",
            "evidence_url",
        }:
            for errors in form.errors.values():
                for error in errors:
                    flash(_(str(error)), "danger")
            return _page(_roadmap(roadmap_id)), 422
        abort(400)
    if complete:
        upload = form.evidence_file.data or None
        try:
            services.complete_item(
                item_id,
                current_user,
                actual=form.actual.data or "",
                actual_value=form.actual_value.data or "",
                evidence_url=form.evidence_url.data or "",
                expected_version=form.lock_version.data,
                file=upload.stream if upload else None,
                filename=upload.filename if upload else "",
            )
        except UploadRejected as refusal:
            db.session.rollback()
            flash(_(refusal.message), "danger")
            return _page(_roadmap(roadmap_id)), 422
        except services.RoadmapRefused as refusal:
            db.session.rollback()
            flash(_(str(refusal)), "danger")
            return _page(_roadmap(roadmap_id)), 422
    else:
        apply_transition(
            ITEMS,
            item_id,
            form.trigger.data,
            actor=current_user,
            comment=form.comment.data or "",
            expected_version=form.lock_version.data,
        )
    db.session.commit()
    flash(_("Готово."), "success")
    return redirect(url_for("roadmaps.detail", roadmap_id=roadmap_id))


@bp.route("/roadmap-items/<int:item_id>/evidence")
@login_required
def evidence(item_id: int):
    item = db.session.get(RoadmapItem, item_id)
    if item is None or not can_read_roadmap(current_user, item.roadmap) or not item.evidence_file:
        abort(404)
    response = send_file(
        services.evidence_path(item), mimetype=item.evidence_file_mime, conditional=True, max_age=0
    )
    response.headers["Content-Disposition"] = content_disposition(item.evidence_file_name, False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
