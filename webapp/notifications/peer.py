"""Who is told of what in the mutual expertise, and the texts (outbox rows, same transaction)."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import force_locale, gettext
from sqlalchemy import and_, select

from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import local_text
from webapp.expertise.models import PeerAssignment
from webapp.expertise.services import assignment_opened, closing_asked
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.outbox import _locale_of, curator_ids, school_user_ids
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
    texts: Callable[[], tuple[str, str]],
    reviewer_side: set[int] | None = None,
    kind: Kind = Kind.PEER,
) -> int:
    """One row per recipient, deduplicated by key (a task that runs twice adds nothing);
    ``texts()`` gives (subject, body) and is called in each recipient's language."""
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
        with force_locale(_locale_of(uid)):
            subject, body = texts()
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

    def texts() -> tuple[str, str]:
        state = gettext(STATE_LABELS[PeerState(event.dest)])
        subject = gettext(
            "Взаимоэкспертиза: %(title)s — %(state)s", title=assignment.document.title, state=state
        )
        body = gettext(
            "%(actor)s: взаимоэкспертиза документа %(document)s: %(state)s.",
            actor=log.actor_name,
            document=_title(assignment),
            state=state,
        )
        if log.comment:
            body += "\n" + gettext("Комментарий: %(comment)s", comment=log.comment)
        return subject, body

    db.session.flush()  # the log row's id names the notifications
    _add(users, assignment, f"peer:{log.id}", texts, kind=kind)


def on_opened(assignment: PeerAssignment) -> None:
    def texts() -> tuple[str, str]:
        subject = gettext(
            "Назначение на взаимоэкспертизу: %(title)s", title=assignment.document.title
        )
        body = gettext(
            "Вашей школе назначена взаимоэкспертиза документа %(document)s. Примите назначение "
            "или откажитесь с указанием причины до %(when)s.",
            document=_title(assignment),
            when=_when(assignment, assignment.due_at),
        )
        return subject, body

    staff = school_user_ids(assignment.reviewer_school_id)
    _add(staff, assignment, f"peer-open:{assignment.id}", texts, reviewer_side=staff)


def on_closing_asked(assignment: PeerAssignment) -> None:
    def texts() -> tuple[str, str]:
        subject = gettext(
            "Закройте этап взаимоэкспертизы: %(title)s", title=assignment.document.title
        )
        body = gettext(
            "Для документа %(document)s не удалось найти эксперта: замены исчерпаны "
            "(попыток: %(attempts)s). Закройте этап взаимоэкспертизы, указав причину.",
            document=_title(assignment),
            attempts=assignment.attempt,
        )
        return subject, body

    users = curator_ids(assignment.reviewed_school_id)
    _add(users, assignment, f"peer-close:{assignment.document_id}", texts)


def remind(assignment: PeerAssignment) -> int:
    """The one reminder before this deadline (a new deadline earns a new one)."""

    def texts() -> tuple[str, str]:
        subject = gettext(
            "Напоминание: взаимоэкспертиза %(title)s", title=assignment.document.title
        )
        what = (
            gettext("примите назначение")
            if assignment.state == PeerState.ASSIGNED
            else gettext("отправьте заключение")
        )
        body = gettext(
            "Срок по взаимоэкспертизе документа %(document)s истекает %(when)s: %(what)s.",
            document=_title(assignment),
            when=_when(assignment, assignment.due_at),
            what=what,
        )
        return subject, body

    key = f"peer-remind:{assignment.id}:{assignment.due_at:%Y%m%d%H%M}"
    staff = school_user_ids(assignment.reviewer_school_id)
    return _add(staff, assignment, key, texts, kind=Kind.REMINDER)


def connect() -> None:
    transition_recorded.connect(on_transition, weak=False)
    assignment_opened.connect(on_opened, weak=False)
    closing_asked.connect(on_closing_asked, weak=False)
