"""The user's in-app notifications."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, update

from webapp.common.forms import PostForm
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.notifications.forms import ORGANISATION_ZONE, NotificationSettingsForm
from webapp.notifications.models import Notification
from webapp.notifications.preferences import (
    DEFAULTS,
    DELIVERY_LABELS,
    Kind,
    choices_of,
    save_choices,
)

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.route("/notifications")
@login_required
def index():
    stmt = (
        select(Notification)
        .where(Notification.user_id == current_user.id, Notification.kind != Kind.DIGEST.value)
        .order_by(Notification.id.desc())
        .limit(200)
    )
    return render_template("notifications/index.html", items=list(db.session.scalars(stmt)))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    """The user's own choices: a delivery per kind, and the zone times are shown in."""
    form = NotificationSettingsForm()
    if form.validate_on_submit():
        save_choices(current_user.id, form.choices())
        current_user.time_zone = form.time_zone.data or None
        db.session.commit()
        flash(_("Настройки уведомлений сохранены."), "success")
        return redirect(url_for(".settings"))
    if request.method == "GET":
        for kind, delivery in choices_of(current_user.id).items():
            getattr(form, kind.value).data = delivery.value
        form.time_zone.data = current_user.time_zone or ORGANISATION_ZONE
    return render_template(
        "notifications/settings.html", form=form, defaults=DEFAULTS, labels=DELIVERY_LABELS
    ), (422 if form.errors else 200)


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    if not PostForm().validate_on_submit():
        abort(400)
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for(".index"))


def unread_count(user_id: int) -> int:
    stmt = select(db.func.count(Notification.id)).where(
        Notification.user_id == user_id,
        Notification.read_at.is_(None),
        Notification.kind != Kind.DIGEST.value,
    )
    return db.session.scalar(stmt) or 0
