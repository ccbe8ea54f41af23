"""The coordinator's campaign screens and the school's expert screen, with access per route."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from tasks import jobs as job_tasks
from tests.support import login
from tests.webapp.crosscheck.support import (
    KALMYK_SCHOOL,
    MUN,
    REG08,
    REG38,
    VER_SCHOOL,
    experts_rows,
    loaded_campaign,
    works_rows,
)
from tests.webapp.crosscheck.test_api import EXPERTS_HEADER, TASKS, WORKS_HEADER, csv_bytes
from tests.webapp.helpers import user
from webapp.crosscheck.assignment import run_assignment
from webapp.crosscheck.models import CrossCheckCampaign, CrossCheckExpert, CrossCheckWork
from webapp.extensions import db

FORM = {
    "title": "ВПР осень, Заларинский район",
    "scope": "any",
    "second_percent": "0",
    "subjects": "math",
    "grades": "5",
    "threshold": "2",
}


def upload(client, cid: int, kind: str, content: bytes, name: str = "list.csv"):
    return client.post(
        f"/crosschecks/{cid}/lists/{kind}",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def xlsx_rows(client, url: str) -> list[tuple]:
    with client.get(url) as response:
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        rows = list(book.active.iter_rows(values_only=True))
        book.close()
    return rows


def territory(client) -> str:
    page = client.get("/crosschecks/new").get_data(as_text=True)
    start = page.index('name="territory"')
    return page[
        page.index('value="', start) + 7 : page.index('"', page.index('value="', start) + 7)
    ]


def test_the_coordinator_journey(app, demo, client):
    login(client, MUN)
    created = client.post("/crosschecks/new", data={**FORM, "territory": territory(client)})
    assert created.status_code == 302
    cid = db.session.scalar(select(CrossCheckCampaign.id))
    assert created.headers["Location"].endswith(f"/crosschecks/{cid}")
    assert upload(client, cid, "tasks", TASKS).status_code == 302
    bad = works_rows(2)
    bad[1] = (bad[1][0], "math", 5, "10001", 0, 5, 1)
    refused = upload(client, cid, "works", csv_bytes(WORKS_HEADER, bad), "работы.csv")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "работы.csv, строка 3, столбец task_2" in page
    assert db.session.scalar(select(func.count()).select_from(CrossCheckWork)) == 0
    assert upload(client, cid, "works", csv_bytes(WORKS_HEADER, works_rows())).status_code == 302
    ok = upload(client, cid, "experts", csv_bytes(EXPERTS_HEADER, experts_rows()))
    assert ok.status_code == 302
    page = client.get(f"/crosschecks/{cid}").get_data(as_text=True)
    assert 'id="run-assignment"' in page and "Списки загружены" in page
    started = client.post(f"/crosschecks/{cid}/assign")
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    job_page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'id="job-bar"' in job_page
    assert job_tasks.run_job(job_id, run_assignment) == "succeeded"
    assert 'id="to-campaign"' in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    result = client.get(f"/crosschecks/{cid}/result").get_data(as_text=True)
    assert 'id="all-placed"' in result and "оптимум доказан" in result
    rows = xlsx_rows(client, f"/crosschecks/{cid}/experts.xlsx")
    assert rows[0][0] == "Эксперт" and len(rows) == 37
    assert all(row[2] != row[7] for row in rows[1:])  # never the expert's own school
    assert len(xlsx_rows(client, f"/crosschecks/{cid}/schools.xlsx")) == 37
    start = client.post(
        f"/crosschecks/{cid}/transition", data={"trigger": "start_checking", "lock_version": ""}
    )
    assert start.status_code == 302
    assert db.session.get(CrossCheckCampaign, cid, populate_existing=True).state == "checking"


def test_the_templates_are_xlsx_with_the_documented_header(app, demo, client):
    login(client, MUN)
    header = xlsx_rows(client, "/crosschecks/templates/works.xlsx")[0]
    assert list(header[:5]) == ["school_code", "subject", "grade", "participant_code", "task_1"]


@pytest.mark.parametrize(
    ("email", "expected"), [(MUN, 200), (REG38, 200), (REG08, 404), (VER_SCHOOL, 404)]
)
def test_access_to_every_campaign_route(app, demo, client, tmp_path, email, expected):
    campaign = loaded_campaign(user(MUN), tmp_path)
    login(client, email)
    cid = campaign.id
    for path in ("", "/result", "/experts.xlsx", "/schools.xlsx"):
        with client.get(f"/crosschecks/{cid}{path}") as response:
            assert response.status_code == expected, path
    # The settings are edited only in draft: the coordinator is sent back to the campaign page.
    assert client.get(f"/crosschecks/{cid}/edit").status_code == (302 if expected == 200 else 404)
    if expected == 404:
        assert upload(client, cid, "tasks", TASKS).status_code == 404
        assert client.post(f"/crosschecks/{cid}/assign").status_code == 404
        assert (
            client.post(f"/crosschecks/{cid}/transition", data={"trigger": "cancel"}).status_code
            == 404
        )
        assert (
            client.post(f"/crosschecks/{cid}/rules/1", data={"threshold": "1"}).status_code == 404
        )


def test_non_coordinators_get_403_on_the_list(app, demo, client):
    login(client, VER_SCHOOL)
    assert client.get("/crosschecks").status_code == 403
    assert client.get("/crosschecks/new").status_code == 403


def test_a_school_adds_its_own_expert(app, demo, client, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    login(client, VER_SCHOOL)
    page = client.get("/crosschecks/school").get_data(as_text=True)
    assert f'id="school-campaign-{campaign.id}"' in page
    prefix = f"c{campaign.id}-"
    response = client.post(
        f"/crosschecks/school/{campaign.id}/experts",
        data={
            prefix + "school_code": "38-VER",
            prefix + "full_name": "Петрова Мария Ивановна",
            prefix + "email": "petrova@example.ru",
            prefix + "subjects": "math",
            prefix + "grades": "5",
            prefix + "capacity": "12",
        },
    )
    assert response.status_code == 302
    expert = db.session.scalar(
        select(CrossCheckExpert).where(CrossCheckExpert.email == "petrova@example.ru")
    )
    assert expert.source == "school" and expert.capacity == 12
    db.session.expire_all()
    history = db.session.get(CrossCheckCampaign, campaign.id).history
    assert history[-1].event == "add_expert"


def test_a_school_of_another_region_cannot_add_experts(app, demo, client, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    login(client, KALMYK_SCHOOL)
    response = client.post(f"/crosschecks/school/{campaign.id}/experts", data={})
    assert response.status_code == 404


def test_settings_are_edited_in_draft_only(app, demo, client, tmp_path):
    from tests.webapp.crosscheck.support import settings
    from webapp.crosscheck import services
    from webapp.orgs.models import Municipality

    zalari = db.session.scalar(select(Municipality).where(Municipality.name == "Заларинский район"))
    draft = services.create_campaign(user(MUN), zalari.region_id, zalari.id, settings())
    db.session.commit()
    login(client, MUN)
    assert client.get(f"/crosschecks/{draft.id}/edit").status_code == 200
    data = {**FORM, "title": "Новое название", "second_percent": "15", "grades": "5;6"}
    assert client.post(f"/crosschecks/{draft.id}/edit", data=data).status_code == 302
    edited = db.session.get(CrossCheckCampaign, draft.id, populate_existing=True)
    assert (edited.title, edited.second_share) == ("Новое название", 0.15)
    assert sorted((r.subject, r.grade) for r in edited.rules) == [("math", 5), ("math", 6)]
    assert edited.history[-1].event == "edit"
    loaded = loaded_campaign(user(MUN), tmp_path)
    refused = client.post(f"/crosschecks/{loaded.id}/edit", data=data)
    assert refused.status_code == 409
    assert (
        db.session.get(CrossCheckCampaign, loaded.id, populate_existing=True).title
        != "Новое название"
    )


def test_the_result_page_shows_the_first_rows_and_says_so(app, demo, client, tmp_path, monkeypatch):
    from webapp.crosscheck import assignment, views

    campaign = loaded_campaign(user(MUN), tmp_path)
    job = assignment.start_assignment(campaign.id, user(MUN))
    db.session.commit()
    assert job_tasks.run_job(job.id, run_assignment) == "succeeded"
    monkeypatch.setattr(views, "RESULT_ROWS", 2)
    login(client, MUN)
    page = client.get(f"/crosschecks/{campaign.id}/result").get_data(as_text=True)
    loads = page[page.index('id="loads"') : page.index("</table>", page.index('id="loads"'))]
    assert loads.count("<tr>") == 1 + 2  # the header and two experts of six
    assert "Показаны 2 самых загруженных из 6" in page
