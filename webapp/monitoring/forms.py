"""Forms of the monitoring screens (Flask-WTF, CSRF on every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from webapp.monitoring.models import TEXT_LIMITS
from workflows.evidence_check import evidence_workflow

COMMENT_MAX = 5000


class RussianDecimalField(DecimalField):
    """A number typed with a decimal comma (as Russian users do) or a point."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [
                v.replace(" ", "").replace("\u00a0", "").replace(",", ".") for v in valuelist
            ]
        super().process_formdata(valuelist)


def _text(label, name: str, area: bool = False):
    limit = TEXT_LIMITS[name]
    cls = TextAreaField if area else StringField
    return cls(
        label,
        validators=[
            DataRequired(lazy_gettext("Заполните поле «%(field)s».", field=label)),
            Length(max=limit, message=lazy_gettext("Не длиннее %(n)d символов.", n=limit)),
        ],
    )


class MeasureForm(FlaskForm):
    document_id = SelectField(
        lazy_gettext("Программа (документ)"), coerce=int, validate_choice=True
    )
    goal = _text(lazy_gettext("Цель"), "goal", area=True)
    task = _text(lazy_gettext("Задача"), "task", area=True)
    title = _text(lazy_gettext("Мероприятие"), "title", area=True)
    deadline = DateField(
        lazy_gettext("Срок"),
        validators=[InputRequired(lazy_gettext("Укажите срок выполнения мероприятия."))],
    )
    responsible = _text(lazy_gettext("Ответственный"), "responsible")
    indicator = _text(lazy_gettext("Показатель"), "indicator")
    target_value = RussianDecimalField(
        lazy_gettext("Целевое значение"),
        places=None,
        validators=[InputRequired(lazy_gettext("Укажите целевое значение числом."))],
    )
    unit = _text(lazy_gettext("Единица измерения"), "unit")


class ReportForm(FlaskForm):
    actual_value = RussianDecimalField(
        lazy_gettext("Фактическое значение"), places=None, validators=[Optional()]
    )
    file = FileField(lazy_gettext("Файл-подтверждение (PDF, DOCX, ODT, XLSX, ODS)"))
    lock_version = IntegerField(validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(
        lazy_gettext("Таблица мероприятий (XLSX или CSV)"),
        validators=[FileRequired(lazy_gettext("Выберите файл для загрузки."))],
    )


class TransitionForm(FlaskForm):
    trigger = StringField(
        validators=[
            DataRequired(lazy_gettext("Выберите действие.")),
            AnyOf(evidence_workflow.triggers(), message=lazy_gettext("Неизвестное действие.")),
        ]
    )
    comment = TextAreaField(
        lazy_gettext("Замечание"),
        validators=[
            Length(max=COMMENT_MAX, message=lazy_gettext("Замечание длиннее 5000 символов.")),
        ],
    )
    lock_version = IntegerField(validators=[Optional()])
