"""The third check (the ГИА model): when a re-check differs from the school's score, or the
first from the second, by more than the subject's threshold, an expert of a third school gets
the work; it sees both earlier scores and its score is final.

Rules for the third expert: not the work's school, not the school of any checker of the work,
subject and grade among its own, the campaign's scope (same / other municipality), capacity
(live sheets over all roles) respected; an expert with an account first, then the lightest load
ratio, then (scope «any») the work's own municipality, then the lowest id.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select

from webapp.auth.models import Membership, RoleCode, User
from webapp.crosscheck.models import (
    DEFAULT_THRESHOLD,
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckSubjectRule,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.crosscheck.objectivity import exceeds_threshold
from webapp.extensions import db
from webapp.notifications.crosscheck import (
    EXPERT_LINK,
    add_all,
    deadline_text,
    school_zones,
    tell_third_check,
)
from webapp.notifications.preferences import Kind
from webapp.orgs.models import Region, School
from workflows.crosscheck_campaign import CampaignState, Scope
from workflows.score_sheet import SheetRole, SheetState

THIRD_STATES = (CampaignState.CHECKING, CampaignState.THIRD_CHECK)
REMINDER_BEFORE = timedelta(days=2)
NO_EXPERT = "no_expert"


def threshold_of(campaign_id: int, subject: str, grade: int) -> int:
    stmt = select(CrossCheckSubjectRule.threshold).where(
        CrossCheckSubjectRule.campaign_id == campaign_id,
        CrossCheckSubjectRule.subject == subject,
        CrossCheckSubjectRule.grade == grade,
    )
    found = db.session.scalar(stmt)
    return DEFAULT_THRESHOLD if found is None else found


def needs_third(
    school: list[int], first: list[int] | None, second: list[int] | None, threshold: int
) -> bool:
    """A submitted re-check differs from the school's (or first from second) beyond it."""
    checks = [p for p in (first, second) if p is not None]
    if any(exceeds_threshold(p, school, threshold) for p in checks):
        return True
    return len(checks) == 2 and exceeds_threshold(checks[0], checks[1], threshold)


def _live_sheets(work_id: int) -> list[ScoreSheet]:
    stmt = select(ScoreSheet).where(
        ScoreSheet.work_id == work_id, ScoreSheet.state != SheetState.WITHDRAWN
    )
    return list(db.session.scalars(stmt))


def assign_third_check(work_id: int) -> ScoreSheet | str | None:
    """Give the work a third check if it needs one (flush; the caller commits).

    Returns the third sheet (new or already there), ``NO_EXPERT`` when nobody may take it (the
    coordinators are told once), or None when no third check is needed. Safe to run twice: the
    work row is locked and an existing live third sheet is returned as it is.
    """
    work = db.session.scalars(
        select(CrossCheckWork).where(CrossCheckWork.id == work_id).with_for_update()
    ).first()
    if work is None:
        return None
    campaign = db.session.get(CrossCheckCampaign, work.campaign_id)
    if campaign.state not in THIRD_STATES:
        return None
    sheets = _live_sheets(work.id)
    third = next((s for s in sheets if s.role == SheetRole.THIRD), None)
    if third is not None:
        return third
    done = {s.role: s.points for s in sheets if s.state == SheetState.SUBMITTED}
    threshold = threshold_of(campaign.id, work.subject, work.grade)
    if not needs_third(work.school_points, done.get("first"), done.get("second"), threshold):
        return None
    expert = choose_expert(campaign, work, sheets)
    if expert is None:
        _tell_coordinators_no_expert(campaign, work)
        return NO_EXPERT
    sheet = ScoreSheet(
        campaign_id=campaign.id,
        work_id=work.id,
        expert_id=expert.id,
        role=SheetRole.THIRD.value,
        run=campaign.run or 1,
    )
    db.session.add(sheet)
    db.session.flush()
    _tell_expert(sheet, expert, campaign)
    return sheet


def choose_expert(
    campaign: CrossCheckCampaign, work: CrossCheckWork, sheets: list[ScoreSheet]
) -> CrossCheckExpert | None:
    checkers = {s.expert_id for s in sheets}
    barred = {work.school_id} | {
        db.session.get(CrossCheckExpert, eid).school_id for eid in checkers
    }
    muni = dict(
        db.session.execute(
            select(School.id, School.municipality_id).where(
                or_(
                    School.id.in_(
                        select(CrossCheckExpert.school_id).where(
                            CrossCheckExpert.campaign_id == campaign.id
                        )
                    ),
                    School.id == work.school_id,
                )
            )
        ).all()
    )
    work_muni = muni.get(work.school_id)
    load = _loads(campaign.id)
    subject = work.subject.casefold()
    best = None
    for expert in db.session.scalars(
        select(CrossCheckExpert).where(CrossCheckExpert.campaign_id == campaign.id)
    ):
        if expert.id in checkers or expert.school_id in barred:
            continue
        if subject not in {str(s).casefold() for s in expert.subjects or ()}:
            continue
        if work.grade not in {int(g) for g in expert.grades or ()}:
            continue
        if load[expert.id] >= expert.capacity:
            continue
        same = muni.get(expert.school_id) == work_muni
        if campaign.scope == Scope.SAME_MUNICIPALITY and not same:
            continue
        if campaign.scope == Scope.OTHER_MUNICIPALITY and same:
            continue
        key = (expert.user_id is None, load[expert.id] / expert.capacity, not same, expert.id)
        if best is None or key < best[0]:
            best = (key, expert)
    return None if best is None else best[1]


def _loads(campaign_id: int) -> Counter:
    stmt = (
        select(ScoreSheet.expert_id, func.count())
        .where(ScoreSheet.campaign_id == campaign_id, ScoreSheet.state != SheetState.WITHDRAWN)
        .group_by(ScoreSheet.expert_id)
    )
    return Counter(dict(db.session.execute(stmt).all()))


# --- who is told -----------------------------------------------------------------------------


def coordinator_ids(campaign: CrossCheckCampaign) -> set[int]:
    """The coordinators who own the campaign (regional of its region, or municipal of its
    municipality for a municipal campaign), active accounts only."""
    if campaign.municipality_id is not None:
        cond = and_(
            Membership.role == RoleCode.MUNICIPAL_COORDINATOR,
            Membership.municipality_id == campaign.municipality_id,
        )
    else:
        cond = and_(
            Membership.role == RoleCode.REGIONAL_COORDINATOR,
            Membership.region_id == campaign.region_id,
        )
    stmt = select(Membership.user_id).join(User).where(cond, User.active.is_(True))
    return set(db.session.scalars(stmt))


def _tell_expert(sheet: ScoreSheet, expert: CrossCheckExpert, campaign: CrossCheckCampaign) -> None:
    """In the expert's language, kind ``action`` (``webapp/notifications/crosscheck.py``)."""
    db.session.flush()  # the sheet's id names the notification and its link
    tell_third_check(sheet, expert, sheet.work, campaign)


def _tell_coordinators_no_expert(campaign: CrossCheckCampaign, work: CrossCheckWork) -> None:
    """Each coordinator of the campaign, once per work, in their own language (kind ``action``)."""

    def texts() -> tuple[str, str]:
        subject = gettext("Нет эксперта для третьей проверки: %(code)s", code=work.participant_code)
        body = gettext(
            "Работе %(code)s (%(subject)s, %(grade)s класс) нужна третья проверка, но нет "
            "свободного эксперта третьей школы с этим предметом и классом. Добавьте эксперта "
            "или увеличьте ёмкость.",
            code=work.participant_code,
            subject=work.subject,
            grade=work.grade,
        )
        return subject, body

    rows = {uid: (f"xc-third-none:{work.id}:{uid}", texts) for uid in coordinator_ids(campaign)}
    add_all(rows, link=lambda _uid: None, kind=Kind.ACTION)


# --- the beat: lost messages, reminders, escalation ------------------------------------------


def works_missing_third(campaign_id: int) -> list[int]:
    """Works with a submitted first/second check, no live third sheet, and a discrepancy."""
    third = select(ScoreSheet.work_id).where(
        ScoreSheet.campaign_id == campaign_id,
        ScoreSheet.role == SheetRole.THIRD,
        ScoreSheet.state != SheetState.WITHDRAWN,
    )
    stmt = (
        select(ScoreSheet.work_id, ScoreSheet.role, ScoreSheet.points, CrossCheckWork.school_points)
        .join(CrossCheckWork, CrossCheckWork.id == ScoreSheet.work_id)
        .where(
            ScoreSheet.campaign_id == campaign_id,
            ScoreSheet.state == SheetState.SUBMITTED,
            ScoreSheet.role.in_((SheetRole.FIRST, SheetRole.SECOND)),
            ScoreSheet.work_id.not_in(third),
        )
    )
    found: dict[int, dict] = {}
    for work_id, role, points, school in db.session.execute(stmt):
        found.setdefault(work_id, {"school": school})[role] = points
    out = []
    thresholds: dict = {}
    for work_id, data in sorted(found.items()):
        work = db.session.get(CrossCheckWork, work_id)
        key = (work.subject, work.grade)
        if key not in thresholds:
            thresholds[key] = threshold_of(campaign_id, *key)
        if needs_third(data["school"], data.get("first"), data.get("second"), thresholds[key]):
            out.append(work_id)
    return out


def open_campaigns() -> list[CrossCheckCampaign]:
    stmt = select(CrossCheckCampaign).where(CrossCheckCampaign.state.in_(THIRD_STATES))
    return list(db.session.scalars(stmt.order_by(CrossCheckCampaign.id)))


def _deadline(campaign: CrossCheckCampaign, role: str) -> datetime | None:
    return campaign.third_check_deadline if role == SheetRole.THIRD else campaign.checking_deadline


def remind_and_escalate(campaign: CrossCheckCampaign, now: datetime) -> dict:
    """One reminder per expert and deadline before it; one escalation per coordinator after it.
    Every text in the recipient's language, the deadline in the zone of the expert's school (the
    coordinators': the campaign's region); kind ``reminder``."""
    stmt = (
        select(
            ScoreSheet.role,
            CrossCheckExpert.user_id,
            func.count(),
            func.min(CrossCheckExpert.school_id),
        )
        .join(CrossCheckExpert, CrossCheckExpert.id == ScoreSheet.expert_id)
        .where(
            ScoreSheet.campaign_id == campaign.id,
            or_(
                ScoreSheet.state == SheetState.ASSIGNED, ScoreSheet.state == SheetState.IN_PROGRESS
            ),
        )
        .group_by(ScoreSheet.role, CrossCheckExpert.user_id)
    )
    due_soon: dict[str, dict[int, tuple[int, int]]] = {}
    overdue: Counter = Counter()
    for role, user_id, count, school_id in db.session.execute(stmt):
        due = _deadline(campaign, role)
        if due is None:
            continue
        kind = "third" if role == SheetRole.THIRD else "check"
        if due < now:
            overdue[kind] += count
        elif due - now <= REMINDER_BEFORE and user_id is not None:
            works, school = due_soon.setdefault(kind, {}).get(user_id, (0, school_id))
            due_soon[kind][user_id] = (works + count, school)
    reminded = escalated = 0
    for kind, experts in sorted(due_soon.items()):
        due = _deadline(campaign, SheetRole.THIRD if kind == "third" else SheetRole.FIRST)
        zones = school_zones(school for _works, school in experts.values())
        rows = {
            uid: (
                f"xc-remind:{campaign.id}:{kind}:{due:%Y%m%d%H%M}:{uid}",
                _reminder_texts(campaign, due, works, zones.get(school)),
            )
            for uid, (works, school) in experts.items()
        }
        reminded += add_all(rows, link=lambda _uid: EXPERT_LINK, kind=Kind.REMINDER)
    region_zone = db.session.scalar(select(Region.time_zone).where(Region.id == campaign.region_id))
    for kind, count in sorted(overdue.items()):
        due = _deadline(campaign, SheetRole.THIRD if kind == "third" else SheetRole.FIRST)
        rows = {
            uid: (
                f"xc-overdue:{campaign.id}:{kind}:{due:%Y%m%d%H%M}:{uid}",
                _overdue_texts(campaign, due, kind, count, region_zone),
            )
            for uid in coordinator_ids(campaign)
        }
        escalated += add_all(rows, link=lambda _uid: None, kind=Kind.REMINDER)
    return {"reminded": reminded, "escalated": escalated}


def _reminder_texts(campaign: CrossCheckCampaign, due: datetime, works: int, zone: str | None):
    def texts() -> tuple[str, str]:
        when = deadline_text(due, zone)
        subject = gettext("Напоминание: проверка работ ВПР до %(when)s", when=when)
        body = gettext(
            "Не завершена проверка работ в «%(title)s»: %(works)s. Срок: %(when)s.",
            title=campaign.title,
            works=works,
            when=when,
        )
        return subject, body

    return texts


def _overdue_texts(
    campaign: CrossCheckCampaign, due: datetime, kind: str, count: int, zone: str | None
):
    def texts() -> tuple[str, str]:
        when = deadline_text(due, zone)
        subject = gettext("Просрочена проверка работ ВПР: %(title)s", title=campaign.title)
        if kind == "third":
            body = gettext(
                "Срок третьей проверки истёк %(when)s, не проверено работ: %(count)s.",
                when=when,
                count=count,
            )
        else:
            body = gettext(
                "Срок проверки истёк %(when)s, не проверено работ: %(count)s.",
                when=when,
                count=count,
            )
        return subject, body

    return texts
