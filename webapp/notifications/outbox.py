"""Notification rows written in the same transaction as the state change (the outbox)."""

from __future__ import annotations

from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.orgs.models import CuratorSchool
from workflows.document import STATE_LABELS, DocumentState

# Which side hears about which event.
TO_CURATORS = {"submit", "resubmit", "withdraw", "reopen"}
TO_SCHOOL = {
    "start_review",
    "request_revision",
    "accept",
    "approve",
    "reopen",
    "start_peer_review",
    "finish_peer_review",
}


def _school_user_ids(school_id: int) -> set[int]:
    stmt = select(Membership.user_id).where(
        Membership.role == RoleCode.SCHOOL, Membership.school_id == school_id
    )
    return set(db.session.scalars(stmt))


def _curator_ids(school_id: int) -> set[int]:
    stmt = select(CuratorSchool.curator_id).where(CuratorSchool.school_id == school_id)
    return set(db.session.scalars(stmt))


def recipients_for(event: str, school_id: int) -> set[int]:
    users: set[int] = set()
    if event in TO_CURATORS:
        users |= _curator_ids(school_id)
    if event in TO_SCHOOL:
        users |= _school_user_ids(school_id)
    return users


def queue_for_transition(document, log) -> list[Notification]:
    """Add one notification per recipient of this transition (never to the actor)."""
    state = STATE_LABELS[DocumentState(log.to_state)]
    subject = f"{document.title}: {state}"
    body = f"{log.actor_name} — «{document.title}» ({document.school.short_name}): {state}."
    if log.comment:
        body += f"\nКомментарий: {log.comment}"
    rows = []
    for user_id in sorted(recipients_for(log.event, document.school_id) - {log.actor_id}):
        row = Notification(
            user_id=user_id, document=document, subject=subject[:300], body=body, transition_log=log
        )
        db.session.add(row)
        rows.append(row)
    return rows
