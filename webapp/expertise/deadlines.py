"""The deadline scan of the mutual expertise, as plain functions (the beat task is thin)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.expertise import services
from webapp.expertise.models import PeerAssignment, PeerStage
from webapp.extensions import db
from webapp.notifications.peer import remind
from workflows.machine import WorkflowError
from workflows.peer_assignment import OPEN_STATES, PeerTrigger

_OPEN = [s.value for s in OPEN_STATES]


def remind_before_deadlines(now: datetime) -> int:
    """One reminder per open assignment and deadline, ``reminder_days`` before it; commits."""
    stmt = (
        select(PeerAssignment, PeerStage.reminder_days)
        .join(PeerStage, PeerStage.campaign_id == PeerAssignment.campaign_id)
        .where(PeerAssignment.state.in_(_OPEN), PeerAssignment.due_at > now)
        .order_by(PeerAssignment.id)
    )
    created = 0
    for assignment, days in db.session.execute(stmt):
        if assignment.due_at - timedelta(days=days) <= now:
            created += remind(assignment)
    db.session.commit()
    return created


def expire_overdue(now: datetime) -> int:
    """Expire every open assignment past its deadline, one transaction each; returns how many."""
    expired = 0
    for assignment_id in services.overdue_assignments(now):
        try:
            services.fire(assignment_id, PeerTrigger.EXPIRE, actor=None, system=True)
            db.session.commit()
            expired += 1
        except WorkflowError:  # someone acted on it first (accepted, declined, submitted)
            db.session.rollback()
    return expired
