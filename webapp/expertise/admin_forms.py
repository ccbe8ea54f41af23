"""The admin's forms of the mutual expertise: stage settings, a pairing, a swap (CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectMultipleField, widgets
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from webapp.jobs.pairing import K_MAX

NUMBER = lazy_gettext("Номер пары — целое число не меньше 1.")


def _whole(label, low: int, high: int, default: int) -> IntegerField:
    message = lazy_gettext(
        "«%(label)s»: целое число от %(low)s до %(high)s.", label=label, low=low, high=high
    )
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
    reviews_per_school = _whole(lazy_gettext("Рецензий на школу (k)"), 1, K_MAX, 1)
    no_reciprocal = BooleanField(
        lazy_gettext("Запретить взаимные пары (A проверяет B и B проверяет A)")
    )
    accept_days = _whole(lazy_gettext("Дней на принятие назначения"), 1, 60, 3)
    review_days = _whole(lazy_gettext("Дней на проверку"), 1, 120, 14)
    reminder_days = _whole(lazy_gettext("За сколько дней до срока напомнить"), 0, 60, 2)
    max_replacements = _whole(
        lazy_gettext("Замен рецензента до закрытия этапа куратором"), 0, 10, 2
    )
    reveal_reviewer = BooleanField(lazy_gettext("Проверяемая школа видит, кто её проверял"))
    peer_types = MultiCheckboxField(lazy_gettext("Типы документов на взаимоэкспертизе"), coerce=int)

    def validate_reminder_days(self, field: IntegerField) -> None:
        review = self.review_days.data
        if field.data is not None and review is not None and field.data >= review:
            raise ValidationError(
                lazy_gettext(
                    "Напоминание должно приходить раньше срока: дней меньше, чем на проверку."
                )
            )


class PairingStartForm(FlaskForm):
    k = _whole(lazy_gettext("Сколько рецензий каждая школа даёт и получает (k)"), 1, K_MAX, 1)
    no_reciprocal = BooleanField(
        lazy_gettext("Запретить взаимные пары (A проверяет B и B проверяет A)")
    )


class SwapForm(FlaskForm):
    first = IntegerField(
        lazy_gettext("Пара №"),
        validators=[
            InputRequired(lazy_gettext("Укажите номер первой пары.")),
            NumberRange(min=1, message=NUMBER),
        ],
    )
    second = IntegerField(
        lazy_gettext("и пара №"),
        validators=[
            InputRequired(lazy_gettext("Укажите номер второй пары.")),
            NumberRange(min=1, message=NUMBER),
        ],
    )
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ConfirmForm(FlaskForm):
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
