"""Forms of the jobs screens (CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from webapp.jobs.pairing import K_MAX


class CancelJobForm(FlaskForm):
    """Only the CSRF token: the job is in the URL."""


class PairingJobForm(FlaskForm):
    campaign = SelectField("Кампания", coerce=int, validators=[InputRequired("Выберите кампанию.")])
    k = IntegerField(
        "Сколько рецензий каждая школа даёт и получает (k)",
        default=2,
        validators=[
            InputRequired("Укажите k."),
            NumberRange(min=1, max=K_MAX, message="k — целое число от 1 до 10."),
        ],
    )
    no_reciprocal = BooleanField("Запретить взаимные пары (A проверяет B и B проверяет A)")
