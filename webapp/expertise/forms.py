"""Forms of the mutual expertise screens: an assignment action, the peer checklist, closing."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from webapp.expertise.services import COMMENT_MAX, CONCLUSION_MAX
from webapp.reviews.models import ANSWER_LABELS
from workflows.peer_assignment import peer_workflow

REASON_MAX = 5000


class PeerTransitionForm(FlaskForm):
    """One action on an assignment; the button pressed names the trigger."""

    trigger = StringField(
        validators=[
            DataRequired(lazy_gettext("Выберите действие.")),
            AnyOf(peer_workflow.triggers(), message=lazy_gettext("Неизвестное действие.")),
        ]
    )
    comment = TextAreaField(
        lazy_gettext("Причина отказа"),
        validators=[
            Length(max=REASON_MAX, message=lazy_gettext("Комментарий длиннее 5000 символов."))
        ],
    )
    lock_version = IntegerField(validators=[Optional()])


class CloseStageForm(FlaskForm):
    """The curator closes a document's peer stage; the reason is required."""

    reason = TextAreaField(
        lazy_gettext("Причина закрытия этапа"),
        validators=[
            DataRequired(lazy_gettext("Укажите причину закрытия этапа.")),
            Length(max=REASON_MAX, message=lazy_gettext("Причина длиннее 5000 символов.")),
        ],
    )


class PeerChecklistForm(FlaskForm):
    """Fields ``status_<criterion id>`` and ``comment_<criterion id>`` are added per template."""

    conclusion = TextAreaField(
        lazy_gettext("Заключение"),
        validators=[
            Length(max=CONCLUSION_MAX, message=lazy_gettext("Заключение длиннее 10000 символов."))
        ],
    )
    action = StringField(
        validators=[AnyOf(["save", "submit"], message=lazy_gettext("Неизвестное действие."))],
        default="save",
    )
    lock_version = IntegerField(validators=[Optional()])

    def answers(self, criteria) -> list[tuple[int, str, str]]:
        """(criterion id, status, comment) of every rated criterion, as typed."""
        rows = []
        for c in criteria:
            status = self[f"status_{c.id}"].data or ""
            if status:
                rows.append((c.id, status, self[f"comment_{c.id}"].data or ""))
        return rows

    @property
    def wants_submit(self) -> bool:
        return self.action.data == "submit"


def peer_checklist_form(criteria, assignment=None, formdata=None) -> PeerChecklistForm:
    """The form for a template's criteria: on the request's data, or filled from the draft."""

    class _Form(PeerChecklistForm):
        pass

    choices = [
        SelectChoice("", "—"),
        *(SelectChoice(code.value, label) for code, label in ANSWER_LABELS.items()),
    ]
    for c in criteria:
        setattr(
            _Form, f"status_{c.id}", SelectField(choices=choices, default="", validate_choice=True)
        )
        setattr(
            _Form,
            f"comment_{c.id}",
            StringField(
                validators=[
                    Length(
                        max=COMMENT_MAX, message=lazy_gettext("Комментарий длиннее 2000 символов.")
                    )
                ]
            ),
        )
    if formdata is not None:
        return _Form(formdata=formdata)
    data = {"conclusion": assignment.conclusion if assignment else ""}
    for c in criteria:
        answer = assignment.answer_for(c.id) if assignment else None
        data[f"status_{c.id}"] = answer.status if answer else ""
        data[f"comment_{c.id}"] = answer.comment if answer else ""
    return _Form(formdata=None, data=data)
