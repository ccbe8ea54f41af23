"""Forms of the document page: a new version and a workflow action."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from workflows.document import document_workflow

COMMENT_MAX = 5000


class UploadForm(FlaskForm):
    file = FileField("Файл", validators=[FileRequired("Выберите файл для загрузки.")])


class TransitionForm(FlaskForm):
    """One action of the document's workflow; the button pressed names the trigger."""

    trigger = StringField(
        validators=[
            DataRequired("Выберите действие."),
            AnyOf(document_workflow.triggers(), message="Неизвестное действие."),
        ]
    )
    comment = TextAreaField(
        "Комментарий",
        validators=[Length(max=COMMENT_MAX, message="Комментарий длиннее 5000 символов.")],
    )
    lock_version = IntegerField(validators=[Optional()])
