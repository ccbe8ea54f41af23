"""Who is told of what, and the texts: notification rows written in the same transaction as the
change (the outbox). The workflow layer announces each transition with the
``transition_recorded`` signal; this module subscribes, so models never import notifications.
"""

from __future__ import annotations

from flask_babel import force_locale, gettext
from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.preferences import Kind
from webapp.orgs.models import CuratorSchool
from webapp.workflow.signals import transition_recorded
from workflows.document import (
    CURATORS,
    SCHOOL,
    STATE_LABELS,
    DocumentState,
    DocumentTrigger,
    document_workflow,
)
from workflows.machine import TransitionEvent


def school_user_ids(school_id: int) -> set[int]:
    stmt = select(Membership.user_id).where(
        Membership.role == RoleCode.SCHOOL, Membership.school_id == school_id
    )
    return set(db.session.scalars(stmt))


def curator_ids(school_id: int) -> set[int]:
    stmt = select(CuratorSchool.curator_id).where(CuratorSchool.school_id == school_id)
    return set(db.session.scalars(stmt))


AUDIENCES = {SCHOOL: school_user_ids, CURATORS: curator_ids}
# (trigger, audience) pairs whose people must act next; everyone else told only learns of it.
ACTS_NEXT = {
    (DocumentTrigger.SUBMIT, CURATORS),
    (DocumentTrigger.RESUBMIT, CURATORS),
    (DocumentTrigger.REQUEST_REVISION, SCHOOL),
    (DocumentTrigger.FINISH_PEER_REVIEW, CURATORS),
    (DocumentTrigger.REOPEN, CURATORS),
}


def recipients_for(trigger: str, school_id: int, actor_id: int | None = None) -> dict[int, Kind]:
    """The people of the audiences the trigger's metadata names, with the kind each gets.

    Never the actor, and never the actor's own school: a school is not told of its own actions.
    """
    users: dict[int, Kind] = {}
    for audience in document_workflow.meta[trigger].notify:
        people = AUDIENCES[audience](school_id)
        if audience == SCHOOL and actor_id in people:
            continue
        kind = Kind.ACTION if (trigger, audience) in ACTS_NEXT else Kind.CHANGED
        for user_id in people:
            if users.get(user_id) != Kind.ACTION:
                users[user_id] = kind
    users.pop(actor_id, None)
    return users


def document_text(document, log) -> tuple[str, str]:
    state = gettext(STATE_LABELS[DocumentState(log.to_state)])
    subject = f"{document.title}: {state}"
    body = f"{log.actor_name} — «{document.title}» ({document.school.short_name}): {state}."
    if log.comment:
        body += "\n" + gettext("Комментарий: %(comment)s", comment=log.comment)
    return subject[:300], body


def _locale_of(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return (user.locale if user else None) or "ru"


def queue_for_document(document, log) -> list[Notification]:
    """One notification per recipient of this transition (never to the actor or its school),
    written in the recipient's language."""
    rows = []
    for user_id, kind in sorted(
        recipients_for(log.event, document.school_id, log.actor_id).items()
    ):
        with force_locale(_locale_of(user_id)):
            subject, body = document_text(document, log)
        row = Notification(
            user_id=user_id,
            document=document,
            subject=subject,
            body=body,
            transition_log=log,
            kind=kind.value,
        )
        db.session.add(row)
        rows.append(row)
    return rows


def _on_transition(sender, *, event: TransitionEvent, log) -> None:
    if event.workflow == document_workflow.name:
        queue_for_document(sender, log)


def connect() -> None:
    """Subscribe the outbox to the workflow layer (idempotent)."""
    transition_recorded.connect(_on_transition, weak=False)
