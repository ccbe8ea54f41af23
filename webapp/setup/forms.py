"""Set-up forms (CSRF on every one); free text is length-limited with a Russian message."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class InviteForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Электронная почта"),
        validators=[
            DataRequired(lazy_gettext("Введите адрес электронной почты.")),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=lazy_gettext("Неверный адрес электронной почты."),
            ),
            Length(max=254, message=lazy_gettext("Адрес не длиннее 254 символов.")),
        ],
    )
    full_name = StringField(
        lazy_gettext("Имя (ФИО или должность)"),
        validators=[
            DataRequired(lazy_gettext("Укажите имя.")),
            Length(max=200, message=lazy_gettext("Имя не длиннее 200 символов.")),
        ],
    )
    role = SelectField(
        lazy_gettext("Роль"), validators=[DataRequired(lazy_gettext("Выберите роль."))]
    )
    region_id = SelectField(lazy_gettext("Регион"), coerce=_optional_int, validators=[Optional()])
    municipality_id = SelectField(
        lazy_gettext("Муниципалитет"), coerce=_optional_int, validators=[Optional()]
    )
    school_code = StringField(
        lazy_gettext("Код школы (для ролей школы и эксперта)"),
        validators=[
            Optional(),
            Length(max=32, message=lazy_gettext("Код школы не длиннее 32 символов.")),
        ],
    )


class ImportForm(FlaskForm):
    file = FileField(lazy_gettext("Файл CSV или XLSX"))


class StageForm(FlaskForm):
    name = StringField(
        lazy_gettext("Название этапа"),
        validators=[
            DataRequired(lazy_gettext("Укажите название этапа.")),
            Length(max=200, message=lazy_gettext("Название этапа не длиннее 200 символов.")),
        ],
    )
    starts_on = DateField(
        lazy_gettext("Начало"),
        validators=[DataRequired(lazy_gettext("Укажите дату начала (ГГГГ-ММ-ДД)."))],
    )
    ends_on = DateField(
        lazy_gettext("Срок (последний день)"),
        validators=[DataRequired(lazy_gettext("Укажите срок (ГГГГ-ММ-ДД)."))],
    )


class CampaignForm(FlaskForm):
    risks_per_school = IntegerField(
        lazy_gettext("Сколько рисковых направлений выбирает школа"),
        validators=[
            DataRequired(lazy_gettext("Укажите число от 1 до 10.")),
            NumberRange(1, 10, message=lazy_gettext("Укажите число от 1 до 10.")),
        ],
    )
    is_open = SelectField(
        lazy_gettext("Кампания открыта"),
        choices=[SelectChoice("1", lazy_gettext("да")), SelectChoice("0", lazy_gettext("нет"))],
        validate_choice=True,
    )


class TypeSettingForm(FlaskForm):
    review_days = IntegerField(
        lazy_gettext("Дней на проверку куратором"),
        validators=[
            DataRequired(lazy_gettext("Укажите число дней от 1 до 90.")),
            NumberRange(1, 90, message=lazy_gettext("Укажите число дней от 1 до 90.")),
        ],
    )


class RiskChoiceForm(FlaskForm):
    risks = SelectMultipleField(
        lazy_gettext("Рисковые направления"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class RegionDeadlineForm(FlaskForm):
    region_id = IntegerField(validators=[DataRequired()])
    ends_on = DateField(
        lazy_gettext("Срок в регионе (пусто — федеральный)"), validators=[Optional()]
    )
