"""The admin's forms of the mutual expertise: stage settings, a pairing, a swap (CSRF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectMultipleField, widgets
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from webapp.jobs.pairing import K_MAX

NUMBER = "Номер пары — целое число не меньше 1."


def _whole(label: str, low: int, high: int, default: int) -> IntegerField:
    message = f"«{label}»: целое число от {low} до {high}."
    return IntegerField(
        label,
        default=default,
        validators=[InputRequired(message), NumberRange(min=low, max=high, message=message)],
    )


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multiple select (works without JavaScript, readable)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PeerStageForm(FlaskForm):
    reviews_per_school = _whole("Рецензий на школу (k)", 1, K_MAX, 1)
    no_reciprocal = BooleanField("Запретить взаимные пары (A проверяет B и B проверяет A)")
    accept_days = _whole("Дней на принятие назначения", 1, 60, 3)
    review_days = _whole("Дней на проверку", 1, 120, 14)
    reminder_days = _whole("За сколько дней до срока напомнить", 0, 60, 2)
    max_replacements = _whole("Замен рецензента до закрытия этапа куратором", 0, 10, 2)
    reveal_reviewer = BooleanField("Проверяемая школа видит, кто её проверял")
    peer_types = MultiCheckboxField("Типы документов на взаимоэкспертизе", coerce=int)

    def validate_reminder_days(self, field: IntegerField) -> None:
        review = self.review_days.data
        if field.data is not None and review is not None and field.data >= review:
            raise ValidationError(
                "Напоминание должно приходить раньше срока: дней меньше, чем на проверку."
            )


class PairingStartForm(FlaskForm):
    k = _whole("Сколько рецензий каждая школа даёт и получает (k)", 1, K_MAX, 1)
    no_reciprocal = BooleanField("Запретить взаимные пары (A проверяет B и B проверяет A)")


class SwapForm(FlaskForm):
    first = IntegerField(
        "Пара №",
        validators=[
            InputRequired("Укажите номер первой пары."),
            NumberRange(min=1, message=NUMBER),
        ],
    )
    second = IntegerField(
        "и пара №",
        validators=[
            InputRequired("Укажите номер второй пары."),
            NumberRange(min=1, message=NUMBER),
        ],
    )
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ConfirmForm(FlaskForm):
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
