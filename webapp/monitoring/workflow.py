"""The evidence check workflow bound to the database: every guard fact comes from here."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.documents.workflow import SYSTEM_NAME
from webapp.extensions import db
from webapp.monitoring.models import EvidenceCheck, EvidenceFile, Measure
from webapp.monitoring.permissions import checks_school, may_report
from webapp.workflow.service import Binding
from workflows import evidence_check as ew


def check_roles(user: User | None, check: EvidenceCheck) -> set[str]:
    roles: set[str] = set()
    if user is None:
        return roles
    measure = db.session.get(Measure, check.measure_id)
    if may_report(user, measure.school_id):
        roles.add(ew.EvidenceRole.SCHOOL.value)
    if checks_school(user, measure.school):
        roles.add(ew.EvidenceRole.CHECKER.value)
    return roles


def evidence_count(check_id: int) -> int:
    stmt = select(func.count()).select_from(EvidenceFile).where(EvidenceFile.check_id == check_id)
    return db.session.scalar(stmt) or 0


def build_context(
    check: EvidenceCheck, actor: User | None, *, comment: str = "", system: bool = False
) -> ew.Context:
    return ew.Context(
        actor_id=None if actor is None else actor.id,
        actor_name=SYSTEM_NAME if actor is None else actor.full_name,
        roles=frozenset(check_roles(actor, check)),
        comment=comment,
        has_actual_value=check.actual_value is not None,
        evidence_count=evidence_count(check.id),
    )


def conflict_message(check: EvidenceCheck) -> str:
    state = gettext(ew.STATE_LABELS[ew.EvidenceState(check.state)])
    who = check.state_changed_by or gettext("другой пользователь")
    when = check.state_changed_at.strftime("%d.%m.%Y %H:%M")
    return gettext(
        "Отчёт уже изменён: %(who)s, %(when)s UTC. Сейчас: «%(state)s». Обновите страницу.",
        who=who,
        when=when,
        state=state,
    )


EVIDENCE_CHECKS = Binding(
    model=EvidenceCheck, build_context=build_context, conflict_message=conflict_message
)
