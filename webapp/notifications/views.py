"""The user's in-app notifications."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from webapp.common.forms import PostForm
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.notifications.models import Notification

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.route("/notifications")
@login_required
def index():
    stmt = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc())
        .limit(200)
    )
    return render_template("notifications/index.html", items=list(db.session.scalars(stmt)))


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
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return db.session.scalar(stmt) or 0
