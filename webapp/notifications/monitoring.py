"""Who is told of an evidence check's transitions, and the texts (outbox rows, same transaction).

Audiences of ``workflows.evidence_check`` metadata: ``school`` (the measure's school members) and
``checkers`` (the school's curators and the municipal coordinators of its municipality).
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.outbox import curator_ids, school_user_ids
from webapp.orgs.models import School
from webapp.workflow.signals import transition_recorded
from workflows.evidence_check import STATE_LABELS, EvidenceState, evidence_workflow
from workflows.machine import TransitionEvent


def municipal_coordinator_ids(school_id: int) -> set[int]:
    municipality = select(School.municipality_id).where(School.id == school_id).scalar_subquery()
    stmt = (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.role == RoleCode.MUNICIPAL_COORDINATOR,
            Membership.municipality_id == municipality,
            User.active.is_(True),
        )
    )
    return set(db.session.scalars(stmt))


AUDIENCES = {
    "school": school_user_ids,
    "checkers": lambda school_id: curator_ids(school_id) | municipal_coordinator_ids(school_id),
}


def recipients_for(trigger: str, school_id: int) -> set[int]:
    users: set[int] = set()
    for audience in evidence_workflow.meta[trigger].notify:
        users |= AUDIENCES[audience](school_id)
    return users


def on_transition(check, *, event: TransitionEvent, log) -> None:
    if event.workflow != evidence_workflow.name:
        return
    measure = check.measure
    state = STATE_LABELS[EvidenceState(event.dest)]
    subject = f"Мониторинг: {measure.title[:200]} — {state}"
    body = (
        f"{log.actor_name} — мероприятие «{measure.title}» ({measure.school.short_name}): {state}."
    )
    if log.comment:
        body += f"\nЗамечание: {log.comment}"
    db.session.flush()  # the log row's id names the notifications
    users = sorted(recipients_for(event.trigger, measure.school_id) - {log.actor_id})
    for uid in users:
        db.session.add(
            Notification(
                user_id=uid,
                link=f"/monitoring/measures/{measure.id}",
                dedupe_key=f"evidence:{log.id}:{uid}"[:120],
                subject=subject[:300],
                body=body,
            )
        )


def connect() -> None:
    transition_recorded.connect(on_transition, weak=False)
