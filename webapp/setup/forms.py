"""Set-up forms (CSRF on every one); free text is length-limited with a Russian message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
        _l("Электронная почта"),
        validators=[
            DataRequired(_l("Введите адрес электронной почты.")),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Неверный адрес электронной почты.")),
            Length(max=254, message=_l("Адрес не длиннее 254 символов.")),
        ],
    )
    full_name = StringField(
        _l("Имя (ФИО или должность)"),
        validators=[
            DataRequired(_l("Укажите имя.")),
            Length(max=200, message=_l("Имя не длиннее 200 символов.")),
        ],
    )
    role = SelectField(_l("Роль"), validators=[DataRequired(_l("Выберите роль."))])
    region_id = SelectField(_l("Регион"), coerce=_optional_int, validators=[Optional()])
    municipality_id = SelectField(
        _l("Муниципалитет"), coerce=_optional_int, validators=[Optional()]
    )
    school_code = StringField(
        _l("Код школы (для ролей школы и эксперта)"),
        validators=[Optional(), Length(max=32, message=_l("Код школы не длиннее 32 символов."))],
    )


class ImportForm(FlaskForm):
    file = FileField(_l("Файл CSV или XLSX"))


class StageForm(FlaskForm):
    name = StringField(
        _l("Название этапа"),
        validators=[
            DataRequired(_l("Укажите название этапа.")),
            Length(max=200, message=_l("Название этапа не длиннее 200 символов.")),
        ],
    )
    starts_on = DateField(
        _l("Начало"), validators=[DataRequired(_l("Укажите дату начала (ГГГГ-ММ-ДД)."))]
    )
    ends_on = DateField(
        _l("Срок (последний день)"),
        validators=[DataRequired(_l("Укажите срок (ГГГГ-ММ-ДД)."))],
    )


class CampaignForm(FlaskForm):
    risks_per_school = IntegerField(
        _l("Сколько рисковых направлений выбирает школа"),
        validators=[
            DataRequired(_l("Укажите число от 1 до 10.")),
            NumberRange(1, 10, message=_l("Укажите число от 1 до 10.")),
        ],
    )
    is_open = SelectField(
        _l("Кампания открыта"),
        choices=[SelectChoice("1", _l("да")), SelectChoice("0", _l("нет"))],
        validate_choice=True,
    )


class TypeSettingForm(FlaskForm):
    review_days = IntegerField(
        _l("Дней на проверку куратором"),
        validators=[
            DataRequired(_l("Укажите число дней от 1 до 90.")),
            NumberRange(1, 90, message=_l("Укажите число дней от 1 до 90.")),
        ],
    )


class RiskChoiceForm(FlaskForm):
    risks = SelectMultipleField(
        _l("Рисковые направления"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
