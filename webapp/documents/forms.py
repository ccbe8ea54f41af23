"""Forms of the document page: a new version and a workflow action."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from workflows.document import document_workflow

COMMENT_MAX = 5000


class UploadForm(FlaskForm):
    file = FileField(
        lazy_gettext("Файл"), validators=[FileRequired(lazy_gettext("Выберите файл для загрузки."))]
    )


class TransitionForm(FlaskForm):
    """One action of the document's workflow; the button pressed names the trigger."""

    trigger = StringField(
        validators=[
            DataRequired(lazy_gettext("Выберите действие.")),
            AnyOf(document_workflow.triggers(), message=lazy_gettext("Неизвестное действие.")),
        ]
    )
    comment = TextAreaField(
        lazy_gettext("Комментарий"),
        validators=[
            Length(max=COMMENT_MAX, message=lazy_gettext("Комментарий длиннее 5000 символов."))
        ],
    )
    lock_version = IntegerField(validators=[Optional()])


class DiffForm(FlaskForm):
    """Two versions to compare (a GET form: reading only, no CSRF token)."""

    class Meta:
        csrf = False

    a = SelectField(lazy_gettext("Старая версия"), coerce=int, validate_choice=True)
    b = SelectField(lazy_gettext("Новая версия"), coerce=int, validate_choice=True)

    @classmethod
    def for_document(cls, document, formdata=None) -> DiffForm | None:
        """The form over the document's versions (None below two versions)."""
        numbers = [v.number for v in document.versions]
        if len(numbers) < 2:
            return None
        form = cls(formdata=formdata) if formdata is not None else cls(formdata=None)
        choices = [(n, gettext("Версия %(number)s", number=n)) for n in reversed(numbers)]
        form.a.choices = form.b.choices = choices
        if formdata is None:
            form.a.data, form.b.data = numbers[-2], numbers[-1]
        return form
