"""Password by e-mail for everyone: «forgot password» and the link that sets a password.

The same answer (and a similar time, see ``_answer_after``) whether or not the address exists,
so the form does not reveal who has an account.
"""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import logout_user

from webapp.auth.password_forms import ForgotForm, SetPasswordForm
from webapp.auth.services import find_user_by_email
from webapp.auth.tokens import Purpose, TokenProblem, check_token, set_new_password
from webapp.common.forms import first_error
from webapp.extensions import db, limiter
from webapp.notifications.account import queue_password_link

bp = Blueprint("password", __name__, url_prefix="/password", template_folder="templates")


def _forgot_limit() -> str:
    config = current_app.config
    return config.get("PASSWORD_RESET_RATE_LIMIT") or config["LOGIN_RATE_LIMIT"]


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(_forgot_limit, methods=["POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        started = time.monotonic()
        user = find_user_by_email(form.email.data)
        if user is not None and user.active:
            queue_password_link(user, Purpose.RESET)
            db.session.commit()
        _answer_after(started)
        flash(
            _(
                "Если этот адрес зарегистрирован, на него отправлено письмо со ссылкой "
                "для смены пароля. Проверьте почту."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    if form.is_submitted():
        flash(first_error(form), "danger")
    return render_template("auth/forgot.html", form=form)


def _answer_after(started: float) -> None:
    """Pad the answer to a fixed floor, so a known address does not answer measurably slower."""
    floor = float(current_app.config.get("PASSWORD_RESET_MIN_SECONDS", 0.4))
    left = floor - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


@bp.route("/set/<purpose>/<token>", methods=["GET", "POST"])
def set_password(purpose: str, token: str):
    if purpose not in {p.value for p in Purpose}:
        abort(404)
    user, problem = check_token(token, Purpose(purpose))
    if user is None:
        message = (
            _("Срок действия ссылки истёк. Запросите новую.")
            if problem is TokenProblem.EXPIRED
            else _("Ссылка недействительна или уже использована. Запросите новую.")
        )
        return render_template("auth/link_invalid.html", message=message), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_new_password(user, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Пароль сохранён. Войдите с новым паролем."), "success")
        return redirect(url_for("auth.login"))
    if form.is_submitted():
        flash(first_error(form), "danger")
    return render_template("auth/set_password.html", form=form, user=user, purpose=purpose)
