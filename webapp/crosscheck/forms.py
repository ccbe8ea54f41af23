"""Forms of the cross-check campaign screens (Flask-WTF, CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.crosscheck.models import DEFAULT_THRESHOLD
from workflows.crosscheck_campaign import SCOPE_LABELS

LIST_HINT = "Через точку с запятой"


class CampaignForm(FlaskForm):
    title = StringField(
        lazy_gettext("Название"),
        validators=[
            DataRequired(lazy_gettext("Укажите название кампании.")),
            Length(max=200, message=lazy_gettext("Название — не длиннее 200 знаков.")),
        ],
    )
    territory = SelectField(lazy_gettext("Территория"), validate_choice=True)
    scope = SelectField(
        lazy_gettext("Чьи эксперты проверяют работы"),
        choices=[SelectChoice(str(k), v) for k, v in SCOPE_LABELS.items()],
    )
    no_reciprocal = BooleanField(
        lazy_gettext("Без взаимных школ (если B проверяет A по предмету, A не проверяет B)")
    )
    second_percent = IntegerField(
        lazy_gettext("Доля работ на вторую проверку (в процентах)"),
        default=0,
        validators=[
            InputRequired(lazy_gettext("Доля второй проверки — целое число от 0 до 100.")),
            NumberRange(
                min=0,
                max=100,
                message=lazy_gettext("Доля второй проверки — целое число от 0 до 100."),
            ),
        ],
    )
    subjects = StringField(
        lazy_gettext("Предметы (коды, через точку с запятой: math;russian)"),
        validators=[
            DataRequired(lazy_gettext("Укажите предметы.")),
            Length(max=400, message=lazy_gettext("Слишком длинный список предметов.")),
        ],
    )
    grades = StringField(
        lazy_gettext("Классы (через точку с запятой: 4;5;6)"),
        validators=[
            DataRequired(lazy_gettext("Укажите классы.")),
            Length(max=40, message=lazy_gettext("Слишком длинный список классов.")),
        ],
    )
    threshold = IntegerField(
        lazy_gettext("Порог расхождения по умолчанию, первичных баллов"),
        default=DEFAULT_THRESHOLD,
        validators=[
            InputRequired(lazy_gettext("Порог — целое число от 0 до 100.")),
            NumberRange(min=0, max=100, message=lazy_gettext("Порог — целое число от 0 до 100.")),
        ],
    )
    experts_deadline = DateField(
        lazy_gettext("Школы добавляют экспертов до"), validators=[Optional()]
    )
    checking_deadline = DateField(lazy_gettext("Срок проверки"), validators=[Optional()])
    third_check_deadline = DateField(lazy_gettext("Срок третьей проверки"), validators=[Optional()])
    lock_version = HiddenField()


class UploadListForm(FlaskForm):
    file = FileField(
        lazy_gettext("Файл CSV или XLSX"),
        validators=[FileRequired(lazy_gettext("Выберите файл для загрузки."))],
    )


class RuleForm(FlaskForm):
    threshold = IntegerField(
        lazy_gettext("Порог"),
        validators=[
            InputRequired(lazy_gettext("Порог — целое число от 0 до 100.")),
            NumberRange(min=0, max=100, message=lazy_gettext("Порог — целое число от 0 до 100.")),
        ],
    )
    mark3 = IntegerField(
        lazy_gettext("«3» от"), validators=[Optional(), NumberRange(min=0, max=1000)]
    )
    mark4 = IntegerField(
        lazy_gettext("«4» от"), validators=[Optional(), NumberRange(min=0, max=1000)]
    )
    mark5 = IntegerField(
        lazy_gettext("«5» от"), validators=[Optional(), NumberRange(min=0, max=1000)]
    )


class TransitionForm(FlaskForm):
    trigger = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(
        lazy_gettext("Причина"),
        validators=[Length(max=2000, message=lazy_gettext("Причина — не длиннее 2000 знаков."))],
    )
    lock_version = HiddenField()


class SchoolExpertForm(FlaskForm):
    school_code = SelectField(lazy_gettext("Школа"), validate_choice=True)
    full_name = StringField(
        lazy_gettext("ФИО учителя"),
        validators=[
            DataRequired(lazy_gettext("Укажите ФИО.")),
            Length(max=200, message=lazy_gettext("ФИО — не длиннее 200 знаков.")),
        ],
    )
    email = StringField(
        "E-mail",
        validators=[
            DataRequired(lazy_gettext("Укажите e-mail.")),
            Length(max=254, message=lazy_gettext("E-mail — не длиннее 254 знаков.")),
        ],
    )
    subjects = StringField(
        lazy_gettext("Предметы (math;russian)"),
        validators=[DataRequired(lazy_gettext("Укажите предметы.")), Length(max=400)],
    )
    grades = StringField(
        lazy_gettext("Классы (5;6)"),
        validators=[DataRequired(lazy_gettext("Укажите классы.")), Length(max=40)],
    )
    capacity = IntegerField(
        lazy_gettext("Сколько работ может проверить"),
        validators=[
            InputRequired(lazy_gettext("Нагрузка — целое число от 0 до 10000.")),
            NumberRange(
                min=0, max=10_000, message=lazy_gettext("Нагрузка — целое число от 0 до 10000.")
            ),
        ],
    )
