"""JSON errors of the API: ``{"error": {"status", "message", ...}}`` with Russian messages."""

from __future__ import annotations

import re

from flask import jsonify
from flask_babel import get_locale, gettext, lazy_gettext
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: lazy_gettext("Неверный запрос."),
    401: lazy_gettext("Нужна авторизация: передайте заголовок Authorization: Bearer <token>."),
    403: lazy_gettext("Недостаточно прав."),
    404: lazy_gettext("Не найдено."),
    405: lazy_gettext("Метод не поддерживается."),
    409: lazy_gettext("Документ уже изменён. Обновите данные и повторите."),
    413: lazy_gettext("Файл больше допустимого размера."),
    415: lazy_gettext("Неподдерживаемый тип содержимого запроса."),
    422: lazy_gettext("Проверьте данные запроса."),
    429: lazy_gettext("Слишком много запросов. Повторите позже."),
    500: lazy_gettext("Внутренняя ошибка. Попробуйте позже."),
}

# marshmallow / webargs messages that can reach a client, in Russian.
FIELD_MESSAGES = {
    "Missing data for required field.": "Обязательное поле.",
    "Field may not be null.": "Поле не может быть null.",
    "Not a valid integer.": "Должно быть целым числом.",
    "Not a valid string.": "Должно быть строкой.",
    "Not a valid boolean.": "Должно быть true или false.",
    "Not a valid number.": "Должно быть числом.",
    "Number too large.": "Слишком большое число.",
    "Not a valid list.": "Должно быть списком.",
    "Not a valid mapping type.": "Должно быть объектом.",
    "Invalid input type.": "Неверный тип данных.",
    "Invalid value.": "Недопустимое значение.",
    "Unknown field.": "Неизвестное поле.",
    "Invalid JSON body.": "Тело запроса не является корректным JSON.",
    "Not a valid file.": "Передайте файл.",
}
ONE_OF = re.compile(r"^Must be one of: (.*)\.$")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def error(status: int, message: str, **extra: object):
    """A JSON error response."""
    return jsonify({"error": {"status": status, "message": message, **extra}}), status


def russian(message: str) -> str:
    """One validation message in the caller's language: ours are catalogue ids (Russian source),
    marshmallow's are English and kept as they are for an English caller."""
    if CYRILLIC.search(message):
        return gettext(message)
    if str(get_locale()) == "en":
        return message
    if message in FIELD_MESSAGES:
        return FIELD_MESSAGES[message]
    match = ONE_OF.match(message)
    if match:
        return f"Допустимые значения: {match.group(1)}."
    return "Недопустимое значение."


def translate(messages: object) -> object:
    """Translate a nested marshmallow error structure, keeping its shape."""
    if isinstance(messages, dict):
        return {str(key): translate(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate(value) for value in messages]
    return russian(str(messages))


def field_errors(exc: HTTPException) -> dict | None:
    """The per-field errors webargs attached to a 422, merged over locations."""
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if not isinstance(messages, dict):
        return None
    merged: dict = {}
    for per_location in messages.values():
        if isinstance(per_location, dict):
            merged.update(translate(per_location))
        else:
            merged.setdefault("_schema", []).extend(translate(per_location))
    return merged


def first_problem(fields: dict) -> str:
    """``name: message`` of the first failed field, for the summary message."""
    name, value = next(iter(fields.items()))
    while isinstance(value, dict) and value:
        key, value = next(iter(value.items()))
        name = f"{name}.{key}"
    text = value[0] if isinstance(value, list) and value else str(value)
    return text if name == "_schema" else f"«{name}»: {text}"


def handle_http_error(exc: HTTPException):
    """Every HTTP error under /api/v1 as JSON with a Russian message."""
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    fields = field_errors(exc) if status == 422 else None
    if fields:
        message = f"{str(MESSAGES[422])[:-1]}: {first_problem(fields)}"
        return error(422, message, fields=fields)
    message = data.get("message") or MESSAGES.get(status) or lazy_gettext("Ошибка запроса.")
    return error(status, gettext(str(message)), **data.get("extra", {}))
