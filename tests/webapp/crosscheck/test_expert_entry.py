"""The expert's score entry: only its works, never the school's or the other checker's points,
the grid validated against the task maxima, every change through the score sheet workflow."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.webapp.crosscheck import world as w
from webapp.crosscheck.models import ScoreSheet, ScoreSheetLog
from webapp.extensions import db

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def xc(demo):
    world = w.build()
    w.give(world, "38-VER-1", "38-TROI")  # first check by Троицкая
    w.give(world, "38-VER-1", "38-TYR", role="second")
    w.give(world, "38-TROI-1", "38-VER")
    return world


def sheet_of(world, key: str) -> ScoreSheet:
    return db.session.get(ScoreSheet, world.sheets[key].id)


def history(sheet_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(
        select(ScoreSheetLog)
        .where(ScoreSheetLog.score_sheet_id == sheet_id)
        .order_by(ScoreSheetLog.id)
    )
    return [(r.event, r.from_state, r.to_state) for r in rows]


def test_expert_lists_only_its_own_works(client, xc):
    w.login(client, "expert.38-troi@test")
    page = client.get("/expert").text
    assert "38-VER-1" in page
    assert "38-TROI-1" not in page  # checked by Веренская, and Троицкая's own work
    assert page.count("data-sheet-id=") == 1


def test_other_experts_sheet_is_404_on_page_and_api(client, xc):
    w.login(client, "expert.38-troi@test")
    other = xc.sheets["38-TROI-1:first"].id
    assert client.get(f"/expert/sheets/{other}").status_code == 404
    assert client.post(f"/expert/sheets/{other}", data={"task_1": "1"}).status_code == 404
    assert client.post(f"/expert/sheets/{other}/autosave", json={"points": [1]}).status_code == 404
    headers = w.token(client, "expert.38-troi@test")
    response = client.put(
        f"/api/v1/expert/works/{other}/scores", json={"points": [1] * 5}, headers=headers
    )
    assert response.status_code == 404
    assert sheet_of(xc, "38-TROI-1:first").points is None


def test_first_and_second_checkers_never_see_the_school_or_each_other(client, xc):
    first, second = xc.sheets["38-VER-1:first"], xc.sheets["38-VER-1:second"]
    # the first checker saves distinctive points; the school gave 2, 2, 1, 1, 0
    w.login(client, "expert.38-troi@test")
    client.post(f"/expert/sheets/{first.id}", data={f"task_{n}": "0" for n in range(1, 6)})
    w.login(client, "expert.38-tyr@test")
    response = client.get(f"/expert/sheets/{second.id}")
    assert response.status_code == 200
    page = response.text
    assert "earlier-scores" not in page and "data-earlier" not in page
    assert 'value="0"' not in page and 'value="2"' not in page  # nothing pre-filled but its own
    headers = w.token(client, "expert.38-tyr@test")
    items = client.get("/api/v1/expert/works", headers=headers).json["items"]
    assert [i["participant_code"] for i in items] == ["38-VER-1"]
    assert set(items[0]) == {
        "id", "participant_code", "subject", "grade", "role", "state", "max_points", "points",
        "lock_version",
    }  # fmt: skip
    assert items[0]["points"] is None and items[0]["max_points"] == w.MAXIMA


@BOTH
def test_saving_starts_the_sheet_and_submitting_needs_every_task(client, xc):
    sheet = xc.sheets["38-VER-1:first"]
    w.login(client, "expert.38-troi@test")
    response = client.post(f"/expert/sheets/{sheet.id}", data={"task_1": "2", "task_2": "1"})
    assert response.status_code == 302
    saved = sheet_of(xc, "38-VER-1:first")
    assert saved.state == "in_progress" and saved.points == [2, 1, None, None, None]
    response = client.post(f"/expert/sheets/{sheet.id}", data={"task_1": "2", "action": "submit"})
    assert response.status_code == 422
    assert "Оцените каждое задание" in response.text
    assert sheet_of(xc, "38-VER-1:first").state == "in_progress"
    data = {f"task_{n}": "1" for n in range(1, 6)} | {"action": "submit"}
    assert client.post(f"/expert/sheets/{sheet.id}", data=data).status_code == 302
    done = sheet_of(xc, "38-VER-1:first")
    assert done.state == "submitted" and done.points == [1, 1, 1, 1, 1]
    assert history(sheet.id) == [
        ("start", "assigned", "in_progress"),
        ("submit", "in_progress", "submitted"),
    ]
    # submitted: no more changes
    again = client.post(f"/expert/sheets/{sheet.id}", data={"task_1": "0"})
    assert again.status_code == 409
    assert sheet_of(xc, "38-VER-1:first").points == [1, 1, 1, 1, 1]


@pytest.mark.parametrize("value", ["3", "-1", "abc", "1.5"])
def test_points_outside_the_task_maximum_are_refused_on_the_form(client, xc, value):
    sheet = xc.sheets["38-VER-1:first"]
    w.login(client, "expert.38-troi@test")
    response = client.post(f"/expert/sheets/{sheet.id}", data={"task_1": "1", "task_2": value})
    assert response.status_code == 422
    stored = sheet_of(xc, "38-VER-1:first")
    assert stored.points is None and stored.state == "assigned"


def test_autosave_validates_and_saves_partial_points(client, xc):
    sheet = xc.sheets["38-VER-1:first"]
    w.login(client, "expert.38-troi@test")
    url = f"/expert/sheets/{sheet.id}/autosave"
    bad = client.post(url, json={"points": [1, 5, None, None, None]})
    assert (
        bad.status_code == 422
        and "Баллы за задание 2: целое число от 0 до 2." in bad.json["message"]
    )
    short = client.post(url, json={"points": [1, 1]})
    assert short.status_code == 422 and "Нужно 5 значений" in short.json["message"]
    ok = client.post(url, json={"points": [1, None, 2, None, None]})
    assert ok.status_code == 200 and ok.json["state"] == "in_progress"
    assert sheet_of(xc, "38-VER-1:first").points == [1, None, 2, None, None]


@BOTH
def test_api_save_then_submit(client, xc):
    sheet = xc.sheets["38-VER-1:first"]
    headers = w.token(client, "expert.38-troi@test")
    url = f"/api/v1/expert/works/{sheet.id}/scores"
    too_high = client.put(url, json={"points": [2, 2, 2, 2, 3]}, headers=headers)
    assert too_high.status_code == 422
    saved = client.put(url, json={"points": [2, 2, None, 0, 0]}, headers=headers)
    assert saved.status_code == 200 and saved.json["state"] == "in_progress"
    incomplete = client.put(
        url, json={"points": [2, 2, None, 0, 0], "submit": True}, headers=headers
    )
    assert incomplete.status_code == 422
    assert incomplete.json["error"]["reasons"] == ["points_complete"]
    done = client.put(url, json={"points": [2, 2, 1, 0, 0], "submit": True}, headers=headers)
    assert done.status_code == 200 and done.json["state"] == "submitted"
    assert done.json["points"] == [2, 2, 1, 0, 0]


def test_entry_closed_outside_the_checking_stage(client, demo):
    world = w.build(state="assigned")
    sheet = w.give(world, "38-VER-1", "38-TROI")
    headers = w.token(client, "expert.38-troi@test")
    response = client.put(
        f"/api/v1/expert/works/{sheet.id}/scores", json={"points": [1] * 5}, headers=headers
    )
    assert response.status_code == 422
    assert db.session.get(ScoreSheet, sheet.id).points is None


def test_a_coordinator_has_no_expert_works(client, xc):
    headers = w.token(client, "coord.38@ekspertiza.local", "demo-pass")
    assert client.get("/api/v1/expert/works", headers=headers).json["items"] == []
    sheet = xc.sheets["38-VER-1:first"].id
    assert (
        client.put(
            f"/api/v1/expert/works/{sheet}/scores", json={"points": [1] * 5}, headers=headers
        ).status_code
        == 404
    )
