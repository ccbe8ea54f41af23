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
from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import local_text
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.notifications.outbox import _locale_of
from webapp.notifications.preferences import Kind
from webapp.orgs.zones import ZONE_PLACES, school_zone
from webapp.workflow.signals import transition_recorded
from workflows.crosscheck_campaign import CAMPAIGN_EXPERTS, CAMPAIGN_SCHOOLS, campaign_workflow
from workflows.machine import TransitionEvent
from workflows.score_sheet import SheetState

EXPERT_LINK = "/expert"


def experts_with_works(campaign_id: int) -> dict[int, tuple[int, int]]:
    """Active expert accounts with live sheets in the campaign: user → (works, their school)."""
    stmt = (
        select(CrossCheckExpert.user_id, CrossCheckExpert.school_id, ScoreSheet.id)
        .join(ScoreSheet, ScoreSheet.expert_id == CrossCheckExpert.id)
        .join(User, User.id == CrossCheckExpert.user_id)
        .where(
            ScoreSheet.campaign_id == campaign_id,
            ScoreSheet.state != SheetState.WITHDRAWN,
            User.active.is_(True),
        )
    )
    out: dict[int, tuple[int, int]] = {}
    for user_id, school_id, _sheet in db.session.execute(stmt):
        works, school = out.get(user_id, (0, school_id))
        out[user_id] = (works + 1, school)
    return out


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


def deadline_text(value, school_id: int) -> str:
    """A deadline as the school reads it, in its zone, the place named in the current language."""
    zone = school_zone(school_id)
    place = ZONE_PLACES.get(zone or "", "")
    return local_text(value, zone, gettext(place) if place else "")


def add_once(user_id: int, key: str, texts, link: str | None, kind: Kind) -> bool:
    """One row for this user and key (a re-run adds nothing), written in the user's language;
    ``texts()`` gives (subject, body)."""
    key = key[:120]
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return False
    with force_locale(_locale_of(user_id)):
        subject, body = texts()
    db.session.add(
        Notification(
            user_id=user_id,
            dedupe_key=key,
            subject=subject[:300],
            body=body,
            link=link,
            kind=kind.value,
        )
    )
    return True


def tell_experts_checking(campaign: CrossCheckCampaign, actor_id: int | None) -> int:
    """``start_checking``: each expert with works is asked to check them."""
    told = 0
    for user_id, (works, school_id) in sorted(experts_with_works(campaign.id).items()):
        if user_id == actor_id:
            continue

        def texts(works=works, school_id=school_id) -> tuple[str, str]:
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
                    when=deadline_text(campaign.checking_deadline, school_id),
                )
            return subject, body

        told += add_once(
            user_id, f"xc-start:{campaign.id}:{user_id}", texts, EXPERT_LINK, Kind.ACTION
        )
    return told


def tell_schools_closed(campaign: CrossCheckCampaign, actor_id: int | None) -> int:
    """``close``: each school with works learns that its objectivity report is final."""
    told = 0
    for user_id, school_id in sorted(school_staff_with_works(campaign.id).items()):
        if user_id == actor_id:
            continue

        def texts() -> tuple[str, str]:
            subject = gettext(
                "Перекрёстная проверка ВПР завершена: %(title)s", title=campaign.title
            )
            body = gettext(
                "Перекрёстная проверка «%(title)s» завершена. Отчёт об объективности вашей "
                "школы готов: признаки в нём — повод для анализа, а не доказательство.",
                title=campaign.title,
            )
            return subject, body

        link = f"/crosschecks/{campaign.id}/objectivity?school_id={school_id}"
        told += add_once(user_id, f"xc-closed:{campaign.id}:{user_id}", texts, link, Kind.CHANGED)
    return told


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
                when=deadline_text(campaign.third_check_deadline, expert.school_id),
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
