"""Set-up changes: invitations, deactivation, curator links, the calendar, a school's risks.

Services flush; the view commits once. Refusals raise ``SetupRefused`` with a Russian message.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext
from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.auth.services import end_all_sessions, find_user_by_email
from webapp.auth.tokens import Purpose, unusable_password_hash
from webapp.campaigns.models import (
    Campaign,
    CampaignDocumentType,
    DocumentType,
    RegionStageDeadline,
    RiskFactor,
    SchoolRisk,
    Stage,
)
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.notifications.account import queue_password_link
from webapp.orgs.models import CuratorSchool, School
from webapp.setup.permissions import (
    AREA_OF_ROLE,
    Grant,
    can_assign_curator,
    can_grant,
    can_manage_user,
    grant_in,
    region_ids,
)


class SetupRefused(Exception):
    """A set-up change that is not allowed; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(str(message))
        self.status = status


def scoped_grant(
    role: str, region_id: int | None, municipality_id: int | None, school_id: int | None
) -> Grant:
    """The role in the one scope column it is held in; a missing scope is refused."""
    area = AREA_OF_ROLE.get(RoleCode(role))
    if area is None:
        return grant_in(role)
    value = {"region": region_id, "municipality": municipality_id, "school": school_id}[area]
    if value is None:
        raise SetupRefused(lazy_gettext("Для этой роли укажите регион, муниципалитет или школу."))
    return grant_in(role, **{f"{area}_id": value})


def invite_user(actor: User, email: str, full_name: str, grant: Grant) -> tuple[User, bool]:
    """Give ``grant`` to the person with this address, creating and inviting a new one.

    Returns the user and whether an invitation link was sent.
    """
    if not can_grant(actor, grant):
        raise SetupRefused(lazy_gettext("Эту роль в этой области вы назначить не можете."), 403)
    user = find_user_by_email(email)
    invited = user is None
    if user is None:
        user = User(email=email.strip().lower(), full_name=full_name.strip())
        user.password_hash = unusable_password_hash()
        db.session.add(user)
    elif not user.active:
        raise SetupRefused(lazy_gettext("Пользователь с этим адресом отключён."))
    held = {(m.role, m.region_id, m.municipality_id, m.school_id) for m in user.memberships}
    key = (grant.role, grant.region_id, grant.municipality_id, grant.school_id)
    if key in held:
        raise SetupRefused(lazy_gettext("У пользователя уже есть эта роль."))
    user.memberships.append(
        Membership(
            role=grant.role,
            region_id=grant.region_id,
            municipality_id=grant.municipality_id,
            school_id=grant.school_id,
        )
    )
    db.session.flush()
    if invited:
        queue_password_link(user, Purpose.INVITE, inviter=actor)
    return user, invited


def deactivate_user(actor: User, user: User) -> None:
    """Switch the account off and end its sessions; it keeps its history."""
    if not can_manage_user(actor, user):
        raise SetupRefused(lazy_gettext("Этого пользователя вы отключить не можете."), 403)
    user.active = False
    end_all_sessions(user)


def assign_curator(actor: User, school: School, curator: User) -> CuratorSchool:
    if not can_assign_curator(actor, school, curator):
        raise SetupRefused(lazy_gettext("Этого куратора этой школе назначить нельзя."), 403)
    stmt = select(CuratorSchool).where(
        CuratorSchool.school_id == school.id, CuratorSchool.curator_id == curator.id
    )
    if db.session.scalars(stmt).first() is not None:
        raise SetupRefused(lazy_gettext("Этот куратор уже закреплён за школой."))
    link = CuratorSchool(curator_id=curator.id, school_id=school.id)
    db.session.add(link)
    db.session.flush()
    return link


def unassign_curator(actor: User, link: CuratorSchool) -> None:
    curator = db.session.get(User, link.curator_id)
    if not can_assign_curator(actor, link.school, curator):
        raise SetupRefused(lazy_gettext("Снять этого куратора вы не можете."), 403)
    db.session.delete(link)
    db.session.flush()


def update_stage(stage: Stage, name: str, starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise SetupRefused(lazy_gettext("Этап не может закончиться раньше, чем начался."))
    if any(d.ends_on > ends_on for d in stage.region_deadlines):
        raise SetupRefused(
            lazy_gettext("Сначала сократите сроки регионов: они позже нового федерального срока.")
        )
    stage.name, stage.starts_on, stage.ends_on = name.strip(), starts_on, ends_on
    db.session.flush()


def set_region_deadline(actor: User, stage: Stage, region_id: int, ends_on: date | None) -> None:
    """A regional coordinator's own (earlier) deadline of a stage; None removes it."""
    regions = region_ids(actor)
    if regions is not None and region_id not in regions:
        raise SetupRefused(lazy_gettext("Срок этого региона вы менять не можете."), 403)
    own = next((d for d in stage.region_deadlines if d.region_id == region_id), None)
    if ends_on is None:
        if own is not None:
            stage.region_deadlines.remove(own)
        db.session.flush()
        return
    if not stage.starts_on <= ends_on <= stage.ends_on:
        raise SetupRefused(
            lazy_gettext(
                "Срок региона — между началом этапа (%(start)s) и федеральным сроком (%(end)s).",
                start=stage.starts_on.isoformat(),
                end=stage.ends_on.isoformat(),
            )
        )
    if own is None:
        own = RegionStageDeadline(region_id=region_id, ends_on=ends_on)
        stage.region_deadlines.append(own)
    own.ends_on, own.set_by_id, own.set_at = ends_on, actor.id, utcnow()
    db.session.flush()


def update_campaign(campaign: Campaign, *, risks_per_school: int, is_open: bool) -> None:
    campaign.risks_per_school = risks_per_school
    campaign.is_open = is_open
    db.session.flush()


def update_type_setting(setting: CampaignDocumentType, *, review_days: int) -> None:
    setting.review_days = review_days
    db.session.flush()


# --- a school's risk directions --------------------------------------------------------------

RISK_STAGE = "risks"


def chosen_risk_ids(school_id: int, campaign_id: int) -> set[int]:
    stmt = (
        select(SchoolRisk.risk_factor_id)
        .join(RiskFactor, RiskFactor.id == SchoolRisk.risk_factor_id)
        .where(SchoolRisk.school_id == school_id, RiskFactor.campaign_id == campaign_id)
    )
    return set(db.session.scalars(stmt))


def choose_risks(school: School, campaign: Campaign, risk_ids: set[int], today: date) -> None:
    """Store the school's risk directions; its anti-risk programmes follow the choice.

    A programme is created for each new risk; the programme of a dropped risk is removed only
    while it is an untouched draft (no file, no history), else the change is refused.
    """
    if not campaign.window_open(RISK_STAGE, today, school.municipality.region_id):
        raise SetupRefused(lazy_gettext("Срок выбора рисковых направлений истёк."))
    if len(risk_ids) != campaign.risks_per_school:
        raise SetupRefused(
            lazy_gettext("Выберите ровно %(n)d рисковых направления.", n=campaign.risks_per_school)
        )
    active = set(
        db.session.scalars(
            select(RiskFactor.id).where(
                RiskFactor.campaign_id == campaign.id, RiskFactor.is_active.is_(True)
            )
        )
    )
    if not risk_ids <= active:
        raise SetupRefused(lazy_gettext("Такого рискового направления нет в каталоге кампании."))
    before = chosen_risk_ids(school.id, campaign.id)
    _drop_programmes(school, campaign, before - risk_ids)
    for risk_id in before - risk_ids:
        db.session.execute(
            SchoolRisk.__table__.delete().where(
                SchoolRisk.school_id == school.id, SchoolRisk.risk_factor_id == risk_id
            )
        )
    for risk_id in sorted(risk_ids - before):
        db.session.add(SchoolRisk(school_id=school.id, risk_factor_id=risk_id))
    ensure_documents(school, campaign, risk_ids)
    db.session.flush()


def _per_risk_types() -> list[DocumentType]:
    return list(db.session.scalars(select(DocumentType).where(DocumentType.per_risk.is_(True))))


def _drop_programmes(school: School, campaign: Campaign, risk_ids: set[int]) -> None:
    if not risk_ids:
        return
    stmt = select(Document).where(
        Document.school_id == school.id,
        Document.campaign_id == campaign.id,
        Document.risk_factor_id.in_(risk_ids),
    )
    for document in db.session.scalars(stmt):
        if document.latest_version_number or document.history:
            raise SetupRefused(
                lazy_gettext(
                    "Направление «%(title)s» снять нельзя: по нему уже загружена программа.",
                    title=document.risk_factor.name,
                )
            )
        db.session.delete(document)
    db.session.flush()


def ensure_documents(school: School, campaign: Campaign, risk_ids: set[int]) -> None:
    """The school's documents of the campaign: one per type, one per chosen risk for per-risk
    types (the demo's rule); missing ones are created as drafts."""
    existing = {
        (d.document_type_id, d.risk_factor_id)
        for d in db.session.scalars(
            select(Document).where(
                Document.school_id == school.id, Document.campaign_id == campaign.id
            )
        )
    }
    risks = {
        r.id: r for r in db.session.scalars(select(RiskFactor).where(RiskFactor.id.in_(risk_ids)))
    }
    types = db.session.scalars(select(DocumentType).order_by(DocumentType.position))
    for doc_type in types:
        for risk_id in sorted(risk_ids) if doc_type.per_risk else [None]:
            if (doc_type.id, risk_id) in existing:
                continue
            title = doc_type.name if risk_id is None else f"{doc_type.name}: {risks[risk_id].name}"
            db.session.add(
                Document(
                    campaign_id=campaign.id,
                    school_id=school.id,
                    document_type_id=doc_type.id,
                    risk_factor_id=risk_id,
                    title=title[:400],
                )
            )
