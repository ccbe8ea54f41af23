"""The dashboards' figures (counted by hand from the world built here) and every route's access.

The world: the demo (every 500+ school has 5 documents in draft; Kalmykia's three schools, one per
district, are curator1's; Zalari's roadmap has 45 items done and 1 planned), plus
- 08-UMC: the concept in review with its review deadline passed, the mid-term programme submitted;
- the documents stage closed yesterday, so every document still in the school's hands is late;
- measures: 08-UMC accepted / past deadline unreported / submitted; 08-SOL one draft; 38-VER one
  draft (a title nobody outside Zalari may read);
- the Zalari cross-check (12 works of three schools, one first check submitted).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.support import login
from tests.webapp.dashboards.tables import as_dicts, tables
from tests.webapp.helpers import SCHOOL, bring_to_review, documents_of, upload, user
from tests.webapp.helpers import fire as fire_document
from tests.webapp.monitoring.conftest import fire, new_measure, report, school_by_code
from webapp.campaigns.models import Stage
from webapp.common.time import utcnow
from webapp.crosscheck import sheets
from webapp.crosscheck.models import CrossCheckExpert, ScoreSheet
from webapp.demo.crosscheck_experts import demo_campaign, teacher_email
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
UMC_SCHOOL = SCHOOL  # school.08-umc
SOL_SCHOOL = "school.08-sol@ekspertiza.local"
VER_SCHOOL = "school.38-ver@ekspertiza.local"
CURATOR = "curator1@ekspertiza.local"
COORD_08 = "coord.08@ekspertiza.local"
COORD_38 = "coord.38@ekspertiza.local"
MUN = "mun.zalari@ekspertiza.local"
ADMIN = "admin@ekspertiza.local"
SECRET = "Секретное мероприятие Веренской"
TODAY = utcnow().date()


@pytest.fixture
def world(demo):
    umc = documents_of("08-UMC")
    bring_to_review(umc[0])
    upload(umc[1], UMC_SCHOOL)
    fire_document(umc[1], "submit", UMC_SCHOOL)
    late = utcnow() - timedelta(days=1)
    db.session.execute(update(Document).where(Document.id == umc[0].id).values(due_at=late))
    db.session.execute(
        update(Stage).where(Stage.code == "documents").values(ends_on=TODAY - timedelta(days=1))
    )
    db.session.commit()

    accepted = new_measure("08-UMC", UMC_SCHOOL, title="Принятое мероприятие")
    report(accepted, UMC_SCHOOL)
    fire(accepted, "submit", UMC_SCHOOL)
    fire(accepted, "accept", CURATOR)
    new_measure(
        "08-UMC", UMC_SCHOOL, title="Просроченное мероприятие", deadline=TODAY - timedelta(days=10)
    )
    waiting = new_measure("08-UMC", UMC_SCHOOL, title="Мероприятие на проверке")
    report(waiting, UMC_SCHOOL, name="второй.pdf")
    fire(waiting, "submit", UMC_SCHOOL)
    new_measure("08-SOL", SOL_SCHOOL, title="Мероприятие Соленовской")
    new_measure("38-VER", VER_SCHOOL, title=SECRET)

    campaign = demo_campaign()
    db.session.commit()
    troi_expert = db.session.scalar(
        select(CrossCheckExpert).where(
            CrossCheckExpert.campaign_id == campaign.id,
            CrossCheckExpert.email == teacher_email("38-TROI"),
        )
    )
    sheet = db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.expert_id == troi_expert.id).order_by(ScoreSheet.id)
    ).first()
    sheets.submit_points(sheet.id, [2, 2, 1, 1, 0], actor=user(teacher_email("38-TROI")))
    db.session.commit()
    return {"campaign": campaign}


def page(client, email: str, url: str) -> str:
    login(client, email)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def counts(table: dict[str, dict[str, str]]) -> dict[str, dict[str, int]]:
    return {row: {k: int(v) for k, v in cells.items()} for row, cells in table.items()}


@BOTH
def test_regional_dashboard_counts_documents_measures_by_municipality(world, client):
    html = page(client, COORD_08, "/dashboard/territory")
    t = tables(html)
    assert counts(as_dicts(t["territory-documents"])) == {
        "Сарпинский район": {
            "Черновик": 3,
            "На проверке (ожидает куратора)": 1,
            "Проверяется куратором": 1,
            "Всего": 5,
            "Просрочено": 4,
        },
        "Яшалтинский район": {
            "Черновик": 5,
            "На проверке (ожидает куратора)": 0,
            "Проверяется куратором": 0,
            "Всего": 5,
            "Просрочено": 5,
        },
        "Яшкульский район": {
            "Черновик": 5,
            "На проверке (ожидает куратора)": 0,
            "Проверяется куратором": 0,
            "Всего": 5,
            "Просрочено": 5,
        },
    }
    curators = counts(as_dicts(t["territory-curators"]))
    assert curators == {
        "Куратор 1 (демо)": {
            "Черновик": 13,
            "На проверке (ожидает куратора)": 1,
            "Проверяется куратором": 1,
            "Всего": 15,
            "Просрочено": 14,
        }
    }
    assert counts(as_dicts(t["territory-measures"])) == {
        "Сарпинский район": {
            "Отчёт не отправлен": 1,
            "На проверке": 1,
            "Принято": 1,
            "Всего": 3,
            "Просрочено": 1,
        },
        "Яшалтинский район": {
            "Отчёт не отправлен": 1,
            "На проверке": 0,
            "Принято": 0,
            "Всего": 1,
            "Просрочено": 0,
        },
    }
    # Nothing of Irkutsk: no Zalari roadmap, no cross-check, no Verenskaya measure.
    assert t["territory-crosscheck"][1:] == [["Кампаний перекрёстной проверки нет."]]
    assert t["territory-roadmaps"][1:] == [["Школа", "0"], ["Муниципалитет", "0"], ["Регион", "0"]]
    assert SECRET not in html and "Заларинский" not in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html
    assert 'href="/reports"' in html


@BOTH
def test_zalari_dashboards_count_roadmap_and_crosscheck(world, client):
    for email in (COORD_38, MUN):
        html = page(client, email, "/dashboard/territory")
        t = tables(html)
        crosscheck = t["territory-crosscheck"]
        assert crosscheck[1][2:] == ["12", "1", "0", "0"], email
        roadmaps = as_dicts(t["territory-roadmaps"])
        assert roadmaps["Муниципалитет"] == {
            "Запланировано": "1",
            "Выполнено": "45",
            "Всего": "46",
        }, email
        client.post("/logout")
    # The municipal coordinator's rows are its schools; the measure of Verenskaya is counted.
    html = page(client, MUN, "/dashboard/territory")
    measures = counts(as_dicts(tables(html)["territory-measures"]))
    assert measures == {
        "Веренская СОШ": {"Отчёт не отправлен": 1, "Всего": 1, "Просрочено": 0},
    }
    docs = counts(as_dicts(tables(html)["territory-documents"]))
    assert docs == {
        "Веренская СОШ": {"Черновик": 5, "Всего": 5, "Просрочено": 5},
        "Троицкая СОШ": {"Черновик": 5, "Всего": 5, "Просрочено": 5},
    }


@BOTH
def test_admin_drills_down_region_then_municipality(world, client):
    html = page(client, ADMIN, "/dashboard/territory")
    by_region = counts(as_dicts(tables(html)["territory-documents"]))
    assert by_region["Республика Калмыкия"]["Всего"] == 15
    assert by_region["Республика Калмыкия"]["Просрочено"] == 14
    assert by_region["Иркутская область"] == {
        "Черновик": 10,
        "На проверке (ожидает куратора)": 0,
        "Проверяется куратором": 0,
        "Всего": 10,
        "Просрочено": 10,
    }
    kalmykia = db.session.scalar(select(Region.id).where(Region.code == "08"))
    html = client.get(f"/dashboard/territory?region={kalmykia}").get_data(as_text=True)
    assert set(as_dicts(tables(html)["territory-documents"])) == {
        "Сарпинский район",
        "Яшалтинский район",
        "Яшкульский район",
    }
    sarpa = db.session.scalar(
        select(Municipality.id).where(Municipality.name == "Сарпинский район")
    )
    html = client.get(f"/dashboard/territory?municipality={sarpa}").get_data(as_text=True)
    docs = counts(as_dicts(tables(html)["territory-documents"]))
    assert docs == {
        "Уманцевская СОШ": {
            "Черновик": 3,
            "На проверке (ожидает куратора)": 1,
            "Проверяется куратором": 1,
            "Всего": 5,
            "Просрочено": 4,
        }
    }


@BOTH
def test_curator_dashboard_shows_its_schools_and_what_waits(world, client):
    html = page(client, CURATOR, "/dashboard/curator")
    t = tables(html)
    docs = counts(as_dicts(t["curator-documents"]))
    assert docs["Уманцевская СОШ"]["Просрочено"] == 4
    assert set(docs) == {"Уманцевская СОШ", "Соленовская СОШ", "Молодежненская СОШ"}
    measures = counts(as_dicts(t["curator-measures"]))
    assert measures["Уманцевская СОШ"]["На проверке"] == 1
    assert measures["Соленовская СОШ"]["Всего"] == 1
    assert "ждут вашей проверки: 1." in html
    assert SECRET not in html and "Веренская" not in html


@BOTH
def test_school_dashboard_lists_what_is_due(world, client):
    umc = school_by_code("08-UMC")
    html = page(client, UMC_SCHOOL, f"/dashboard/schools/{umc.id}")
    t = tables(html)
    documents = t["school-documents"][1:]
    assert len(documents) == 5
    assert documents[0][1] == "Проверяется куратором" and "просрочено" in documents[0][2]
    measures = [row[:2] for row in t["school-measures"][1:]]
    assert measures == [
        ["Просроченное мероприятие", "Отчёт не отправлен"],
        ["Мероприятие на проверке", "На проверке"],
    ]
    assert "Принято: 1 из 3" in html
    assert SECRET not in html and "Соленовская" not in html


@BOTH
def test_school_dashboard_shows_its_experts_cross_check_work(world, client):
    troi = school_by_code("38-TROI")
    html = page(client, "school.38-troi@ekspertiza.local", f"/dashboard/schools/{troi.id}")
    assert "в работе 3, проверено 1" in html


@pytest.mark.parametrize(
    "email, target",
    [
        (UMC_SCHOOL, "/dashboard/schools/{umc}"),
        (CURATOR, "/dashboard/curator"),
        (COORD_08, "/dashboard/territory"),
        (ADMIN, "/dashboard/territory"),
    ],
)
def test_dashboard_entry_sends_each_role_to_its_own(world, client, email, target):
    login(client, email)
    response = client.get("/dashboard")
    umc = school_by_code("08-UMC").id
    assert response.status_code == 302
    assert response.headers["Location"].endswith(target.format(umc=umc))


def test_out_of_scope_dashboards_are_refused(world, client):
    umc = school_by_code("08-UMC").id
    sol = school_by_code("08-SOL").id
    ver = school_by_code("38-VER").id
    irkutsk = db.session.scalar(select(Region.id).where(Region.code == "38"))
    kalmykia = db.session.scalar(select(Region.id).where(Region.code == "08"))
    zalari = school_by_code("38-VER").municipality_id
    sarpa = school_by_code("08-UMC").municipality_id
    cases = {
        UMC_SCHOOL: [
            (f"/dashboard/schools/{sol}", 404),
            ("/dashboard/schools/999999", 404),
            ("/dashboard/territory", 403),
            ("/dashboard/curator", 403),
        ],
        CURATOR: [(f"/dashboard/schools/{ver}", 404), ("/dashboard/territory", 403)],
        COORD_08: [
            (f"/dashboard/territory?region={irkutsk}", 404),
            (f"/dashboard/territory?municipality={zalari}", 404),
            (f"/dashboard/schools/{ver}", 404),
            ("/dashboard/curator", 403),
            (f"/dashboard/schools/{umc}", 200),
        ],
        MUN: [
            (f"/dashboard/territory?region={kalmykia}", 404),
            (f"/dashboard/territory?municipality={sarpa}", 404),
            (f"/dashboard/schools/{umc}", 404),
        ],
        teacher_email("38-TROI"): [("/dashboard", 403), ("/dashboard/territory", 403)],
    }
    for email, checks in cases.items():
        login(client, email)
        for url, status in checks:
            response = client.get(url)
            assert response.status_code == status, (email, url)
            if status != 200:
                assert SECRET not in response.get_data(as_text=True)
        client.post("/logout")
    for url in ("/dashboard", f"/dashboard/schools/{umc}", "/dashboard/territory"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_menu_links_the_dashboard(world, client):
    html = page(client, CURATOR, "/notifications")
    assert 'id="nav-dashboard" href="/dashboard"' in html
