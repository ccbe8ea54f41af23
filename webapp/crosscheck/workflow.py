"""The cross-check campaign and score sheet workflows bound to the database."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckTask,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.crosscheck.permissions import coordinates_campaign, is_campaign_school
from webapp.documents.workflow import SYSTEM_NAME
from webapp.extensions import db
from webapp.workflow.service import Binding
from workflows import crosscheck_campaign as cw
from workflows import score_sheet as sw


def _exists(model, campaign_id: int) -> bool:
    stmt = select(model.id).where(model.campaign_id == campaign_id).limit(1)
    return db.session.scalars(stmt).first() is not None


def campaign_roles(user: User | None, campaign: CrossCheckCampaign) -> set[str]:
    roles = set()
    if coordinates_campaign(user, campaign):
        roles.add(cw.CampaignRole.COORDINATOR.value)
    if is_campaign_school(user, campaign):
        roles.add(cw.CampaignRole.SCHOOL.value)
    return roles


def live_sheet_counts(campaign_id: int) -> tuple[int, int]:
    """(live sheets, live sheets not yet submitted) of the campaign."""
    stmt = (
        select(ScoreSheet.state, func.count())
        .where(ScoreSheet.campaign_id == campaign_id)
        .group_by(ScoreSheet.state)
    )
    counts = dict(db.session.execute(stmt).all())
    live = sum(n for s, n in counts.items() if s in sw.LIVE_STATES)
    return live, live - counts.get(sw.SheetState.SUBMITTED.value, 0)


def build_campaign_context(
    campaign: CrossCheckCampaign, actor: User | None, *, comment: str = "", system: bool = False
) -> cw.Context:
    roles = campaign_roles(actor, campaign)
    if system:
        roles.add(cw.CampaignRole.SYSTEM.value)
    live, open_sheets = live_sheet_counts(campaign.id)
    deadline = campaign.experts_deadline
    return cw.Context(
        actor_id=None if actor is None else actor.id,
        actor_name=SYSTEM_NAME if actor is None else actor.full_name,
        roles=frozenset(roles),
        comment=comment,
        has_tasks=_exists(CrossCheckTask, campaign.id),
        has_works=_exists(CrossCheckWork, campaign.id),
        has_experts=_exists(CrossCheckExpert, campaign.id),
        has_sheets=live > 0,
        open_sheets=open_sheets,
        experts_deadline_passed=deadline is not None and deadline < utcnow(),
    )


def campaign_conflict(campaign: CrossCheckCampaign) -> str:
    state = gettext(cw.STATE_LABELS[cw.CampaignState(campaign.state)])
    who = campaign.state_changed_by or gettext("другой пользователь")
    when = campaign.state_changed_at.strftime("%d.%m.%Y %H:%M")
    return gettext(
        "Кампания уже изменена: %(who)s, %(when)s UTC. Сейчас: «%(state)s». Обновите страницу.",
        who=who,
        when=when,
        state=state,
    )


CAMPAIGNS = Binding(
    model=CrossCheckCampaign,
    build_context=build_campaign_context,
    conflict_message=campaign_conflict,
)


def max_points_of(work: CrossCheckWork) -> list[int]:
    stmt = (
        select(CrossCheckTask.max_points)
        .where(
            CrossCheckTask.campaign_id == work.campaign_id,
            CrossCheckTask.subject == work.subject,
            CrossCheckTask.grade == work.grade,
        )
        .order_by(CrossCheckTask.number)
    )
    return list(db.session.scalars(stmt))


def sheet_roles(user: User | None, sheet: ScoreSheet) -> set[str]:
    roles = set()
    if user is not None and sheet.expert.user_id == user.id:
        roles.add(sw.SheetActor.EXPERT.value)
    campaign = db.session.get(CrossCheckCampaign, sheet.campaign_id)
    if coordinates_campaign(user, campaign):
        roles.add(sw.SheetActor.COORDINATOR.value)
    return roles


def build_sheet_context(
    sheet: ScoreSheet, actor: User | None, *, comment: str = "", system: bool = False
) -> sw.Context:
    roles = sheet_roles(actor, sheet)
    if system:
        roles.add(sw.SheetActor.SYSTEM.value)
    campaign = db.session.get(CrossCheckCampaign, sheet.campaign_id)
    return sw.Context(
        actor_id=None if actor is None else actor.id,
        actor_name=SYSTEM_NAME if actor is None else actor.full_name,
        roles=frozenset(roles),
        comment=comment,
        campaign_state=campaign.state,
        sheet_role=sheet.role,
        points_complete=sw.points_complete(sheet.points, max_points_of(sheet.work)),
    )


def sheet_conflict(sheet: ScoreSheet) -> str:
    state = gettext(sw.STATE_LABELS[sw.SheetState(sheet.state)])
    who = sheet.state_changed_by or gettext("другой пользователь")
    when = sheet.state_changed_at.strftime("%d.%m.%Y %H:%M")
    return gettext(
        "Проверка уже изменена: %(who)s, %(when)s UTC. Сейчас: «%(state)s». Обновите страницу.",
        who=who,
        when=when,
        state=state,
    )


SCORE_SHEETS = Binding(
    model=ScoreSheet, build_context=build_sheet_context, conflict_message=sheet_conflict
)
