"""Forms of the cross-check campaign screens (Flask-WTF, CSRF on every one)."""

from __future__ import annotations

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
        "Название",
        validators=[
            DataRequired("Укажите название кампании."),
            Length(max=200, message="Название — не длиннее 200 знаков."),
        ],
    )
    territory = SelectField("Территория", validate_choice=True)
    scope = SelectField(
        "Чьи эксперты проверяют работы",
        choices=[SelectChoice(str(k), v) for k, v in SCOPE_LABELS.items()],
    )
    no_reciprocal = BooleanField(
        "Без взаимных школ (если B проверяет A по предмету, A не проверяет B)"
    )
    second_percent = IntegerField(
        "Доля работ на вторую проверку (в процентах)",
        default=0,
        validators=[
            InputRequired("Доля второй проверки — целое число от 0 до 100."),
            NumberRange(min=0, max=100, message="Доля второй проверки — целое число от 0 до 100."),
        ],
    )
    subjects = StringField(
        "Предметы (коды, через точку с запятой: math;russian)",
        validators=[
            DataRequired("Укажите предметы."),
            Length(max=400, message="Слишком длинный список предметов."),
        ],
    )
    grades = StringField(
        "Классы (через точку с запятой: 4;5;6)",
        validators=[
            DataRequired("Укажите классы."),
            Length(max=40, message="Слишком длинный список классов."),
        ],
    )
    threshold = IntegerField(
        "Порог расхождения по умолчанию, первичных баллов",
        default=DEFAULT_THRESHOLD,
        validators=[
            InputRequired("Порог — целое число от 0 до 100."),
            NumberRange(min=0, max=100, message="Порог — целое число от 0 до 100."),
        ],
    )
    experts_deadline = DateField("Школы добавляют экспертов до", validators=[Optional()])
    checking_deadline = DateField("Срок проверки", validators=[Optional()])
    third_check_deadline = DateField("Срок третьей проверки", validators=[Optional()])
    lock_version = HiddenField()


class UploadListForm(FlaskForm):
    file = FileField("Файл CSV или XLSX", validators=[FileRequired("Выберите файл для загрузки.")])


class RuleForm(FlaskForm):
    threshold = IntegerField(
        "Порог",
        validators=[
            InputRequired("Порог — целое число от 0 до 100."),
            NumberRange(min=0, max=100, message="Порог — целое число от 0 до 100."),
        ],
    )
    mark3 = IntegerField("«3» от", validators=[Optional(), NumberRange(min=0, max=1000)])
    mark4 = IntegerField("«4» от", validators=[Optional(), NumberRange(min=0, max=1000)])
    mark5 = IntegerField("«5» от", validators=[Optional(), NumberRange(min=0, max=1000)])


class TransitionForm(FlaskForm):
    trigger = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(
        "Причина", validators=[Length(max=2000, message="Причина — не длиннее 2000 знаков.")]
    )
    lock_version = HiddenField()


class SchoolExpertForm(FlaskForm):
    school_code = SelectField("Школа", validate_choice=True)
    full_name = StringField(
        "ФИО учителя",
        validators=[
            DataRequired("Укажите ФИО."),
            Length(max=200, message="ФИО — не длиннее 200 знаков."),
        ],
    )
    email = StringField(
        "E-mail",
        validators=[
            DataRequired("Укажите e-mail."),
            Length(max=254, message="E-mail — не длиннее 254 знаков."),
        ],
    )
    subjects = StringField(
        "Предметы (math;russian)",
        validators=[DataRequired("Укажите предметы."), Length(max=400)],
    )
    grades = StringField(
        "Классы (5;6)", validators=[DataRequired("Укажите классы."), Length(max=40)]
    )
    capacity = IntegerField(
        "Сколько работ может проверить",
        validators=[
            InputRequired("Нагрузка — целое число от 0 до 10000."),
            NumberRange(min=0, max=10_000, message="Нагрузка — целое число от 0 до 10000."),
        ],
    )
