"""Who is told of what in a ВПР cross-check campaign (outbox rows, same transaction).

The campaign machine names two audiences (``workflows/crosscheck_campaign.py``):

* ``crosscheck_experts`` on ``start_checking``: every expert with a live score sheet (not
  withdrawn) in the campaign and an active account, once per person, with the number of works,
  the checking deadline in the expert's school's zone and a link to their works (``/expert``);
  kind ``action`` (they must act next). Experts without works, the schools and the coordinators
  are not told.
* ``crosscheck_schools`` on ``close``: the staff of every school with works in the campaign, once
  per person, with a link to the school's own objectivity report; kind ``changed``.

A third-check expert is told when the task assigns the sheet (:func:`tell_third_check`, kind
``action``). Every text is written in the recipient's language; the recipient's preference for the
kind decides the e-mail (``preferences.route_new_rows``). The actor is never told.
"""

from __future__ import annotations

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import DEFAULT_ZONE, local_text
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.preferences import Kind
from webapp.orgs.models import Municipality, Region, School
from webapp.orgs.zones import ZONE_PLACES, school_zone
from webapp.workflow.signals import transition_recorded
from workflows.crosscheck_campaign import CAMPAIGN_EXPERTS, CAMPAIGN_SCHOOLS, campaign_workflow
from workflows.machine import TransitionEvent
from workflows.score_sheet import SheetState

EXPERT_LINK = "/expert"
CHUNK = 500  # ids per IN list


def experts_with_works(campaign_id: int) -> dict[int, tuple[int, int]]:
    """Active expert accounts with live sheets in the campaign: user → (works, their school)
    (one grouped query: a region has ≈ 300 000 sheets and 6 600 experts)."""
    stmt = (
        select(
            CrossCheckExpert.user_id,
            func.count(ScoreSheet.id),
            func.min(CrossCheckExpert.school_id),
        )
        .join(ScoreSheet, ScoreSheet.expert_id == CrossCheckExpert.id)
        .join(User, User.id == CrossCheckExpert.user_id)
        .where(
            ScoreSheet.campaign_id == campaign_id,
            ScoreSheet.state != SheetState.WITHDRAWN,
            User.active.is_(True),
        )
        .group_by(CrossCheckExpert.user_id)
    )
    return {user_id: (works, school) for user_id, works, school in db.session.execute(stmt)}


def school_staff_with_works(campaign_id: int) -> dict[int, int]:
    """Active staff of the schools with works in the campaign: user → their school."""
    schools = select(CrossCheckWork.school_id).where(CrossCheckWork.campaign_id == campaign_id)
    stmt = (
        select(Membership.user_id, Membership.school_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.role == RoleCode.SCHOOL,
            Membership.school_id.in_(schools.distinct()),
            User.active.is_(True),
        )
        .order_by(Membership.school_id)
    )
    out: dict[int, int] = {}
    for user_id, school_id in db.session.execute(stmt):
        out.setdefault(user_id, school_id)
    return out


def school_zones(school_ids) -> dict[int, str]:
    """The zone of each school's region, in one query per 500 schools."""
    ids = sorted(set(school_ids))
    out: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = (
            select(School.id, Region.time_zone)
            .join(Municipality, Municipality.id == School.municipality_id)
            .join(Region, Region.id == Municipality.region_id)
            .where(School.id.in_(ids[start : start + CHUNK]))
        )
        out.update((sid, tz or DEFAULT_ZONE) for sid, tz in db.session.execute(stmt))
    return out


def deadline_text(value, zone: str | None) -> str:
    """A deadline as the school reads it, in its zone, the place named in the current language."""
    place = ZONE_PLACES.get(zone or "", "")
    return local_text(value, zone, gettext(place) if place else "")


def add_once(user_id: int, key: str, texts, link: str | None, kind: Kind) -> bool:
    """One row for this user and key (a re-run adds nothing), written in the user's language;
    ``texts()`` gives (subject, body)."""
    return add_all({user_id: (key, texts)}, link=lambda _uid: link, kind=kind) == 1


def add_all(rows: dict, *, link, kind: Kind) -> int:
    """``rows``: user → (dedupe key, texts). One row per user whose key is not taken yet, in the
    user's language; keys and languages are read in chunks, not one query per person."""
    wanted = {uid: (key[:120], texts) for uid, (key, texts) in rows.items()}
    users = sorted(wanted)
    taken: set[str] = set()
    locales: dict[int, str] = {}
    for start in range(0, len(users), CHUNK):
        part = users[start : start + CHUNK]
        keys = [wanted[uid][0] for uid in part]
        taken |= set(
            db.session.scalars(
                select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))
            )
        )
        locales.update(
            db.session.execute(select(User.id, User.locale).where(User.id.in_(part))).all()
        )
    added = 0
    for uid in users:
        key, texts = wanted[uid]
        if key in taken:
            continue
        with force_locale(locales.get(uid) or "ru"):
            subject, body = texts()
        db.session.add(
            Notification(
                user_id=uid,
                dedupe_key=key,
                subject=subject[:300],
                body=body,
                link=link(uid),
                kind=kind.value,
            )
        )
        added += 1
    return added


def tell_experts_checking(campaign: CrossCheckCampaign, actor_id: int | None) -> int:
    """``start_checking``: each expert with works is asked to check them."""
    experts = experts_with_works(campaign.id)
    experts.pop(actor_id, None)
    zones = school_zones(school for _works, school in experts.values())

    def texts_for(works: int, school_id: int):
        def texts() -> tuple[str, str]:
            subject = gettext("Началась проверка работ ВПР: %(title)s", title=campaign.title)
            body = gettext(
                "В перекрёстной проверке «%(title)s» вам назначено работ: %(works)s. "
                "Работы показаны только по кодам участников; введите баллы по каждому заданию "
                "и отправьте их.",
                title=campaign.title,
                works=works,
            )
            if campaign.checking_deadline:
                body += " " + gettext(
                    "Срок проверки: %(when)s.",
                    when=deadline_text(campaign.checking_deadline, zones.get(school_id)),
                )
            return subject, body

        return texts

    rows = {
        uid: (f"xc-start:{campaign.id}:{uid}", texts_for(works, school))
        for uid, (works, school) in experts.items()
    }
    return add_all(rows, link=lambda _uid: EXPERT_LINK, kind=Kind.ACTION)


def tell_schools_closed(campaign: CrossCheckCampaign, actor_id: int | None) -> int:
    """``close``: each school with works learns that its objectivity report is final."""
    staff = school_staff_with_works(campaign.id)
    staff.pop(actor_id, None)

    def texts() -> tuple[str, str]:
        subject = gettext("Перекрёстная проверка ВПР завершена: %(title)s", title=campaign.title)
        body = gettext(
            "Перекрёстная проверка «%(title)s» завершена. Отчёт об объективности вашей "
            "школы готов: признаки в нём — повод для анализа, а не доказательство.",
            title=campaign.title,
        )
        return subject, body

    rows = {uid: (f"xc-closed:{campaign.id}:{uid}", texts) for uid in staff}
    return add_all(
        rows,
        link=lambda uid: f"/crosschecks/{campaign.id}/objectivity?school_id={staff[uid]}",
        kind=Kind.CHANGED,
    )


def tell_third_check(
    sheet: ScoreSheet, expert: CrossCheckExpert, work: CrossCheckWork, campaign: CrossCheckCampaign
) -> bool:
    """The expert a third check was assigned to (no account: nobody to tell)."""
    if expert.user_id is None:
        return False

    def texts() -> tuple[str, str]:
        subject = gettext("Третья проверка ВПР: работа %(code)s", code=work.participant_code)
        body = gettext(
            "Вам назначена третья проверка работы %(code)s (%(subject)s, %(grade)s класс). "
            "Вы увидите обе прежние оценки; ваша оценка окончательная.",
            code=work.participant_code,
            subject=work.subject,
            grade=work.grade,
        )
        if campaign.third_check_deadline:
            body += " " + gettext(
                "Срок третьей проверки: %(when)s.",
                when=deadline_text(campaign.third_check_deadline, school_zone(expert.school_id)),
            )
        return subject, body

    return add_once(
        expert.user_id, f"xc-third:{sheet.id}", texts, f"/expert/sheets/{sheet.id}", Kind.ACTION
    )


TELLERS = {CAMPAIGN_EXPERTS: tell_experts_checking, CAMPAIGN_SCHOOLS: tell_schools_closed}


def on_transition(campaign, *, event: TransitionEvent, log) -> None:
    if event.workflow != campaign_workflow.name:
        return
    for audience in campaign_workflow.meta[event.trigger].notify:
        TELLERS[audience](campaign, log.actor_id)


def connect() -> None:
    transition_recorded.connect(on_transition, weak=False)
