"""``flask demo --json`` lists demo teachers of the Zalari schools with the role ``expert``."""

from __future__ import annotations

import json

from webapp.cli import demo_command
from webapp.demo.crosscheck_experts import TEACHERS, teacher_email


def test_demo_lists_zalari_teachers_as_experts(app, client):
    result = app.test_cli_runner().invoke(demo_command, ["--json", "--password", "demo-pass-1"])
    assert result.exit_code == 0, result.output
    logins = {row["email"]: row for row in json.loads(result.output)}
    experts = {e for e, row in logins.items() if any(r["role"] == "expert" for r in row["roles"])}
    assert experts == {teacher_email(code) for code, _ in TEACHERS}
    ver = logins["teacher.38-ver@ekspertiza.local"]["roles"]
    assert len(ver) == 1 and ver[0]["school_id"] is not None
    response = client.post(
        "/login", data={"email": "teacher.38-ver@ekspertiza.local", "password": "demo-pass-1"}
    )
    assert response.status_code == 302
    page = client.get("/expert")
    assert page.status_code == 200 and 'id="nav-expert"' in page.text


def test_demo_cross_check_can_be_played_at_once(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(demo_command, ["--password", "demo-pass-1"]).exit_code == 0
    assert runner.invoke(demo_command, ["--password", "demo-pass-1"]).exit_code == 0  # once
    from sqlalchemy import func, select

    from webapp.crosscheck.models import CrossCheckCampaign, ScoreSheet
    from webapp.extensions import db

    [campaign] = db.session.scalars(select(CrossCheckCampaign)).all()
    assert campaign.state == "checking" and campaign.municipality_id is not None
    assert [log.event for log in campaign.history] == ["complete_lists", "assign", "start_checking"]
    assert db.session.scalar(select(func.count(ScoreSheet.id))) == 12
    client.post(
        "/login", data={"email": "teacher.38-troi@ekspertiza.local", "password": "demo-pass-1"}
    )
    page = client.get("/expert").text
    assert page.count("data-sheet-id=") == 4 and "38-VER-5-001" in page
