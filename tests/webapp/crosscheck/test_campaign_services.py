"""Campaign services on the database: lists all or nothing, the assignment job, re-runs."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select

from tasks import jobs as job_tasks
from tests.webapp.crosscheck.support import (
    MUN,
    REG08,
    REG38,
    SCHOOLS,
    experts_file,
    loaded_campaign,
    works_file,
    works_rows,
)
from tests.webapp.helpers import user
from webapp.crosscheck import assignment, services
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckCampaignLog,
    CrossCheckExpert,
    CrossCheckWork,
    ScoreSheet,
    ScoreSheetLog,
)
from webapp.crosscheck.workflow import CAMPAIGNS, SCORE_SHEETS
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.tabular import TabularRejected
from webapp.workflow.service import apply_transition
from workflows.machine import NotPermitted, StateConflict


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def run(campaign_id: int, email: str = MUN) -> Job:
    job = assignment.start_assignment(campaign_id, user(email))
    db.session.commit()
    assert job_tasks.run_job(job.id, assignment.run_assignment) == "succeeded"
    return db.session.get(Job, job.id, populate_existing=True)


def live(campaign_id: int, role: str | None = None) -> list[ScoreSheet]:
    stmt = select(ScoreSheet).where(
        ScoreSheet.campaign_id == campaign_id, ScoreSheet.state != "withdrawn"
    )
    if role:
        stmt = stmt.where(ScoreSheet.role == role)
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


def test_lists_loaded_moves_the_campaign_and_stores_every_row(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    campaign = db.session.get(CrossCheckCampaign, campaign.id, populate_existing=True)
    assert campaign.state == "lists_loaded"
    assert count(CrossCheckWork, CrossCheckWork.campaign_id == campaign.id) == 36
    assert count(CrossCheckExpert, CrossCheckExpert.campaign_id == campaign.id) == 6
    # The default mark scale for a maximum of 1 + 2 + 2 = 5 points: 30 %, 55 %, 80 % rounded up.
    assert campaign.rules[0].mark_scale == [2, 3, 4]
    events = [log.event for log in campaign.history]
    assert events == ["import_list", "import_list", "import_list", "complete_lists"]


def test_a_bad_row_stores_nothing_and_names_row_and_column(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    before = count(CrossCheckWork, CrossCheckWork.campaign_id == campaign.id)
    rows = works_rows(2)
    rows[1] = (rows[1][0], "math", 5, "10001", 0, 5, 1)  # task_2 above its maximum of 2
    with pytest.raises(TabularRejected) as caught:
        services.import_list(campaign.id, "works", works_file(tmp_path, rows), user(MUN))
    db.session.rollback()
    errors = [(e.row, e.column) for e in caught.value.errors]
    assert errors == [(3, "task_2")]
    assert count(CrossCheckWork, CrossCheckWork.campaign_id == campaign.id) == before


def test_a_school_outside_the_municipality_is_refused(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    rows = works_rows(1)
    rows.append(("08-UMC", "math", 5, "99999", 1, 1, 1))
    with pytest.raises(TabularRejected) as caught:
        services.import_list(campaign.id, "works", works_file(tmp_path, rows), user(MUN))
    db.session.rollback()
    assert [(e.row, e.column) for e in caught.value.errors] == [(len(rows) + 1, "school_code")]


def test_a_name_is_not_a_participant_code(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    rows = [("38-VER", "math", 5, "Иванов Пётр", 1, 1, 1)]
    with pytest.raises(TabularRejected) as caught:
        services.import_list(campaign.id, "works", works_file(tmp_path, rows), user(MUN))
    db.session.rollback()
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "participant_code")]


def test_a_coordinator_of_another_region_cannot_load_lists(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    with pytest.raises(NotPermitted):
        services.import_list(campaign.id, "experts", experts_file(tmp_path), user(REG08))
    db.session.rollback()


def test_the_job_gives_every_work_one_first_check_by_another_school(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    job = run(campaign.id)
    assert job.result["sheets"] == 36 and job.result["unassigned_works"] == 0
    campaign = db.session.get(CrossCheckCampaign, campaign.id, populate_existing=True)
    assert campaign.state == "assigned" and campaign.run == 1
    assert campaign.summary["unassigned"] == []
    sheets = live(campaign.id)
    assert sorted(s.work_id for s in sheets) == sorted(
        db.session.scalars(
            select(CrossCheckWork.id).where(CrossCheckWork.campaign_id == campaign.id)
        )
    )
    assert all(s.role == "first" and s.state == "assigned" for s in sheets)
    assert all(s.expert.school_id != s.work.school_id for s in sheets)
    loads: dict[int, int] = {}
    for s in sheets:
        loads[s.expert_id] = loads.get(s.expert_id, 0) + 1
    assert max(loads.values()) <= 10
    assert campaign.history[-1].event == "assign"


def test_second_checks_go_to_a_third_school(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path, second_share=0.5)
    run(campaign.id)
    first = {s.work_id: s for s in live(campaign.id, "first")}
    second = live(campaign.id, "second")
    per_package = len(works_rows()) // len(SCHOOLS)
    assert len(second) == len(SCHOOLS) * math.ceil(0.5 * per_package)
    for s in second:
        assert s.work_id in first
        assert s.expert.school_id not in {s.work.school_id, first[s.work_id].expert.school_id}


def test_a_rerun_keeps_begun_sheets_and_moves_the_untouched(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    run(campaign.id)
    apply_transition(CAMPAIGNS, campaign.id, "start_checking", actor=user(MUN))
    db.session.commit()
    sheet = live(campaign.id)[0]
    expert = sheet.expert
    expert.user_id = user(MUN).id  # the coordinator checks too, for the test's sake
    db.session.commit()
    apply_transition(SCORE_SHEETS, sheet.id, "start", actor=user(MUN))
    db.session.commit()
    job = run(campaign.id)
    assert job.result["kept_works"] == 1 and job.result["withdrawn"] == 35
    kept = db.session.get(ScoreSheet, sheet.id, populate_existing=True)
    assert kept.state == "in_progress"
    sheets = live(campaign.id)
    assert len(sheets) == 36 and len({s.work_id for s in sheets}) == 36
    assert {s.run for s in sheets if s.id != sheet.id} == {2}
    withdrawn = count(
        ScoreSheet, ScoreSheet.campaign_id == campaign.id, ScoreSheet.state == "withdrawn"
    )
    assert withdrawn == 35
    assert count(ScoreSheetLog, ScoreSheetLog.event == "withdraw") == 35
    campaign = db.session.get(CrossCheckCampaign, campaign.id, populate_existing=True)
    assert campaign.state == "checking" and campaign.run == 2


def test_lists_cannot_change_once_assigned(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    run(campaign.id)
    with pytest.raises(StateConflict):
        services.import_list(campaign.id, "works", works_file(tmp_path), user(MUN))
    db.session.rollback()
    assert count(CrossCheckCampaignLog, CrossCheckCampaignLog.campaign_id == campaign.id) == 5


def test_campaign_audit_rows_are_append_only(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    log = db.session.get(CrossCheckCampaign, campaign.id).history[-1]
    log.comment = "подмена"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_a_second_start_while_the_job_is_unfinished_is_refused(app, demo, tmp_path):
    campaign = loaded_campaign(user(MUN), tmp_path)
    job = assignment.start_assignment(campaign.id, user(MUN))
    db.session.commit()
    with pytest.raises(StateConflict, match=f"№{job.id}"):
        assignment.start_assignment(campaign.id, user(REG38))
    db.session.rollback()
    assert job_tasks.run_job(job.id, assignment.run_assignment) == "succeeded"
    again = assignment.start_assignment(campaign.id, user(REG38))  # finished: a re-run may start
    db.session.commit()
    assert again.id != job.id
