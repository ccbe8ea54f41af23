"""Demo ВПР experts: teachers of the Zalari district schools with the ``expert`` role, so the
cross-check journey can be played at once (``flask demo --json`` lists them)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import utcnow
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckSubjectRule,
    CrossCheckTask,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.crosscheck.workflow import CAMPAIGNS
from webapp.extensions import db
from webapp.orgs.models import School
from webapp.workflow.service import apply_transition

DOMAIN = "ekspertiza.local"
# Teachers of these Zalari schools (codes of webapp/demo/data.py), with their subjects.
TEACHERS = (
    ("38-VER", "Учитель математики (Веренская СОШ)"),
    ("38-TROI", "Учитель математики (Троицкая СОШ)"),
    ("38-TYR", "Учитель математики (Тыретская СОШ)"),
    ("38-SOLR", "Учитель математики (Солерудниковская гимназия)"),
    ("38-HOLM", "Учитель русского языка (Холмогойская СОШ)"),
    ("38-BABA", "Учитель русского языка (Бабагайская СОШ)"),
)


def teacher_email(code: str) -> str:
    return f"teacher.{code.lower()}@{DOMAIN}"


def create(schools: dict[str, School], password: str) -> list[User]:
    """One demo teacher per listed Zalari school, holding the ``expert`` role."""
    users = []
    for code, name in TEACHERS:
        school = schools.get(code)
        if school is None:
            continue
        user = User(email=teacher_email(code), full_name=name)
        user.set_password(password)
        user.memberships = [Membership(role=RoleCode.EXPERT, school_id=school.id)]
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


DEMO_TITLE = "ВПР осень: математика, 5 класс (демо)"
# Works of three Zalari schools; each school's works go to the teacher of the next school.
DEMO_WORKS = {"38-VER": "38-TROI", "38-TROI": "38-TYR", "38-TYR": "38-SOLR"}
DEMO_POINTS = ([2, 2, 1, 1, 0], [2, 1, 1, 0, 0], [2, 2, 2, 1, 1], [1, 1, 0, 0, 0])


def demo_campaign() -> CrossCheckCampaign | None:
    """A municipal cross-check of Zalari in ``checking``: maths grade 5, works of three schools,
    the demo teachers as experts with a first check each, moved through the campaign workflow
    by the municipal coordinator. Created once; None when the demo world is missing."""
    if db.session.scalar(
        select(CrossCheckCampaign.id).where(CrossCheckCampaign.title == DEMO_TITLE)
    ):
        return None
    coordinator = db.session.scalar(select(User).where(User.email == f"mun.zalari@{DOMAIN}"))
    schools = {
        s.code: s
        for s in db.session.scalars(
            select(School).where(School.code.in_([code for code, _ in TEACHERS]))
        )
    }
    if coordinator is None or len(schools) < len(TEACHERS):
        return None
    muni = schools["38-VER"].municipality
    campaign = CrossCheckCampaign(
        region_id=muni.region_id,
        municipality_id=muni.id,
        title=DEMO_TITLE,
        created_by_id=coordinator.id,
        checking_deadline=utcnow() + timedelta(days=14),
        third_check_deadline=utcnow() + timedelta(days=21),
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.add(
        CrossCheckSubjectRule(
            campaign_id=campaign.id, subject="math", grade=5, threshold=2, mark_scale=[3, 6, 9]
        )
    )
    db.session.add_all(
        CrossCheckTask(campaign_id=campaign.id, subject="math", grade=5, number=n, max_points=2)
        for n in range(1, 6)
    )
    experts = {}
    for code, name in TEACHERS[:4]:
        user = db.session.scalar(select(User).where(User.email == teacher_email(code)))
        experts[code] = CrossCheckExpert(
            campaign_id=campaign.id,
            school_id=schools[code].id,
            full_name=name,
            email=user.email,
            subjects=["math"],
            grades=[5],
            capacity=20,
            user_id=user.id,
        )
    db.session.add_all(experts.values())
    works = []
    for code in DEMO_WORKS:
        for n, points in enumerate(DEMO_POINTS, start=1):
            works.append(
                CrossCheckWork(
                    campaign_id=campaign.id,
                    school_id=schools[code].id,
                    subject="math",
                    grade=5,
                    participant_code=f"{code}-5-{n:03d}",
                    school_points=points,
                )
            )
    db.session.add_all(works)
    db.session.flush()
    apply_transition(CAMPAIGNS, campaign.id, "complete_lists", actor=coordinator)
    apply_transition(CAMPAIGNS, campaign.id, "assign", actor=coordinator)
    db.session.add_all(
        ScoreSheet(
            campaign_id=campaign.id,
            work_id=work.id,
            expert_id=experts[DEMO_WORKS[code]].id,
            role="first",
        )
        for work in works
        for code in [next(c for c, s in schools.items() if s.id == work.school_id)]
    )
    db.session.flush()
    apply_transition(CAMPAIGNS, campaign.id, "start_checking", actor=coordinator)
    return campaign
