"""Curator links by the regional coordinator, the campaign calendar, the school's risk choice."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import documents_of, upload, user
from webapp.auth.models import Membership, RoleCode, User
from webapp.campaigns.models import RiskFactor, SchoolRisk, Stage
from webapp.campaigns.services import current_campaign
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Region, School

ADMIN = "admin@ekspertiza.local"
COORD_08 = "coord.08@ekspertiza.local"
COORD_38 = "coord.38@ekspertiza.local"
SCHOOL = "school.08-umc@ekspertiza.local"


def school(code: str) -> School:
    return db.session.scalar(select(School).where(School.code == code))


def region_id(code: str) -> int:
    return db.session.scalar(select(Region.id).where(Region.code == code))


def new_curator(email: str, region: str) -> User:
    curator = User(email=email, full_name=f"Куратор {email}", password_hash="x")
    curator.memberships = [Membership(role=RoleCode.CURATOR, region_id=region_id(region))]
    db.session.add(curator)
    db.session.commit()
    return curator


def links(curator: User) -> set[str]:
    stmt = select(School.code).join(CuratorSchool).where(CuratorSchool.curator_id == curator.id)
    return set(db.session.scalars(stmt))


def test_regional_coordinator_assigns_a_curator_of_its_region(app, demo, client):
    mine = new_curator("cur.kalm@example.org", "08")
    login(client, COORD_08)
    page = client.get("/setup/curators").get_data(as_text=True)
    assert 'data-school-code="08-UMC"' in page and 'data-school-code="38-VER"' not in page
    response = client.post(
        "/setup/curators", data={"school_id": school("08-UMC").id, "curator_id": mine.id}
    )
    assert response.status_code == 302
    assert links(mine) == {"08-UMC"}
    # The curator now sees the school.
    link = db.session.scalars(
        select(CuratorSchool).where(CuratorSchool.curator_id == mine.id)
    ).one()
    assert client.post(f"/setup/curators/{link.id}/remove").status_code == 302
    assert links(mine) == set()


def test_regional_coordinator_stays_in_its_region(app, demo, client):
    theirs = new_curator("cur.irk@example.org", "38")
    mine = new_curator("cur.kalm@example.org", "08")
    login(client, COORD_08)
    # A school of another region, a curator of another region: refused, nothing stored.
    assert (
        client.post(
            "/setup/curators", data={"school_id": school("38-VER").id, "curator_id": mine.id}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/setup/curators", data={"school_id": school("08-UMC").id, "curator_id": theirs.id}
        ).status_code
        == 403
    )
    assert links(mine) == set() and links(theirs) == set()
    foreign = db.session.scalars(
        select(CuratorSchool).join(School).where(School.code == "38-VER")
    ).first()
    assert client.post(f"/setup/curators/{foreign.id}/remove").status_code == 403
    assert db.session.get(CuratorSchool, foreign.id) is not None


def test_municipal_coordinator_does_not_assign_curators(app, demo, client):
    login(client, "mun.zalari@ekspertiza.local")
    assert client.get("/setup/curators").status_code == 403
    curator = user("curator1@ekspertiza.local")
    response = client.post(
        "/setup/curators", data={"school_id": school("38-VER").id, "curator_id": curator.id}
    )
    assert response.status_code == 403


def test_admin_sets_a_stage_deadline_coordinators_only_see_it(app, demo, client):
    stage = db.session.scalars(select(Stage).where(Stage.code == "documents")).one()
    login(client, COORD_08)
    page = client.get("/setup/campaign").get_data(as_text=True)
    assert stage.ends_on.isoformat() in page and "stage-" not in page
    prefix = f"s{stage.id}-"
    data = {
        prefix + "name": "Документы",
        prefix + "starts_on": "2026-01-10",
        prefix + "ends_on": "2026-12-20",
    }
    assert client.post(f"/setup/campaign/stages/{stage.id}", data=data).status_code == 403
    client.post("/logout")
    login(client, ADMIN)
    assert client.post(f"/setup/campaign/stages/{stage.id}", data=data).status_code == 302
    db.session.expire_all()
    assert (stage.starts_on, stage.ends_on) == (date(2026, 1, 10), date(2026, 12, 20))
    backwards = {**data, prefix + "ends_on": "2025-12-31"}
    client.post(f"/setup/campaign/stages/{stage.id}", data=backwards)
    db.session.expire_all()
    assert stage.ends_on == date(2026, 12, 20)


def test_admin_sets_risk_count_and_review_days(app, demo, client):
    login(client, ADMIN)
    assert (
        client.post("/setup/campaign", data={"risks_per_school": 2, "is_open": "1"}).status_code
        == 302
    )
    setting = current_campaign().settings[0]
    client.post(f"/setup/campaign/types/{setting.id}", data={"review_days": 14})
    client.post("/setup/campaign", data={"risks_per_school": 11, "is_open": "1"})
    db.session.expire_all()
    assert current_campaign().risks_per_school == 2
    assert setting.review_days == 14


def _risks() -> list[RiskFactor]:
    campaign = current_campaign()
    return list(
        db.session.scalars(
            select(RiskFactor)
            .where(RiskFactor.campaign_id == campaign.id)
            .order_by(RiskFactor.code)
        )
    )


def _chosen(code: str) -> set[int]:
    return set(
        db.session.scalars(
            select(SchoolRisk.risk_factor_id).where(SchoolRisk.school_id == school(code).id)
        )
    )


def _programmes(code: str) -> set[int]:
    return {d.risk_factor_id for d in documents_of(code) if d.risk_factor_id}


def test_school_chooses_its_risks_and_programmes_follow(app, demo, client):
    risks = _risks()
    before = _chosen("08-UMC")
    assert _programmes("08-UMC") == before
    new = {r.id for r in risks if r.id not in before}
    pick = sorted(new)[:3]
    login(client, SCHOOL)
    page = client.get(f"/schools/{school('08-UMC').id}/risks").get_data(as_text=True)
    assert 'id="risk-form"' in page
    response = client.post(f"/schools/{school('08-UMC').id}/risks", data={"risks": pick})
    assert response.status_code == 302
    db.session.expire_all()
    assert _chosen("08-UMC") == set(pick)
    assert _programmes("08-UMC") == set(pick)


def test_wrong_count_and_uploaded_programme_are_refused(app, demo, client):
    before = _chosen("08-UMC")
    risks = [r.id for r in _risks() if r.id not in before]
    login(client, SCHOOL)
    url = f"/schools/{school('08-UMC').id}/risks"
    assert client.post(url, data={"risks": risks[:2]}).status_code == 422
    kept = sorted(before)
    programme = next(d for d in documents_of("08-UMC") if d.risk_factor_id == kept[0])
    upload(programme, SCHOOL)
    response = client.post(url, data={"risks": [*kept[1:], risks[0]]})
    assert response.status_code == 422 and "уже загружена" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _chosen("08-UMC") == before and _programmes("08-UMC") == before


def test_no_choice_after_the_deadline(app, demo, client):
    campaign = current_campaign()
    today = date.today()
    db.session.add(
        Stage(
            campaign_id=campaign.id,
            code="risks",
            name="Выбор рисков",
            starts_on=today - timedelta(days=30),
            ends_on=today - timedelta(days=1),
        )
    )
    db.session.commit()
    before = _chosen("08-UMC")
    others = sorted(r.id for r in _risks() if r.id not in before)[:3]
    login(client, SCHOOL)
    url = f"/schools/{school('08-UMC').id}/risks"
    page = client.get(url).get_data(as_text=True)
    assert 'id="risk-form"' not in page and 'id="risk-closed"' in page
    assert client.post(url, data={"risks": others}).status_code == 422
    assert _chosen("08-UMC") == before


def test_only_the_school_chooses(app, demo, client):
    url = f"/schools/{school('08-UMC').id}/risks"
    before = _chosen("08-UMC")
    others = sorted(r.id for r in _risks() if r.id not in before)[:3]
    login(client, "curator1@ekspertiza.local")
    assert client.get(url).status_code == 200
    assert client.post(url, data={"risks": others}).status_code == 403
    client.post("/logout")
    login(client, "school.08-sol@ekspertiza.local")
    assert client.get(url).status_code == 404
    assert client.post(url, data={"risks": others}).status_code == 404
    assert _chosen("08-UMC") == before
