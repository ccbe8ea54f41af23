"""The diary entry form (CSRF); every text field is length-limited with a Russian message."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.diary.models import (
    AGREEMENTS_MAX,
    FORMAT_LABELS,
    PARTICIPANTS_MAX,
    TOPICS_MAX,
)


class DiaryEntryForm(FlaskForm):
    held_on = DateField(
        lazy_gettext("Дата"), validators=[DataRequired(lazy_gettext("Укажите дату."))]
    )
    format = SelectField(
        lazy_gettext("Формат"),
        choices=[
            SelectChoice(code.value, lazy_gettext(label)) for code, label in FORMAT_LABELS.items()
        ],
        validators=[DataRequired(lazy_gettext("Выберите формат."))],
    )
    participants = StringField(
        lazy_gettext("Участники"),
        validators=[
            DataRequired(lazy_gettext("Укажите участников.")),
            Length(
                max=PARTICIPANTS_MAX,
                message=lazy_gettext("Участники: не длиннее 1000 символов."),
            ),
        ],
    )
    topics = TextAreaField(
        lazy_gettext("Темы"),
        validators=[
            DataRequired(lazy_gettext("Укажите темы.")),
            Length(max=TOPICS_MAX, message=lazy_gettext("Темы: не длиннее 4000 символов.")),
        ],
    )
    agreements = TextAreaField(
        lazy_gettext("Договорённости"),
        validators=[
            Optional(),
            Length(
                max=AGREEMENTS_MAX,
                message=lazy_gettext("Договорённости: не длиннее 4000 символов."),
            ),
        ],
    )
    follow_up_on = DateField(lazy_gettext("Дата контроля"), validators=[Optional()])

    def validate_follow_up_on(self, field):
        if field.data and self.held_on.data and field.data < self.held_on.data:
            raise ValidationError(lazy_gettext("Дата контроля не раньше даты встречи."))
