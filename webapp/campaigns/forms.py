"""Admin forms: a new edition of a checklist, a risk of the catalogue."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class ChecklistRevisionForm(FlaskForm):
    criteria = TextAreaField(
        "Критерии (по одному в строке)",
        validators=[Length(max=20000, message="Слишком длинный список критериев.")],
    )


class RiskForm(FlaskForm):
    name = StringField(
        "Название риска",
        validators=[
            DataRequired("Название риска обязательно (до 300 символов)."),
            Length(max=300, message="Название риска обязательно (до 300 символов)."),
        ],
    )
    is_active = SelectField(
        choices=[SelectChoice("1", "да"), SelectChoice("0", "нет")],
        validators=[Optional()],
        validate_choice=True,
    )
    risk_id = IntegerField(validators=[Optional()])
