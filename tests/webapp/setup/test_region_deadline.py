"""A regional coordinator's own (earlier) stage deadline for its region."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import documents_of, upload
from webapp.campaigns.models import RegionStageDeadline, Stage
from webapp.extensions import db
from webapp.orgs.models import Region

COORD_08 = "coord.08@ekspertiza.local"
SCHOOL_08 = "school.08-umc@ekspertiza.local"
SCHOOL_38 = "school.38-ver@ekspertiza.local"
YESTERDAY = date.today() - timedelta(days=1)


def stage() -> Stage:
    return db.session.scalars(select(Stage).where(Stage.code == "documents")).one()


def region_id(code: str) -> int:
    return db.session.scalar(select(Region.id).where(Region.code == code))


def set_deadline(client, code: str, day: date | None):
    data = {"region_id": region_id(code), "ends_on": day.isoformat() if day else ""}
    return client.post(f"/setup/campaign/stages/{stage().id}/region", data=data)


def overrides() -> dict[int, date]:
    return {d.region_id: d.ends_on for d in db.session.scalars(select(RegionStageDeadline))}


def submit(client, email: str, code: str) -> int:
    doc = documents_of(code)[0]
    upload(doc, email)
    login(client, email)
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "submit"})
    client.post("/logout")
    return response.status_code


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_regional_deadline_closes_submission_in_that_region_only(app, demo, client):
    login(client, COORD_08)
    assert set_deadline(client, "08", YESTERDAY).status_code == 302
    client.post("/logout")
    db.session.expire_all()
    assert overrides() == {region_id("08"): YESTERDAY}
    assert stage().ends_on_for(region_id("08")) == YESTERDAY
    assert stage().ends_on_for(region_id("38")) == stage().ends_on
    assert submit(client, SCHOOL_08, "08-UMC") == 422
    assert submit(client, SCHOOL_38, "38-VER") == 302


def test_regional_deadline_stays_inside_the_federal_stage(app, demo, client):
    login(client, COORD_08)
    set_deadline(client, "08", stage().ends_on + timedelta(days=1))
    set_deadline(client, "08", stage().starts_on - timedelta(days=1))
    assert overrides() == {}
    set_deadline(client, "08", stage().ends_on - timedelta(days=3))
    db.session.expire_all()
    assert overrides() == {region_id("08"): stage().ends_on - timedelta(days=3)}
    set_deadline(client, "08", None)  # back to the federal deadline
    db.session.expire_all()
    assert overrides() == {}


def test_federal_deadline_cannot_undercut_a_regional_one(app, demo, client):
    login(client, COORD_08)
    set_deadline(client, "08", stage().ends_on - timedelta(days=3))
    client.post("/logout")
    login(client, "admin@ekspertiza.local")
    prefix = f"s{stage().id}-"
    new_end = stage().ends_on - timedelta(days=10)
    data = {
        prefix + "name": stage().name,
        prefix + "starts_on": stage().starts_on.isoformat(),
        prefix + "ends_on": new_end.isoformat(),
    }
    before = stage().ends_on
    client.post(f"/setup/campaign/stages/{stage().id}", data=data)
    db.session.expire_all()
    assert stage().ends_on == before


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("coord.38@ekspertiza.local", 403),  # another region
        ("mun.zalari@ekspertiza.local", 403),  # a municipal coordinator
        (SCHOOL_08, 403),
        ("curator1@ekspertiza.local", 403),
    ],
)
def test_only_the_regions_coordinator_sets_its_deadline(app, demo, client, email, status):
    login(client, email)
    assert set_deadline(client, "08", YESTERDAY).status_code == status
    assert overrides() == {}


def test_followup_uses_the_regional_deadline(app, demo, client):
    login(client, COORD_08)
    set_deadline(client, "08", YESTERDAY)
    html = client.get("/overview/followup").get_data(as_text=True)
    overdue = html.split('id="overdue"')[1].split("</table>")[0]
    assert all(f'data-document-id="{d.id}"' in overdue for d in documents_of("08-UMC"))
    client.post("/logout")
    login(client, "coord.38@ekspertiza.local")
    html = client.get("/overview/followup").get_data(as_text=True)
    assert "data-document-id" not in html.split('id="overdue"')[1].split("</table>")[0]


def test_campaign_page_offers_the_form_to_the_coordinator_only_for_its_region(app, demo, client):
    login(client, COORD_08)
    html = client.get("/setup/campaign").get_data(as_text=True)
    assert 'data-region="08"' in html and 'data-region="38"' not in html
