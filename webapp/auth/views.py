"""Sign-in and sign-out screens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from webapp.auth.forms import LoginForm
from webapp.auth.services import authenticate, end_all_sessions
from webapp.common.forms import PostForm
from webapp.extensions import db, limiter

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_key() -> str:
    """The bucket of the account being tried, whichever address the attempts come from."""
    return "login-account:" + request.form.get("email", "").strip().lower()[:254]


TOO_MANY = "Слишком много попыток входа. Подождите минуту и попробуйте снова."


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message=TOO_MANY)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, error_message=TOO_MANY)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            db.session.commit()  # a rehashed password (authenticate) is stored with the sign-in
            return redirect(_safe_next(request.args.get("next")))
        flash(gettext("Неверный адрес электронной почты или пароль."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if not PostForm().validate_on_submit():
        abort(400)
    end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(gettext("Вы вышли из системы."), "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths without control characters are followed after sign-in."""
    if target and any(ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        return url_for("home.index")
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")
