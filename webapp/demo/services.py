"""Load the demo data once; running it again changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.campaigns.models import (
    Campaign,
    CampaignDocumentType,
    ChecklistTemplate,
    Criterion,
    DocumentType,
    RiskFactor,
    SchoolRisk,
    Stage,
)
from webapp.common.time import utcnow
from webapp.demo import crosscheck_experts, data, peer
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.orgs.zones import zone_for_code

DOMAIN = "ekspertiza.local"


def load_demo(password: str, *, peer_stage: bool = False) -> list[dict]:
    """Create the demo world if absent and return the demo logins.

    With ``peer_stage`` (``flask demo`` does this) the concept and the mid-term programme go
    through the mutual expertise, and six schools of three regions have them accepted by their
    curators already, through the workflow, so the peer journey can be played at once.
    """
    if db.session.scalar(select(User).where(User.email == f"admin@{DOMAIN}")) is None:
        _create(password)
        db.session.commit()
        if peer_stage:
            peer.enable(password)
            db.session.commit()
    return demo_logins(password)


def _create(password: str) -> None:
    schools = _create_orgs()
    campaign = _create_campaign()
    types = _create_types(campaign)
    _create_people(schools, password)
    crosscheck_experts.create(schools, password)
    _create_documents(campaign, types, [s for s in schools.values() if s.is_500plus])
    db.session.flush()
    from webapp.roadmaps.services import load_zalari_demo

    load_zalari_demo()


def _create_orgs() -> dict[str, School]:
    schools: dict[str, School] = {}
    for spec in data.REGIONS:
        zone = spec.get("time_zone") or zone_for_code(spec["code"])
        region = Region(code=spec["code"], name=spec["name"], time_zone=zone)
        db.session.add(region)
        for muni_name, rows in spec["municipalities"].items():
            muni = Municipality(region=region, name=muni_name)
            db.session.add(muni)
            for code, name, short, settlement, pupils, plus in rows:
                schools[code] = School(
                    code=code,
                    municipality=muni,
                    name=name,
                    short_name=short,
                    settlement=settlement,
                    pupils=pupils,
                    is_low_results=True,
                    is_500plus=plus,
                    objectivity_control=code.endswith("2"),
                )
                db.session.add(schools[code])
    db.session.flush()
    return schools


def _create_campaign() -> Campaign:
    today = utcnow().date()
    campaign = Campaign(year=today.year, name=f"Проект «500+» — {today.year}", is_open=True)
    db.session.add(campaign)
    db.session.flush()
    db.session.add_all(
        [
            Stage(
                campaign_id=campaign.id,
                code="documents",
                name="Разработка и проверка документов",
                starts_on=today - timedelta(days=60),
                ends_on=today + timedelta(days=180),
            ),
            Stage(
                campaign_id=campaign.id,
                code="peer_review",
                name="Взаимоэкспертиза",
                starts_on=today + timedelta(days=30),
                ends_on=today + timedelta(days=60),
            ),
        ]
    )
    for position, name in enumerate(data.RISKS, start=1):
        db.session.add(RiskFactor(campaign_id=campaign.id, code=position, name=name))
    db.session.flush()
    return campaign


def _create_types(campaign: Campaign) -> dict[str, DocumentType]:
    types = {}
    for position, (code, name, per_risk) in enumerate(data.DOCUMENT_TYPES):
        doc_type = DocumentType(code=code, name=name, per_risk=per_risk, position=position)
        db.session.add(doc_type)
        db.session.flush()
        db.session.add(
            CampaignDocumentType(
                campaign_id=campaign.id,
                document_type_id=doc_type.id,
                needs_peer_review=False,
                review_days=10,
            )
        )
        template = ChecklistTemplate(document_type_id=doc_type.id, version=1, is_current=True)
        template.criteria = [
            Criterion(position=i, text=t) for i, t in enumerate(data.CHECKLISTS[code], start=1)
        ]
        db.session.add(template)
        types[code] = doc_type
    db.session.flush()
    return types


def _user(email: str, name: str, password: str, *memberships: Membership) -> User:
    user = User(email=email, full_name=name)
    user.set_password(password)
    user.memberships = list(memberships)
    db.session.add(user)
    return user


def _create_people(schools: dict[str, School], password: str) -> None:
    _user(
        f"admin@{DOMAIN}", "Федеральный оператор (демо)", password, Membership(role=RoleCode.ADMIN)
    )
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    for code, region in regions.items():
        _user(
            f"coord.{code}@{DOMAIN}",
            f"Региональный координатор ({region.name})",
            password,
            Membership(role=RoleCode.REGIONAL_COORDINATOR, region_id=region.id),
        )
    zalari = schools["38-VER"].municipality
    _user(
        f"mun.zalari@{DOMAIN}",
        "Муниципальный координатор (Заларинский район)",
        password,
        Membership(role=RoleCode.MUNICIPAL_COORDINATOR, municipality_id=zalari.id),
    )
    plus = [s for s in schools.values() if s.is_500plus]
    for index, group in enumerate(_curator_groups(plus), start=1):
        curator = _user(
            f"curator{index}@{DOMAIN}",
            f"Куратор {index} (демо)",
            password,
            Membership(role=RoleCode.CURATOR, region_id=group[0].municipality.region_id),
        )
        db.session.flush()
        db.session.add_all(CuratorSchool(curator_id=curator.id, school_id=s.id) for s in group)
    for school in plus:
        _user(
            f"school.{school.code.lower()}@{DOMAIN}",
            f"Директор: {school.short_name}",
            password,
            Membership(role=RoleCode.SCHOOL, school_id=school.id),
        )
    db.session.flush()


def _curator_groups(schools: list[School]) -> list[list[School]]:
    """Group 500+ schools by region, at most three per curator."""
    by_region: dict[int, list[School]] = {}
    for school in schools:
        by_region.setdefault(school.municipality.region_id, []).append(school)
    return [group[i : i + 3] for group in by_region.values() for i in range(0, len(group), 3)]


def _create_documents(
    campaign: Campaign, types: dict[str, DocumentType], schools: list[School]
) -> None:
    risks = list(
        db.session.scalars(
            select(RiskFactor)
            .where(RiskFactor.campaign_id == campaign.id)
            .order_by(RiskFactor.code)
        )
    )
    for n, school in enumerate(schools):
        chosen = [risks[(n + k * 3) % len(risks)] for k in range(campaign.risks_per_school)]
        for risk in chosen:
            db.session.add(SchoolRisk(school_id=school.id, risk_factor_id=risk.id))
        for doc_type in types.values():
            for risk in chosen if doc_type.per_risk else [None]:
                title = doc_type.name if risk is None else f"{doc_type.name}: {risk.name}"
                db.session.add(
                    Document(
                        campaign_id=campaign.id,
                        school_id=school.id,
                        document_type_id=doc_type.id,
                        risk_factor_id=None if risk is None else risk.id,
                        title=title[:400],
                    )
                )


def demo_logins(password: str) -> list[dict]:
    users = db.session.scalars(select(User).where(User.email.like(f"%@{DOMAIN}")).order_by(User.id))
    return [
        {
            "email": u.email,
            "password": password,
            "roles": [
                {
                    "role": m.role,
                    "region_id": m.region_id,
                    "municipality_id": m.municipality_id,
                    "school_id": m.school_id,
                }
                for m in u.memberships
            ],
        }
        for u in users
    ]
