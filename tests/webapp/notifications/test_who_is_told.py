"""Who is told of what: docs/notifications.md's table, written out here by hand.

Each case performs one action on the demo world and compares the notification rows it created
with the literal (recipient, kind) pairs the table names. Nothing is derived from the workflow
metadata: a change of an audience in ``workflows/`` must change this file and the table too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tasks import deadlines as deadline_tasks
from tasks import expertise as expertise_tasks
from tests.webapp.expertise.peer_support import (
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
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    answer_remarks,
    bring_to_review,
    complete_checklist,
    documents_of,
    fire,
    upload,
    user,
)
from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.expertise import services as peer_services
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.notifications.models import Notification

COORD_08 = "coord.08@ekspertiza.local"  # regional coordinator of the reviewed school's region
COORD_56 = "coord.56@ekspertiza.local"  # regional coordinator of the reviewer's region
CURATOR_56 = "curator4@ekspertiza.local"  # curator of the reviewing school 56-D01
ALTERNATE = "school.14-d01@ekspertiza.local"  # first replacement reviewer
PAIRS = [(REVIEWER, "08-UMC")]


def _doc():
    return documents_of("08-UMC")[0]


def _last_id() -> int:
    return db.session.scalar(select(func.max(Notification.id))) or 0


def told(action) -> set[tuple[str, str]]:
    """(e-mail, kind) of every notification the action created."""
    before = _last_id()
    action()
    db.session.expire_all()
    stmt = (
        select(User.email, Notification.kind)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id > before)
    )
    return set(db.session.execute(stmt).all())


# -- the document workflow -----------------------------------------------------------------------


def submitted():
    upload(_doc(), SCHOOL)
    return lambda: fire(_doc(), "submit", SCHOOL)


def withdrawn():
    upload(_doc(), SCHOOL)
    fire(_doc(), "submit", SCHOOL)
    return lambda: fire(_doc(), "withdraw", SCHOOL)


def review_started():
    upload(_doc(), SCHOOL)
    fire(_doc(), "submit", SCHOOL)
    return lambda: fire(_doc(), "start_review", CURATOR)


def returned():
    bring_to_review(_doc())
    complete_checklist(_doc(), CURATOR)
    return lambda: fire(_doc(), "request_revision", CURATOR, "Уточните цели")


def resubmitted():
    returned()()
    upload(_doc(), SCHOOL, "v2.pdf")
    answer_remarks(_doc(), SCHOOL)
    return lambda: fire(_doc(), "resubmit", SCHOOL)


def accepted():
    bring_to_review(_doc())
    complete_checklist(_doc(), CURATOR)
    return lambda: fire(_doc(), "accept", CURATOR)


def approved():
    accepted()()
    return lambda: fire(_doc(), "approve", CURATOR)


def reopened():
    approved()()
    return lambda: fire(_doc(), "reopen", COORD_08, "Ошибка в сроках")


def overdue():
    upload(_doc(), SCHOOL)
    fire(_doc(), "submit", SCHOOL)
    _doc().due_at = utcnow() - timedelta(days=1)
    db.session.commit()
    return deadline_tasks.escalate_overdue.run


# -- the mutual expertise ----------------------------------------------------------------------


def _paired() -> PeerAssignment:
    enable_peer_stage()
    document = accept_concept()
    confirm(make_pairing(PAIRS), PAIRS)
    return assignment_of(document, REVIEWER)


def peer_stage_started():
    enable_peer_stage()
    accept_concept()
    return lambda: confirm(make_pairing(PAIRS), PAIRS)


def peer_accepted():
    assignment = _paired()
    return lambda: act(assignment.id, "accept", REVIEWER_USER)


def peer_declined():
    assignment = _paired()
    return lambda: act(assignment.id, "decline", REVIEWER_USER, "Нет специалиста")


def peer_submitted():
    assignment = _paired()
    act(assignment.id, "accept", REVIEWER_USER)
    fill_conclusion(db.session.get(PeerAssignment, assignment.id))
    return lambda: act(assignment.id, "submit", REVIEWER_USER)


def peer_expired():
    assignment = _paired()
    db.session.execute(
        update(PeerAssignment)
        .where(PeerAssignment.id == assignment.id)
        .values(due_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    return expertise_tasks.scan_deadlines.run


def peer_stage_closed():
    assignment = _paired()

    def close():
        peer_services.close_stage(assignment.document_id, "Эксперт не найден", actor=user(CURATOR))
        db.session.commit()

    return close


UMC = SCHOOL  # school.08-umc: the document's school
D01 = REVIEWER_USER  # school.56-d01: the reviewing school

TABLE = {
    # document transitions
    "submit": (submitted, {(CURATOR, "action")}),
    "withdraw": (withdrawn, {(CURATOR, "changed")}),
    "start_review": (review_started, set()),
    "request_revision": (returned, {(UMC, "action")}),
    "resubmit": (resubmitted, {(CURATOR, "action")}),
    "accept": (accepted, {(UMC, "changed")}),
    "approve": (approved, {(UMC, "changed")}),
    "reopen": (reopened, {(UMC, "changed"), (CURATOR, "action")}),
    "overdue check": (overdue, {(CURATOR, "reminder"), (COORD_08, "reminder")}),
    # start_peer_review (system) + the assignment opened for the reviewer
    "start_peer_review": (peer_stage_started, {(UMC, "changed"), (D01, "peer")}),
    # peer assignment transitions
    "peer accept": (peer_accepted, set()),
    # decline: both curators; the replacement reviewer gets its own assignment
    "peer decline": (
        peer_declined,
        {(CURATOR, "peer"), (CURATOR_56, "peer"), (ALTERNATE, "peer")},
    ),
    # submit (k = 1): the reviewed school's curator; the system then finishes the stage
    # (finish_peer_review) and the curator must act next
    "peer submit": (peer_submitted, {(CURATOR, "peer"), (CURATOR, "action")}),
    "peer expire": (
        peer_expired,
        {(D01, "reminder"), (CURATOR_56, "reminder"), (COORD_56, "reminder"), (ALTERNATE, "peer")},
    ),
    # the curator closes the stage: cancel tells the reviewer; finish_peer_review tells the
    # school's other curators (here none: the actor is the only one)
    "peer cancel": (peer_stage_closed, {(D01, "peer")}),
}


@pytest.mark.parametrize("case", list(TABLE))
def test_who_is_told(app, demo, case):
    setup, expected = TABLE[case]
    action = setup()
    assert told(action) == expected


def test_a_school_is_not_told_of_its_colleagues_actions(app, demo):
    """A second staff member of the school: the submission tells the curator only."""
    colleague = User(email="deputy.08-umc@ekspertiza.local", full_name="Завуч")
    colleague.set_password("demo-pass")
    colleague.memberships.extend(
        type(m)(role=m.role, school_id=m.school_id) for m in user(SCHOOL).memberships
    )
    db.session.add(colleague)
    db.session.commit()
    action = submitted()
    assert told(action) == {(CURATOR, "action")}
    # but both are told when the curator returns the document
    fire(_doc(), "start_review", CURATOR)
    complete_checklist(_doc(), CURATOR)
    returned_by_curator = told(lambda: fire(_doc(), "request_revision", CURATOR, "Уточните"))
    assert returned_by_curator == {(UMC, "action"), ("deputy.08-umc@ekspertiza.local", "action")}
