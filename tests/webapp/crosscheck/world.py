"""A small cross-check in the demo world (Zalari district, Irkutsk region), built for tests.

Campaign of the Irkutsk region in ``checking``: maths grade 5, five tasks of 2 points (maximum
total 10), threshold 2, marks 3 / 4 / 5 from 3 / 6 / 9 points. Works of three Zalari schools;
experts (with accounts ``expert.<code>@test``) in four schools; first checks assigned by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.auth.models import Membership, RoleCode, User
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckSubjectRule,
    CrossCheckTask,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.extensions import db
from webapp.orgs.models import School
from workflows import crosscheck_campaign as cw

PASSWORD = "test-pass-123"
SUBJECT, GRADE = "math", 5
MAXIMA = [2, 2, 2, 2, 2]


@dataclass
class World:
    campaign: CrossCheckCampaign
    schools: dict[str, School]
    experts: dict[str, CrossCheckExpert]  # by school code
    works: dict[str, CrossCheckWork] = field(default_factory=dict)  # by participant code
    sheets: dict[str, ScoreSheet] = field(default_factory=dict)  # "<code>:<role>"


def school(code: str) -> School:
    return db.session.scalar(select(School).where(School.code == code))


def system_ctx(**facts) -> cw.Context:
    return cw.Context(actor_id=None, actor_name="Система", roles=frozenset({"system"}), **facts)


def coordinator_ctx(**facts) -> cw.Context:
    return cw.Context(
        actor_id=None, actor_name="Координатор", roles=frozenset({"coordinator"}), **facts
    )


def move_campaign(campaign: CrossCheckCampaign, *triggers: str) -> None:
    """Fire campaign triggers through its machine (audited), facts as the setup makes them."""
    facts = {"has_tasks": True, "has_works": True, "has_experts": True, "has_sheets": True}
    for trigger in triggers:
        campaign.fire(trigger, ctx=coordinator_ctx(**facts))
    db.session.flush()


def expert_user(code: str) -> User:
    email = f"expert.{code.lower()}@test"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=f"Эксперт {code}")
        user.set_password(PASSWORD)
        user.memberships = [Membership(role=RoleCode.EXPERT, school_id=school(code).id)]
        db.session.add(user)
        db.session.flush()
    return user


def build(
    *,
    work_schools=("38-VER", "38-TROI", "38-TYR"),
    expert_schools=("38-VER", "38-TROI", "38-TYR", "38-SOLR"),
    capacity: int = 10,
    state: str = "checking",
) -> World:
    region_id = school("38-VER").municipality.region_id
    campaign = CrossCheckCampaign(region_id=region_id, title="ВПР осень (тест)")
    db.session.add(campaign)
    db.session.flush()
    db.session.add(
        CrossCheckSubjectRule(
            campaign_id=campaign.id, subject=SUBJECT, grade=GRADE, threshold=2, mark_scale=[3, 6, 9]
        )
    )
    for n, m in enumerate(MAXIMA, start=1):
        db.session.add(
            CrossCheckTask(
                campaign_id=campaign.id, subject=SUBJECT, grade=GRADE, number=n, max_points=m
            )
        )
    world = World(campaign, {c: school(c) for c in {*work_schools, *expert_schools}}, {})
    for code in expert_schools:
        user = expert_user(code)
        expert = CrossCheckExpert(
            campaign_id=campaign.id,
            school_id=world.schools[code].id,
            full_name=user.full_name,
            email=user.email,
            subjects=[SUBJECT],
            grades=[GRADE],
            capacity=capacity,
            user_id=user.id,
        )
        db.session.add(expert)
        world.experts[code] = expert
    for code in work_schools:
        for i in range(1, 3):
            pc = f"{code}-{i}"
            work = CrossCheckWork(
                campaign_id=campaign.id,
                school_id=world.schools[code].id,
                subject=SUBJECT,
                grade=GRADE,
                participant_code=pc,
                school_points=[2, 2, 1, 1, 0],
            )
            db.session.add(work)
            world.works[pc] = work
    db.session.flush()
    if state in ("lists_loaded", "assigned", "checking", "third_check"):
        move_campaign(campaign, "complete_lists")
    if state in ("assigned", "checking", "third_check"):
        move_campaign(campaign, "assign")
    if state in ("checking", "third_check"):
        move_campaign(campaign, "start_checking")
    if state == "third_check":
        move_campaign(campaign, "start_third_check")
    db.session.commit()
    return world


def give(world: World, participant_code: str, expert_code: str, role: str = "first") -> ScoreSheet:
    work = world.works[participant_code]
    sheet = ScoreSheet(
        campaign_id=world.campaign.id,
        work_id=work.id,
        expert_id=world.experts[expert_code].id,
        role=role,
    )
    db.session.add(sheet)
    db.session.commit()
    world.sheets[f"{participant_code}:{role}"] = sheet
    return sheet


def login(client, email: str, password: str = PASSWORD) -> None:
    """Sign out whoever is signed in, then sign in (a wrong password fails the assertion)."""
    client.post("/logout")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.text


def token(client, email: str, password: str = PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json['token']}"}
