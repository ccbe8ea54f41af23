"""Admin forms: a new edition of a checklist, a risk of the catalogue."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class ChecklistRevisionForm(FlaskForm):
    criteria = TextAreaField(
        lazy_gettext("Критерии (по одному в строке)"),
        validators=[Length(max=20000, message=lazy_gettext("Слишком длинный список критериев."))],
    )


class RiskForm(FlaskForm):
    name = StringField(
        lazy_gettext("Название риска"),
        validators=[
            DataRequired(lazy_gettext("Название риска обязательно (до 300 символов).")),
            Length(max=300, message=lazy_gettext("Название риска обязательно (до 300 символов).")),
        ],
    )
    is_active = SelectField(
        choices=[SelectChoice("1", lazy_gettext("да")), SelectChoice("0", lazy_gettext("нет"))],
        validators=[Optional()],
        validate_choice=True,
    )
    risk_id = IntegerField(validators=[Optional()])
