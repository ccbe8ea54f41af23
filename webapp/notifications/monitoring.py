"""Who is told of an evidence check's transitions, and the texts (outbox rows, same transaction),
in each recipient's language.

Audiences of ``workflows.evidence_check`` metadata: ``school`` (the measure's school members) and
``checkers`` (the school's curators and the municipal coordinators of its municipality).
"""

from __future__ import annotations

from flask_babel import force_locale, gettext
from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.outbox import _locale_of, curator_ids, school_user_ids
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


def evidence_text(measure, state_value: str, log) -> tuple[str, str]:
    """Subject and body in the current language (the caller forces the recipient's)."""
    state = gettext(STATE_LABELS[EvidenceState(state_value)])
    subject = gettext("Мониторинг: %(title)s — %(state)s", title=measure.title[:200], state=state)
    body = gettext(
        "%(actor)s — мероприятие «%(title)s» (%(school)s): %(state)s.",
        actor=log.actor_name,
        title=measure.title,
        school=measure.school.short_name,
        state=state,
    )
    if log.comment:
        body += "\n" + gettext("Замечание: %(comment)s", comment=log.comment)
    return subject, body


def on_transition(check, *, event: TransitionEvent, log) -> None:
    if event.workflow != evidence_workflow.name:
        return
    measure = check.measure
    db.session.flush()  # the log row's id names the notifications
    users = sorted(recipients_for(event.trigger, measure.school_id) - {log.actor_id})
    for uid in users:
        with force_locale(_locale_of(uid)):
            subject, body = evidence_text(measure, event.dest, log)
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
