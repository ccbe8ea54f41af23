"""Who is told of what in the mutual expertise, and the texts (outbox rows, same transaction)."""

from __future__ import annotations

from sqlalchemy import and_, select

from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import local_text
from webapp.expertise.models import PeerAssignment
from webapp.expertise.services import assignment_opened, closing_asked
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.outbox import curator_ids, school_user_ids
from webapp.notifications.preferences import Kind
from webapp.orgs.models import Municipality, School
from webapp.orgs.zones import place_of, school_zone
from webapp.workflow.signals import transition_recorded
from workflows.machine import TransitionEvent
from workflows.peer_assignment import (
    REGIONAL_COORDINATORS,
    REVIEWED_CURATORS,
    REVIEWER_CURATORS,
    REVIEWER_SCHOOL,
    STATE_LABELS,
    PeerState,
    PeerTrigger,
    peer_workflow,
)


def assignment_link(assignment: PeerAssignment) -> str:
    return f"/peer/assignments/{assignment.id}"


def regional_coordinator_ids(school_id: int) -> set[int]:
    region = (
        select(Municipality.region_id)
        .join(School, School.municipality_id == Municipality.id)
        .where(School.id == school_id)
        .scalar_subquery()
    )
    stmt = (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            and_(Membership.role == RoleCode.REGIONAL_COORDINATOR, Membership.region_id == region),
            User.active.is_(True),
        )
    )
    return set(db.session.scalars(stmt))


AUDIENCES = {
    REVIEWED_CURATORS: lambda a: curator_ids(a.reviewed_school_id),
    REVIEWER_CURATORS: lambda a: curator_ids(a.reviewer_school_id),
    REVIEWER_SCHOOL: lambda a: school_user_ids(a.reviewer_school_id),
    REGIONAL_COORDINATORS: lambda a: regional_coordinator_ids(a.reviewer_school_id),
}


def _add(
    user_ids,
    assignment: PeerAssignment,
    key: str,
    subject: str,
    body: str,
    reviewer_side: set[int] | None = None,
    kind: Kind = Kind.PEER,
) -> int:
    """One row per recipient, deduplicated by key (a task that runs twice adds nothing)."""
    keys = {f"{key}:{uid}": uid for uid in user_ids}
    if not keys:
        return 0
    taken = set(
        db.session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys)))
    )
    if reviewer_side is None:
        reviewer_side = school_user_ids(assignment.reviewer_school_id)
    for dedupe, uid in sorted(keys.items()):
        if dedupe in taken:
            continue
        link = assignment_link(assignment) if uid in reviewer_side else None
        db.session.add(
            Notification(
                user_id=uid,
                document_id=None if link else assignment.document_id,
                link=link,
                dedupe_key=dedupe[:120],
                subject=subject[:300],
                body=body,
                kind=kind.value,
            )
        )
    return len(keys.keys() - taken)


def _title(assignment: PeerAssignment) -> str:
    return f"«{assignment.document.title}» ({assignment.reviewed_school.short_name})"


def _when(assignment: PeerAssignment, value) -> str:
    """A deadline as the reviewing school reads it: its own zone, named."""
    zone = school_zone(assignment.reviewer_school_id)
    return local_text(value, zone, place_of(zone))


def on_transition(assignment: PeerAssignment, *, event: TransitionEvent, log) -> None:
    if event.workflow != peer_workflow.name:
        return
    users = set()
    for audience in peer_workflow.meta[event.trigger].notify:
        people = AUDIENCES[audience](assignment)
        if audience == REVIEWER_SCHOOL and log.actor_id in people:
            continue  # a school is not told of its own actions
        users |= people
    users.discard(log.actor_id)
    kind = Kind.REMINDER if event.trigger == PeerTrigger.EXPIRE else Kind.PEER
    state = STATE_LABELS[PeerState(event.dest)]
    subject = f"Взаимоэкспертиза: {assignment.document.title} — {state}"
    body = f"{log.actor_name}: взаимоэкспертиза документа {_title(assignment)}: {state}."
    if log.comment:
        body += f"\nКомментарий: {log.comment}"
    db.session.flush()  # the log row's id names the notifications
    _add(users, assignment, f"peer:{log.id}", subject, body, kind=kind)


def on_opened(assignment: PeerAssignment) -> None:
    due = assignment.due_at
    subject = f"Назначение на взаимоэкспертизу: {assignment.document.title}"
    body = (
        f"Вашей школе назначена взаимоэкспертиза документа {_title(assignment)}. "
        f"Примите назначение или откажитесь с указанием причины до {_when(assignment, due)}."
    )
    staff = school_user_ids(assignment.reviewer_school_id)
    _add(staff, assignment, f"peer-open:{assignment.id}", subject, body, reviewer_side=staff)


def on_closing_asked(assignment: PeerAssignment) -> None:
    subject = f"Закройте этап взаимоэкспертизы: {assignment.document.title}"
    body = (
        f"Для документа {_title(assignment)} не удалось найти эксперта: замены исчерпаны "
        f"(попыток: {assignment.attempt}). Закройте этап взаимоэкспертизы, указав причину."
    )
    users = curator_ids(assignment.reviewed_school_id)
    _add(users, assignment, f"peer-close:{assignment.document_id}", subject, body)


def remind(assignment: PeerAssignment) -> int:
    """The one reminder before this deadline (a new deadline earns a new one)."""
    subject = f"Напоминание: взаимоэкспертиза {assignment.document.title}"
    what = (
        "примите назначение" if assignment.state == PeerState.ASSIGNED else "отправьте заключение"
    )
    body = (
        f"Срок по взаимоэкспертизе документа {_title(assignment)} истекает "
        f"{_when(assignment, assignment.due_at)}: {what}."
    )
    key = f"peer-remind:{assignment.id}:{assignment.due_at:%Y%m%d%H%M}"
    staff = school_user_ids(assignment.reviewer_school_id)
    return _add(staff, assignment, key, subject, body, kind=Kind.REMINDER)


def connect() -> None:
    transition_recorded.connect(on_transition, weak=False)
    assignment_opened.connect(on_opened, weak=False)
    closing_asked.connect(on_closing_asked, weak=False)
