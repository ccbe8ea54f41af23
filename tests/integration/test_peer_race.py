"""Races of the mutual expertise on PostgreSQL with real threads: exactly one winner."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.webapp.expertise.peer_support import (
    REVIEWED,
    REVIEWER,
    REVIEWER_USER,
    accept_concept,
    act,
    assignment_of,
    confirm,
    enable_peer_stage,
    fill_conclusion,
    make_pairing,
)
from tests.webapp.helpers import user
from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import utcnow
from webapp.expertise import services
from webapp.expertise.deadlines import expire_overdue
from webapp.expertise.models import PeerAssignment, PeerAssignmentLog
from webapp.extensions import db

PAIRS = [(REVIEWER, REVIEWED)]
pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]


def race(app, actions) -> list[str]:
    """Run the actions at once, each in its own session; what each one saw."""
    barrier = threading.Barrier(len(actions))
    results: list[str] = []

    def run(action) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results.append(action())
            except Exception as exc:
                db.session.rollback()
                results.append(type(exc).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


@pytest.fixture
def assignment(app, demo):
    enable_peer_stage()
    document = accept_concept()
    confirm(make_pairing(PAIRS), PAIRS)
    return assignment_of(document, REVIEWER)


def test_decline_and_expiry_at_once_give_one_replacement(app, assignment):
    db.session.get(PeerAssignment, assignment.id).due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assignment_id, document_id = assignment.id, assignment.document_id

    def decline() -> str:
        services.fire(
            assignment_id, "decline", actor=user(REVIEWER_USER), comment="Некому проверять"
        )
        db.session.commit()
        return "declined"

    def expire() -> str:
        return f"expired:{expire_overdue(utcnow())}"

    outcome = race(app, [decline, expire])
    assert outcome in (["declined", "expired:0"], ["StateConflict", "expired:1"])
    db.session.expire_all()
    rows = db.session.scalars(
        select(PeerAssignment).where(PeerAssignment.document_id == document_id)
    ).all()
    assert len(rows) == 2
    (replacement,) = [r for r in rows if r.id != assignment_id]
    assert replacement.replaces_id == assignment_id
    finished = db.session.scalar(
        select(func.count()).where(
            PeerAssignmentLog.peer_assignment_id == assignment_id,
            PeerAssignmentLog.to_state.in_(["declined", "expired"]),
        )
    )
    assert finished == 1


def test_two_users_of_the_reviewing_school_submit_once(app, assignment):
    second = User(email="deputy.56-d01@ekspertiza.local", full_name="Завуч: Демо-школа № 1")
    second.set_password("demo-pass")
    school_id = assignment.reviewer_school_id
    second.memberships = [Membership(role=RoleCode.SCHOOL, school_id=school_id)]
    db.session.add(second)
    db.session.commit()
    act(assignment.id, "accept", REVIEWER_USER)
    fill_conclusion(db.session.get(PeerAssignment, assignment.id))
    assignment_id = assignment.id

    def submit(email: str):
        def go() -> str:
            services.fire(assignment_id, "submit", actor=user(email))
            db.session.commit()
            return "submitted"

        return go

    outcome = race(app, [submit(REVIEWER_USER), submit(second.email)])
    assert outcome == ["StateConflict", "submitted"]
    db.session.expire_all()
    submissions = db.session.scalar(
        select(func.count()).where(
            PeerAssignmentLog.peer_assignment_id == assignment_id,
            PeerAssignmentLog.event == "submit",
        )
    )
    assert submissions == 1
