"""Forms of the monitoring screens (Flask-WTF, CSRF on every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
            DataRequired(_l("Заполните поле «%(field)s».", field=label)),
            Length(max=limit, message=_l("Не длиннее %(n)d символов.", n=limit)),
        ],
    )


class MeasureForm(FlaskForm):
    document_id = SelectField(_l("Программа (документ)"), coerce=int, validate_choice=True)
    goal = _text(_l("Цель"), "goal", area=True)
    task = _text(_l("Задача"), "task", area=True)
    title = _text(_l("Мероприятие"), "title", area=True)
    deadline = DateField(
        _l("Срок"), validators=[InputRequired(_l("Укажите срок выполнения мероприятия."))]
    )
    responsible = _text(_l("Ответственный"), "responsible")
    indicator = _text(_l("Показатель"), "indicator")
    target_value = RussianDecimalField(
        _l("Целевое значение"),
        places=None,
        validators=[InputRequired(_l("Укажите целевое значение числом."))],
    )
    unit = _text(_l("Единица измерения"), "unit")


class ReportForm(FlaskForm):
    actual_value = RussianDecimalField(
        _l("Фактическое значение"), places=None, validators=[Optional()]
    )
    file = FileField(_l("Файл-подтверждение (PDF, DOCX, ODT, XLSX, ODS)"))
    lock_version = IntegerField(validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(
        _l("Таблица мероприятий (XLSX или CSV)"),
        validators=[FileRequired(_l("Выберите файл для загрузки."))],
    )


class TransitionForm(FlaskForm):
    trigger = StringField(
        validators=[
            DataRequired(_l("Выберите действие.")),
            AnyOf(evidence_workflow.triggers(), message=_l("Неизвестное действие.")),
        ]
    )
    comment = TextAreaField(
        _l("Замечание"),
        validators=[
            Length(max=COMMENT_MAX, message=_l("Замечание длиннее 5000 символов.")),
        ],
    )
    lock_version = IntegerField(validators=[Optional()])
