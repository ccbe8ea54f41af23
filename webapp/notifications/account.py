"""Account e-mails (an invitation, a password reset) written to the outbox like every other.

The row survives a broker or SMTP outage and the sweep delivers it later. The link inside is
single-use and time-limited (``webapp.auth.tokens``), so a copy kept in the row is worthless once
used or expired.
"""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import force_locale, gettext

from webapp.auth.models import ROLE_LABELS, RoleCode, User
from webapp.auth.tokens import Purpose, make_token, max_age
from webapp.extensions import db
from webapp.notifications.models import Notification


def public_url(path: str) -> str:
    """An absolute link: PUBLIC_BASE_URL when set (never trust the request's Host for mail)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return base.rstrip("/") + path


def queue_password_link(user: User, purpose: Purpose, *, inviter: User | None = None) -> None:
    """Add the outbox row carrying a new link for ``user``; the caller commits."""
    path = url_for("password.set_password", purpose=purpose.value, token=make_token(user, purpose))
    hours = max_age(purpose) // 3600
    with force_locale(user.locale or "ru"):
        if purpose is Purpose.INVITE:
            subject = gettext("Приглашение в систему «Экспертиза»")
            intro = gettext(
                "%(name)s приглашает вас в систему «Экспертиза» (%(roles)s).",
                name=inviter.full_name if inviter else gettext("Администратор"),
                roles=", ".join(sorted(gettext(ROLE_LABELS[RoleCode(r)]) for r in user.roles())),
            )
        else:
            subject = gettext("Восстановление пароля")
            intro = gettext("Кто-то (возможно, вы) попросил сменить пароль к вашей учётной записи.")
        body = gettext(
            "%(intro)s\nЧтобы задать пароль, откройте ссылку (действует %(hours)d ч, "
            "один раз):\n%(url)s\nЕсли вы не ждали этого письма, ничего не делайте.",
            intro=intro,
            hours=hours,
            url=public_url(path),
        )
    db.session.add(Notification(user_id=user.id, subject=subject, body=body, link=path))
    db.session.flush()
