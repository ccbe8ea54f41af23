"""What a document action did and who is told: the flash after each transition.

The sentence says what happened in the user's words (never the button's label again); the
second names who is told, from the trigger's audiences (the actor's own side is never told of
its own action, see webapp/notifications).
"""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext

from workflows.document import CURATORS, SCHOOL, DocumentTrigger, document_workflow

T = DocumentTrigger

DONE = {
    T.SUBMIT: lazy_gettext("Документ отправлен на проверку."),
    T.WITHDRAW: lazy_gettext(
        "Документ отозван с проверки: загрузите новую версию и отправьте его снова, когда "
        "будете готовы."
    ),
    T.START_REVIEW: lazy_gettext("Документ взят на проверку: откройте чек-лист."),
    T.REQUEST_REVISION: lazy_gettext("Документ возвращён школе на доработку с замечаниями."),
    T.RESUBMIT: lazy_gettext("Исправленная версия отправлена на проверку с ответами на замечания."),
    T.ACCEPT: lazy_gettext("Документ принят."),
    T.START_PEER_REVIEW: lazy_gettext("Документ передан на взаимоэкспертизу."),
    T.FINISH_PEER_REVIEW: lazy_gettext("Взаимоэкспертиза документа завершена."),
    T.APPROVE: lazy_gettext("Документ утверждён."),
    T.REOPEN: lazy_gettext("Документ открыт повторно и вернулся на проверку куратору."),
}

AUDIENCE = {
    SCHOOL: lazy_gettext("школа"),
    CURATORS: lazy_gettext("куратор школы"),
}


def done_message(trigger: str) -> str:
    """«What happened. Уведомление получит: who.» for the flash after ``trigger``."""
    told = [str(AUDIENCE[a]) for a in document_workflow.meta[trigger].notify]
    text = str(DONE[DocumentTrigger(trigger)])
    if told:
        text += " " + gettext("Уведомление получит: %(who)s.", who=", ".join(told))
    return text


def verdict_message(verdict: str, approved: bool) -> str:
    """The flash after a checklist verdict (approval in the same step when chosen)."""
    if verdict == "revise":
        return done_message(T.REQUEST_REVISION)
    if approved:
        return " ".join(
            (
                gettext("Документ принят и утверждён."),
                gettext("Уведомление получит: %(who)s.", who=str(AUDIENCE[SCHOOL])),
            )
        )
    return done_message(T.ACCEPT)
