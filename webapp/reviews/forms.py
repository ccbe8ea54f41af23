"""The curator's checklist form: a status and a comment per criterion, a verdict, a comment."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from webapp.reviews.models import ANSWER_LABELS, REMARK_ANSWER_MAX, VERDICT_LABELS

CRITERION_COMMENT_MAX = 2000
COMMENT_MAX = 5000


class ChecklistForm(FlaskForm):
    """Fields ``status_<criterion id>`` and ``comment_<criterion id>`` are added per template."""

    verdict = RadioField(
        lazy_gettext("Решение"),
        choices=[SelectChoice(code.value, label) for code, label in VERDICT_LABELS.items()],
        validators=[Optional()],
        validate_choice=True,
    )
    comment = TextAreaField(
        validators=[
            Length(max=COMMENT_MAX, message=lazy_gettext("Комментарий длиннее 5000 символов."))
        ]
    )
    lock_version = IntegerField(validators=[Optional()])
    action = StringField()
    approve_now = BooleanField()

    def answers(self, criteria) -> dict[int, tuple[str, str]]:
        """criterion id → (status, comment) as typed."""
        return {
            c.id: (self[f"status_{c.id}"].data or "", self[f"comment_{c.id}"].data or "")
            for c in criteria
        }

    def validate_commented_criteria(self, criteria) -> bool:
        """A comment needs a rating: otherwise it could not be stored and would be lost."""
        ok = True
        for c in criteria:
            status, comment = self[f"status_{c.id}"], self[f"comment_{c.id}"]
            if (comment.data or "").strip() and not status.data:
                status.errors = [
                    *status.errors,
                    gettext(
                        "Выберите оценку для критерия %(position)s: к нему написан комментарий.",
                        position=c.position,
                    ),
                ]
                ok = False
        return ok

    @property
    def wants_verdict(self) -> bool:
        return self.action.data != "save"


def checklist_form(criteria, formdata=None) -> ChecklistForm:
    """A form class with the template's criteria, instantiated on the request's data."""

    class _Form(ChecklistForm):
        pass

    choices = [
        SelectChoice("", "—"),
        *(SelectChoice(code.value, label) for code, label in ANSWER_LABELS.items()),
    ]
    for c in criteria:
        status = SelectField(choices=choices, validate_choice=True, validators=[Optional()])
        setattr(_Form, f"status_{c.id}", status)
        setattr(
            _Form,
            f"comment_{c.id}",
            StringField(
                validators=[
                    Length(
                        max=CRITERION_COMMENT_MAX,
                        message=lazy_gettext("Комментарий длиннее 2000 символов."),
                    )
                ]
            ),
        )
    return _Form() if formdata is None else _Form(formdata=formdata)


class RemarkAnswersForm(FlaskForm):
    """Fields ``answer_<remark id>`` are added per open remark."""

    def answers(self, remarks) -> dict[int, str]:
        return {r.id: self[f"answer_{r.id}"].data or "" for r in remarks}


def remark_answers_form(remarks, formdata=None) -> RemarkAnswersForm:
    """A form with one answer box per remark of the open round."""

    class _Form(RemarkAnswersForm):
        pass

    for r in remarks:
        setattr(
            _Form,
            f"answer_{r.id}",
            TextAreaField(
                validators=[
                    Length(
                        max=REMARK_ANSWER_MAX,
                        message=lazy_gettext(
                            "Ответ длиннее %(max)s символов.", max=REMARK_ANSWER_MAX
                        ),
                    )
                ],
                default=r.answer,
            ),
        )
    return _Form() if formdata is None else _Form(formdata=formdata)
