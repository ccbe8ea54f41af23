"""Forms of the reports screens (CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import InputRequired


class StartForm(FlaskForm):
    """Only the CSRF token: the register is in the URL."""


class RegionalForm(FlaskForm):
    region = SelectField(
        lazy_gettext("Регион"),
        coerce=int,
        validators=[InputRequired(lazy_gettext("Выберите регион."))],
    )


class TemplateForm(FlaskForm):
    file = FileField(
        lazy_gettext("Шаблон аналитической справки (DOCX)"),
        validators=[FileRequired(lazy_gettext("Выберите файл для загрузки."))],
    )
