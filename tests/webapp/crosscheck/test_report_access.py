"""Who sees which objectivity report (page, XLSX, JSON), and what the school's page shows."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from tests.webapp.crosscheck import world as w
from webapp.auth.models import Membership, RoleCode, User
from webapp.crosscheck.sheets import submit_points
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region

DEMO = "demo-pass"
COORD = "coord.38@ekspertiza.local"  # Irkutsk region
OTHER_REGION = "coord.08@ekspertiza.local"  # Kalmykia
MUNICIPAL = "mun.zalari@ekspertiza.local"
VER = "school.38-ver@ekspertiza.local"
TROI = "school.38-troi@ekspertiza.local"


@pytest.fixture
def xc(demo):
    world = w.build()
    sheet = w.give(world, "38-VER-1", "38-TROI")
    user = db.session.scalar(select(User).where(User.email == "expert.38-troi@test"))
    submit_points(sheet.id, [1, 1, 1, 1, 0], actor=user)  # 4 against 6: mark 4 → 3
    db.session.commit()
    return world


def other_municipal_coordinator() -> str:
    """A municipal coordinator of another Irkutsk municipality."""
    region = db.session.scalar(select(Region).where(Region.code == "38"))
    muni = Municipality(region_id=region.id, name="Другой район")
    db.session.add(muni)
    db.session.flush()
    user = User(email="mun.other@test", full_name="Другой координатор")
    user.set_password(w.PASSWORD)
    user.memberships = [Membership(role=RoleCode.MUNICIPAL_COORDINATOR, municipality_id=muni.id)]
    db.session.add(user)
    db.session.commit()
    return user.email


def page(client, world, email, password=DEMO, **args):
    w.login(client, email, password)
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/crosschecks/{world.campaign.id}/objectivity?{query}")


def test_the_school_sees_its_own_report_only(client, xc):
    ver, troi = xc.schools["38-VER"].id, xc.schools["38-TROI"].id
    own = page(client, xc, VER)
    assert own.status_code == 200
    assert 'data-figure="rechecked">1<' in own.text and 'data-figure="down">100.0 % (1)' in own.text
    assert "Веренская СОШ" in own.text and "Троицкая СОШ" not in own.text
    assert "<svg" in own.text and 'role="img"' in own.text
    assert "не доказательство" in own.text
    assert (
        client.get(f"/crosschecks/{xc.campaign.id}/objectivity?school_id={troi}").status_code == 404
    )
    assert (
        client.get(
            f"/crosschecks/{xc.campaign.id}/objectivity?municipality_id={xc.schools['38-VER'].municipality_id}"
        ).status_code
        == 404
    )
    headers = w.token(client, VER, DEMO)
    api = f"/api/v1/crosschecks/{xc.campaign.id}/report"
    assert client.get(api, headers=headers).json["school_id"] == ver
    assert client.get(f"{api}?school_id={troi}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("email", "level", "status"),
    [
        (COORD, "region", 200),
        (COORD, "school", 200),
        (MUNICIPAL, "municipality", 200),
        (MUNICIPAL, "school", 200),
        (MUNICIPAL, "region", 404),
        (OTHER_REGION, "region", 404),
        (OTHER_REGION, "school", 404),
        (OTHER_REGION, "municipality", 404),
        ("admin@ekspertiza.local", "region", 200),
        ("curator1@ekspertiza.local", "school", 404),
        (TROI, "school", 404),
    ],
)
def test_report_matrix(client, xc, email, level, status):
    ver = xc.schools["38-VER"]
    args = {
        "region": {},
        "school": {"school_id": ver.id},
        "municipality": {"municipality_id": ver.municipality_id},
    }[level]
    headers = w.token(client, email, DEMO)
    query = "&".join(f"{k}={v}" for k, v in args.items())
    api = client.get(f"/api/v1/crosschecks/{xc.campaign.id}/report?{query}", headers=headers)
    html = page(client, xc, email, **args)
    xlsx = client.get(f"/crosschecks/{xc.campaign.id}/objectivity.xlsx?{query}")
    if level == "region" and status == 200:
        assert api.json["level"] == "region"
    if email == MUNICIPAL and level == "region":
        # with no level asked, the municipal coordinator gets its municipality, not the region
        assert api.status_code == 200 and api.json["level"] == "municipality"
        assert html.status_code == 200 and "отчёт муниципалитета" in html.text
        return
    assert (api.status_code, html.status_code, xlsx.status_code) == (status, status, status)


def test_a_coordinator_of_another_municipality_sees_nothing(client, xc):
    email = other_municipal_coordinator()
    ver = xc.schools["38-VER"]
    for args in ({}, {"school_id": ver.id}, {"municipality_id": ver.municipality_id}):
        assert page(client, xc, email, w.PASSWORD, **args).status_code == 404


def test_unknown_campaign_and_bad_ids_are_404(client, xc):
    w.login(client, COORD, DEMO)
    assert client.get("/crosschecks/999/objectivity").status_code == 404
    url = f"/crosschecks/{xc.campaign.id}/objectivity"
    assert client.get(f"{url}?school_id=abc").status_code == 404
    assert client.get(f"{url}?school_id=99999999999").status_code == 404


def test_xlsx_export_has_a_row_per_school_and_the_caveat(client, xc):
    w.login(client, COORD, DEMO)
    response = client.get(f"/crosschecks/{xc.campaign.id}/objectivity.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Школа" and rows[0][-1] == "Признаки, требующие анализа"
    by_name = {r[0]: r for r in rows[1:-1]}
    assert set(by_name) == {"Веренская СОШ", "Троицкая СОШ", "Тыретская СОШ"}
    ver = by_name["Веренская СОШ"]
    assert ver[1:6] == (2, 1, 1.0, 0.0, 1.0)  # works, re-checked, changed, up, down
    assert ver[6] == 2.0 and ver[9] == "выраженного направления нет"
    assert rows[-1][0].startswith("Признаки — повод для анализа")


def test_a_cached_report_follows_new_scores(client, xc):
    headers = w.token(client, COORD, DEMO)
    api = f"/api/v1/crosschecks/{xc.campaign.id}/report"
    assert client.get(api, headers=headers).json["summary"]["rechecked"] == 1
    assert client.get(api, headers=headers).json["summary"]["rechecked"] == 1  # cached
    sheet = w.give(xc, "38-TROI-1", "38-VER")
    user = db.session.scalar(select(User).where(User.email == "expert.38-ver@test"))
    submit_points(sheet.id, [2, 2, 1, 1, 0], actor=user)
    db.session.commit()
    summary = client.get(api, headers=headers).json["summary"]
    assert summary["rechecked"] == 2 and summary["marks_changed"] == 1
