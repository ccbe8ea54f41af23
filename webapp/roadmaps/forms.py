"""Roadmap forms (CSRF on every one); free text is length-limited with a Russian message."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class RoadmapForm(FlaskForm):
    owner = SelectField(
        lazy_gettext("Владелец"), validators=[DataRequired(lazy_gettext("Выберите владельца."))]
    )
    title = StringField(
        lazy_gettext("Название"),
        validators=[
            DataRequired(lazy_gettext("Укажите название.")),
            Length(max=300, message=lazy_gettext("Название: не длиннее 300 символов.")),
        ],
    )


class ItemForm(FlaskForm):
    event = TextAreaField(
        lazy_gettext("Мероприятие"),
        validators=[
            DataRequired(lazy_gettext("Укажите мероприятие.")),
            Length(max=1000, message=lazy_gettext("Мероприятие: не длиннее 1000 символов.")),
        ],
    )
    planned = StringField(
        lazy_gettext("Плановый срок"),
        validators=[
            Optional(),
            Length(max=60, message=lazy_gettext("Плановый срок: не длиннее 60 символов.")),
        ],
    )
    indicator = TextAreaField(
        lazy_gettext("Показатель"),
        validators=[
            Optional(),
            Length(max=1000, message=lazy_gettext("Показатель: не длиннее 1000 символов.")),
        ],
    )
    target_value = StringField(
        lazy_gettext("Целевое значение"),
        validators=[
            Optional(),
            Length(max=500, message=lazy_gettext("Целевое значение: не длиннее 500 символов.")),
        ],
    )
    evidence_url = StringField(
        lazy_gettext("Ссылка на подтверждение"),
        validators=[
            Optional(),
            Length(max=500, message=lazy_gettext("Ссылка: не длиннее 500 символов.")),
        ],
    )
    reason = TextAreaField(
        lazy_gettext("Причина добавления (обязательна после утверждения)"),
        validators=[
            Optional(),
            Length(max=2000, message=lazy_gettext("Причина: не длиннее 2000 символов.")),
        ],
    )


class TransitionForm(FlaskForm):
    trigger = HiddenField(validators=[DataRequired()])
    lock_version = IntegerField(validators=[Optional()])
    comment = TextAreaField(
        lazy_gettext("Причина"),
        validators=[
            Optional(),
            Length(max=2000, message=lazy_gettext("Причина: не длиннее 2000 символов.")),
        ],
    )


class CompleteForm(TransitionForm):
    actual = StringField(
        lazy_gettext("Фактический срок"),
        validators=[
            Optional(),
            Length(max=60, message=lazy_gettext("Фактический срок: не длиннее 60 символов.")),
        ],
    )
    actual_value = StringField(
        lazy_gettext("Достигнутое значение"),
        validators=[
            Optional(),
            Length(max=500, message=lazy_gettext("Достигнутое значение: не длиннее 500 символов.")),
        ],
    )
    evidence_url = StringField(
        lazy_gettext("Ссылка на подтверждение"),
        validators=[
            Optional(),
            Length(max=500, message=lazy_gettext("Ссылка: не длиннее 500 символов.")),
        ],
    )


class CompleteWithFileForm(CompleteForm):
    evidence_file = FileField(lazy_gettext("Файл-подтверждение"))


class PostForm(FlaskForm):
    """A button that only needs the CSRF token."""
