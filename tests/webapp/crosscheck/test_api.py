"""The cross-check API (issue 9 §9): the scripted journey, 422 with nothing stored, access."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tasks import jobs as job_tasks
from tests.webapp.api.support import auth
from tests.webapp.crosscheck.support import (
    ADMIN,
    KALMYK_SCHOOL,
    MUN,
    REG08,
    REG38,
    VER_SCHOOL,
    experts_rows,
    works_rows,
)
from webapp.crosscheck.assignment import run_assignment
from webapp.crosscheck.models import CrossCheckWork, ScoreSheet
from webapp.extensions import db


def csv_bytes(header: list[str], rows: list[tuple]) -> bytes:
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


TASKS = csv_bytes(
    ["subject", "grade", "task", "max_points"],
    [("math", 5, 1, 1), ("math", 5, 2, 2), ("math", 5, 3, 2)],
)
WORKS_HEADER = ["school_code", "subject", "grade", "participant_code", "task_1", "task_2", "task_3"]
EXPERTS_HEADER = ["school_code", "full_name", "email", "subjects", "grades", "capacity"]
BODY = {"title": "ВПР осень", "subjects": ["math"], "grades": [5], "scope": "any"}


def post_file(client, headers, campaign_id, kind, content: bytes, name="list.csv"):
    return client.post(
        f"/api/v1/crosschecks/{campaign_id}/{kind}",
        headers=headers,
        data={"file": (io.BytesIO(content), name)},
    )


def works_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CrossCheckWork))


def test_the_scripted_journey(app, demo, client):
    headers = auth(client, MUN)
    created = client.post("/api/v1/crosschecks", headers=headers, json=BODY)
    assert created.status_code == 201, created.json
    cid = created.json["id"]
    assert post_file(client, headers, cid, "tasks", TASKS).json == {"rows": 3}
    bad = works_rows(2)
    bad[2] = (bad[2][0], "math", 5, "20000", 1, 1, 9)  # task_3 above its maximum
    refused = post_file(client, headers, cid, "works", csv_bytes(WORKS_HEADER, bad))
    assert refused.status_code == 422
    assert [(e["row"], e["column"]) for e in refused.json["errors"]] == [(4, "task_3")]
    assert "2" in refused.json["errors"][0]["message"]
    assert works_count() == 0
    works = post_file(client, headers, cid, "works", csv_bytes(WORKS_HEADER, works_rows()))
    assert works.json == {"rows": 36}
    experts = post_file(client, headers, cid, "experts", csv_bytes(EXPERTS_HEADER, experts_rows()))
    assert experts.json == {"rows": 6}
    state = client.get(f"/api/v1/crosschecks/{cid}", headers=headers).json
    assert state["state"] == "lists_loaded"
    assert state["lists"] == {"tasks": 3, "works": 36, "experts": 6}
    started = client.post(f"/api/v1/crosschecks/{cid}/assignment", headers=headers)
    assert started.status_code == 202
    job_id = started.json["job_id"]
    assert job_tasks.run_job(job_id, run_assignment) == "succeeded"
    job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json
    assert job["state"] == "succeeded" and job["progress"] == 100
    after = client.get(f"/api/v1/crosschecks/{cid}", headers=headers).json
    assert after["state"] == "assigned"
    assert after["summary"]["sheets"] == 36 and after["unassigned"] == []
    assert after["summary"]["load"]["proven_optimal"] is True
    # Lists are closed once assigned: 409.
    again = post_file(client, headers, cid, "tasks", TASKS)
    assert again.status_code == 409


def test_unplaced_works_come_with_their_reason(app, demo, client):
    headers = auth(client, MUN)
    cid = client.post("/api/v1/crosschecks", headers=headers, json=BODY).json["id"]
    post_file(client, headers, cid, "tasks", TASKS)
    post_file(client, headers, cid, "works", csv_bytes(WORKS_HEADER, works_rows()))
    one = [("38-VER", "Учитель", "t@example.ru", "math", "5", 4)]
    post_file(client, headers, cid, "experts", csv_bytes(EXPERTS_HEADER, one))
    job_id = client.post(f"/api/v1/crosschecks/{cid}/assignment", headers=headers).json["job_id"]
    assert job_tasks.run_job(job_id, run_assignment) == "succeeded"
    body = client.get(f"/api/v1/crosschecks/{cid}", headers=headers).json
    unplaced = body["unassigned"]
    # 36 works, one expert of capacity 4 who never checks its own school (38-VER).
    assert sum(u["works"] for u in unplaced) == 32
    assert {u["role"] for u in unplaced} == {"first"}
    ver = [u for u in unplaced if u["school"] == "Веренская СОШ"]
    assert ver and "Нет экспертов" in ver[0]["reason"]
    assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 4


def test_an_unknown_extension_is_refused(app, demo, client):
    headers = auth(client, MUN)
    cid = client.post("/api/v1/crosschecks", headers=headers, json=BODY).json["id"]
    response = post_file(client, headers, cid, "tasks", TASKS, name="tasks.exe")
    assert response.status_code == 422 and "CSV или XLSX" in response.json["errors"][0]["message"]


def test_a_regional_coordinator_must_stay_in_its_region(app, demo, client):
    headers = auth(client, REG08)
    from webapp.orgs.models import Region

    irkutsk = db.session.scalar(select(Region.id).where(Region.code == "38"))
    response = client.post(
        "/api/v1/crosschecks", headers=headers, json={**BODY, "region_id": irkutsk}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (MUN, 200),  # created it
        (REG38, 200),  # the region's coordinator
        (ADMIN, 200),
        (REG08, 404),  # another region
        (VER_SCHOOL, 404),  # a school of the municipality
        (KALMYK_SCHOOL, 404),
    ],
)
def test_access_matrix(app, demo, client, email, status):
    cid = client.post("/api/v1/crosschecks", headers=auth(client, MUN), json=BODY).json["id"]
    headers = auth(client, email)
    assert client.get(f"/api/v1/crosschecks/{cid}", headers=headers).status_code == status
    upload = post_file(client, headers, cid, "tasks", TASKS)
    assert upload.status_code == status
    run = client.post(f"/api/v1/crosschecks/{cid}/assignment", headers=headers)
    # Allowed callers get 409: the lists are not complete, so ``assign`` is not open yet.
    assert run.status_code == (409 if status == 200 else 404)


def test_a_municipal_coordinator_does_not_see_the_regional_campaign(app, demo, client):
    cid = client.post("/api/v1/crosschecks", headers=auth(client, REG38), json=BODY).json["id"]
    assert client.get(f"/api/v1/crosschecks/{cid}", headers=auth(client, MUN)).status_code == 404
    assert client.get(f"/api/v1/crosschecks/{cid}", headers=auth(client, REG38)).status_code == 200


def test_without_a_token_401(app, demo, client):
    assert client.get("/api/v1/crosschecks/1").status_code == 401
