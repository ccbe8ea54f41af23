"""The landing page: send each user to the screen of their main role."""

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from webapp.auth.permissions import can_see_overview, can_see_queue

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    if can_see_overview(current_user):
        return redirect(url_for("overview.index"))
    if can_see_queue(current_user):
        return redirect(url_for("reviews.queue"))
    if current_user.has_role("school"):
        from webapp.documents.views import cabinet_url

        return redirect(cabinet_url())  # the school page at once, not through /cabinet
    return redirect(url_for("notifications.index"))
