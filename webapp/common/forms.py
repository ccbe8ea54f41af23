"""Helpers shared by the feature forms."""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm


class PostForm(FlaskForm):
    """A form with no fields but the CSRF token (buttons such as «Выйти»)."""


def first_error(form: FlaskForm) -> str:
    """The first validation message of a form, for a flash message."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return gettext("Проверьте заполнение формы.")
