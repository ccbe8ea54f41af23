"""Security headers, error pages and template globals."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask, g, has_request_context, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from jinja2 import ext
from sqlalchemy.exc import InterfaceError, OperationalError

from webapp.common.cache import ScopeCache
from webapp.common.time import DEFAULT_ZONE, local_text
from webapp.extensions import db

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)

ERROR_TEXT = {
    400: "Неверный запрос.",
    403: "Недостаточно прав для этого действия.",
    404: "Страница не найдена или у вас нет к ней доступа.",
    405: "Метод не поддерживается.",
    413: "Файл слишком большой.",
    429: "Слишком много попыток. Подождите минуту и попробуйте снова.",
    500: "Внутренняя ошибка. Мы уже знаем о ней; попробуйте позже.",
    503: "Сервис временно недоступен. Попробуйте через несколько минут.",
}


def register_web_hooks(app: Flask) -> None:
    app.after_request(_security_headers)
    app.context_processor(_template_globals)
    app.context_processor(_bound_gettext)
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(translated_id, "translated")
    for code in ERROR_TEXT:
        app.register_error_handler(code, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(InterfaceError, _database_error)


def _bound_gettext() -> dict:
    """The template's ``_``/``gettext``/``ngettext``/``pgettext`` bound to this render's catalogue.

    Flask-Babel's template callables look the catalogue up again on every call (the request's
    ``g``, the locale, its name): 50–100 times a page. Bound once per render they cost a dict
    lookup; the output is the same (Jinja's own new-style wrappers: escaping, ``%(name)s``).
    A template imported without context (``{% from ... import %}``) keeps the global ones.
    """
    from flask_babel import get_translations

    translations = get_translations()
    return {
        "gettext": ext._make_new_gettext(translations.ugettext),
        "ngettext": ext._make_new_ngettext(translations.ungettext),
        "pgettext": ext._make_new_pgettext(translations.upgettext),
        "npgettext": ext._make_new_npgettext(translations.unpgettext),
    }


def translated_id(text: str | None) -> str:
    """A stored text (a job's error) in the user's language when it is a catalogue id; any other
    text unchanged (no %-formatting, so data with a percent sign is safe)."""
    if not text:
        return text or ""
    from flask_babel import get_translations

    return get_translations().gettext(text)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    signed_in = not g.get("database_down") and current_user.is_authenticated
    if response.mimetype == "text/html" and signed_in:
        # Signed-in pages must not come back from the browser's cache after logout.
        headers.setdefault("Cache-Control", "private, no-store")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _template_globals() -> dict:
    from webapp.notifications.views import unread_count

    if getattr(g, "database_down", False):
        return {"unread_notifications": 0}
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    from webapp.auth.services import UNREAD_KEY

    if UNREAD_KEY not in request.environ:  # the user loader reads it with the user
        request.environ[UNREAD_KEY] = unread_count(current_user.id)
    return {"unread_notifications": request.environ[UNREAD_KEY]}


def _zone_sources() -> tuple[type, ...]:
    from webapp.auth.models import Membership, User
    from webapp.orgs.models import CuratorSchool, Municipality, Region, School

    return (User, Membership, Region, Municipality, School, CuratorSchool)


# A viewer's zone comes from their own choice or their organisation's region (one or two
# statements on every page that shows a time): kept per process for ZONE_CACHE_SECONDS, dropped
# by any ORM change of what it depends on in this process. See docs/load.md.
_zone_cache = ScopeCache("viewer_zone", _zone_sources, "ZONE_CACHE_SECONDS")


def viewer_zone() -> str:
    """The signed-in user's zone (read once per request); Moscow for anyone else."""
    from webapp.orgs.zones import user_zone

    cached = g.get("viewer_zone")
    # A page shows dozens of times: while Flask-Login's user of this request is the one the
    # zone was found for, skip the ``current_user`` proxy (a sign-in or out changes the object).
    if cached is not None and cached[2] is not None and cached[2] is g.get("_login_user"):
        return cached[1]
    signed_in = not g.get("database_down") and current_user.is_authenticated
    key = current_user.get_id() if signed_in else None
    if cached is None or cached[0] != key:
        zone = _zone_cache.get(key, lambda: user_zone(current_user)) if signed_in else None
        cached = (key, zone or DEFAULT_ZONE)
    g.viewer_zone = (*cached[:2], g.get("_login_user"))
    return cached[1]


def _place(zone_name: str) -> str:
    """The place naming the zone in the request's language, remembered per request and locale
    (``force_locale`` for another recipient's e-mail gives another locale object)."""
    from webapp.orgs.zones import place_of

    babel = g.get("_flask_babel")
    locale = getattr(babel, "babel_locale", None)
    if locale is None:
        return place_of(zone_name)
    places = g.setdefault("zone_places", {})
    key = (zone_name, id(locale))
    if key not in places:
        places[key] = (place_of(zone_name), locale)  # keeps the locale alive: ids stay unique
    return places[key][0]


def localtime(value: datetime | None, zone_name: str | None = None) -> str:
    """``{{ when|localtime }}``: the instant in the viewer's zone (or the one given), named."""
    name = zone_name or viewer_zone()
    return local_text(value, name, _place(name))


def shown_time(value: datetime | None) -> str:
    """An instant for a message: the viewer's zone in a request, Moscow time elsewhere."""
    from webapp.orgs.zones import place_of

    if has_request_context():
        return localtime(value)
    return local_text(value, DEFAULT_ZONE, place_of(DEFAULT_ZONE))


def _database_error(exc):
    """The database is unreachable: answer a page that needs nothing from it."""
    log.exception("database error", exc_info=exc)
    g.database_down = True
    db.session.rollback()
    return _plain_error(503, ERROR_TEXT[503])


def _plain_error(code: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify({"error": {"status": code, "message": message}}), code
    return render_template("error_plain.html", code=code, message=message), code


def _error_page(exc):
    code = getattr(exc, "code", 500) or 500
    if code == 500 and getattr(g, "database_down", False):
        return _plain_error(503, ERROR_TEXT[500])
    if request.path.startswith("/api/"):
        from webapp.api.errors import handle_http_error

        return handle_http_error(exc)
    if code == 413:
        return _too_large_page()
    return render_template("error.html", code=code, message=ERROR_TEXT.get(code, "Ошибка.")), code


def _too_large_page():
    """Name the limit and lead back to the page the file was sent from."""
    from flask import current_app, url_for
    from flask_babel import gettext

    limit = current_app.config.get("MAX_UPLOAD_MB", 25)
    message = gettext(
        "Файл больше допустимых %(mb)s МБ. Уменьшите его (например, сохраните PDF со сжатием "
        "изображений) и загрузите снова.",
        mb=limit,
    )
    args = request.view_args or {}
    back = (
        url_for("documents.detail", document_id=args["document_id"])
        if "document_id" in args
        else url_for("home.index")
    )
    return render_template("error.html", code=413, message=message, back=back), 413


def _csrf_error(exc):
    message = "Форма устарела или отправлена не с этого сайта. Обновите страницу и повторите."
    return render_template("error.html", code=400, message=message), 400
