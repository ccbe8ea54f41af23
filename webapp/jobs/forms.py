"""Forms of the jobs screens (CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from webapp.jobs.pairing import K_MAX


class CancelJobForm(FlaskForm):
    """Only the CSRF token: the job is in the URL."""


class PairingJobForm(FlaskForm):
    campaign = SelectField(
        lazy_gettext("Кампания"),
        coerce=int,
        validators=[InputRequired(lazy_gettext("Выберите кампанию."))],
    )
    k = IntegerField(
        lazy_gettext("Сколько рецензий каждая школа даёт и получает (k)"),
        default=2,
        validators=[
            InputRequired(lazy_gettext("Укажите k.")),
            NumberRange(min=1, max=K_MAX, message=lazy_gettext("k — целое число от 1 до 10.")),
        ],
    )
    no_reciprocal = BooleanField(
        lazy_gettext("Запретить взаимные пары (A проверяет B и B проверяет A)")
    )
