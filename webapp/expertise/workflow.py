"""The peer assignment workflow bound to the database: facts derived from rows."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.auth.permissions import is_curator_of, is_school_member
from webapp.common.time import utcnow
from webapp.common.web import shown_time
from webapp.documents.workflow import SYSTEM_NAME
from webapp.expertise.models import PeerAssignment, PeerStage
from webapp.extensions import db
from webapp.orgs.zones import school_zone
from webapp.workflow.service import Binding
from workflows.document import DocumentState
from workflows.peer_assignment import STATE_LABELS, Context, PeerRole, PeerState


def stage_of(campaign_id: int) -> PeerStage:
    """The campaign's peer stage settings (the documented defaults until someone edits them)."""
    stage = db.session.scalars(
        select(PeerStage).where(PeerStage.campaign_id == campaign_id)
    ).first()
    if stage is None:
        stage = PeerStage(campaign_id=campaign_id)
        db.session.add(stage)
        db.session.flush()
    return stage


def peer_roles(user: User | None, assignment: PeerAssignment) -> set[str]:
    if user is None:
        return set()
    roles = set()
    if is_school_member(user, assignment.reviewer_school_id):
        roles.add(PeerRole.REVIEWER.value)
    if is_curator_of(user, assignment.reviewed_school_id):
        roles.add(PeerRole.CURATOR.value)
    return roles


def build_context(
    assignment: PeerAssignment, actor: User | None, *, comment: str = "", system: bool = False
) -> Context:
    """Everything the peer guards look at, read from the database."""
    roles = peer_roles(actor, assignment)
    if system:
        roles.add(PeerRole.SYSTEM.value)
    due = assignment.due_at
    return Context(
        actor_id=None if actor is None else actor.id,
        actor_name=SYSTEM_NAME if actor is None else actor.full_name,
        roles=frozenset(roles),
        comment=comment,
        conclusion_complete=assignment.is_complete(),
        document_ready=assignment.document.state == DocumentState.PEER_REVIEW,
        deadline_passed=due is not None and due < utcnow(),
        review_days=stage_of(assignment.campaign_id).review_days,
        time_zone=school_zone(assignment.reviewer_school_id),
    )


def conflict_message(assignment: PeerAssignment) -> str:
    state = gettext(STATE_LABELS[PeerState(assignment.state)])
    who = assignment.state_changed_by or gettext("другой пользователь")
    when = shown_time(assignment.state_changed_at)
    return gettext(
        "Назначение уже изменено: %(who)s, %(when)s. Сейчас: «%(state)s». Обновите страницу.",
        who=who,
        when=when,
        state=state,
    )


PEER_ASSIGNMENTS = Binding(
    model=PeerAssignment,
    build_context=build_context,
    conflict_message=conflict_message,
    load_options=(joinedload(PeerAssignment.document),),
)
