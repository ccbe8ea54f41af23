"""Third check: who gets it, when, what it sees; the task is idempotent; the subscriber queues it
after commit; reminders and escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tasks import crosscheck_experts as tasks
from tests.webapp.crosscheck import world as w
from webapp.common.time import utcnow
from webapp.crosscheck import third_check as tc
from webapp.crosscheck.models import ScoreSheet
from webapp.crosscheck.sheets import submit_points
from webapp.extensions import db
from webapp.notifications.dispatch import Producer
from webapp.notifications.models import Notification

SCHOOL_POINTS_TOTAL = 6  # the world's works: 2, 2, 1, 1, 0

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def submit(world, key: str, points: list[int]) -> None:
    sheet = world.sheets[key]
    user = db.session.get(w.User, world.experts_by_id[sheet.expert_id].user_id)
    submit_points(sheet.id, points, actor=user)
    db.session.commit()


@pytest.fixture
def xc(demo):
    world = w.build(expert_schools=("38-VER", "38-TROI", "38-TYR", "38-SOLR", "38-HOLM"))
    world.experts_by_id = {e.id: e for e in world.experts.values()}
    return world


def thirds(work_id: int) -> list[ScoreSheet]:
    stmt = select(ScoreSheet).where(ScoreSheet.work_id == work_id, ScoreSheet.role == "third")
    return list(db.session.scalars(stmt))


@pytest.mark.parametrize(
    ("school", "first", "second", "needed"),
    [
        ([2, 2, 1, 1, 0], [2, 2, 1, 1, 0], None, False),
        ([2, 2, 1, 1, 0], [1, 1, 1, 1, 0], None, False),  # 6 vs 4: exactly the threshold
        ([2, 2, 1, 1, 0], [1, 1, 0, 1, 0], None, True),  # 6 vs 3
        ([2, 2, 1, 1, 0], [2, 2, 2, 2, 1], None, True),  # 6 vs 9, either direction
        ([1, 1, 1, 1, 0], [2, 2, 1, 0, 0], [0, 1, 1, 0, 0], True),  # 5 vs 2: first vs second
        ([1, 1, 1, 1, 0], [1, 1, 1, 1, 1], [1, 1, 0, 1, 0], False),
    ],
)
def test_needs_third(school, first, second, needed):
    assert tc.needs_third(school, first, second, 2) is needed


@BOTH
def test_a_discrepancy_gives_the_work_to_an_expert_of_a_third_school(client, xc):
    first = w.give(xc, "38-VER-1", "38-TROI")
    w.give(xc, "38-VER-1", "38-TYR", role="second")
    submit(xc, "38-VER-1:first", [0, 0, 1, 0, 0])  # 1 against the school's 6
    work_id = xc.works["38-VER-1"].id
    assert tasks.assign_third_check.run(work_id=work_id).startswith("sheet:")
    [third] = thirds(work_id)
    expert = db.session.get(w.CrossCheckExpert, third.expert_id)
    # not Веренская (the work's school), not Троицкая / Тыретская (its checkers)
    assert expert.school_id in {xc.schools["38-SOLR"].id, xc.schools["38-HOLM"].id}
    assert third.state == "assigned" and third.expert_id != first.expert_id
    note = db.session.scalar(
        select(Notification).where(Notification.dedupe_key == f"xc-third:{third.id}")
    )
    assert note.user_id == expert.user_id and note.link == f"/expert/sheets/{third.id}"
    # idempotent: a second run finds the sheet
    assert tasks.assign_third_check.run(work_id=work_id) == f"sheet:{third.id}"
    assert len(thirds(work_id)) == 1


def test_no_third_check_within_the_threshold(client, xc):
    w.give(xc, "38-VER-1", "38-TROI")
    submit(xc, "38-VER-1:first", [2, 1, 1, 0, 0])  # 4 against 6
    assert tasks.assign_third_check.run(work_id=xc.works["38-VER-1"].id) == "not_needed"


def test_the_lightest_expert_with_room_is_chosen_and_capacity_is_respected(client, demo):
    world = w.build(expert_schools=("38-TROI", "38-SOLR", "38-HOLM"), capacity=1)
    world.experts_by_id = {e.id: e for e in world.experts.values()}
    w.give(world, "38-VER-1", "38-TROI")
    w.give(world, "38-VER-2", "38-SOLR")  # СОЛР is full now (capacity 1)
    submit(world, "38-VER-1:first", [0, 0, 0, 0, 0])
    tasks.assign_third_check.run(work_id=world.works["38-VER-1"].id)
    [third] = thirds(world.works["38-VER-1"].id)
    assert third.expert_id == world.experts["38-HOLM"].id
    # ХОЛМ is now full too: the next discrepancy finds nobody and the coordinator is told once
    submit(world, "38-VER-2:first", [0, 0, 0, 0, 0])
    work_id = world.works["38-VER-2"].id
    assert tasks.assign_third_check.run(work_id=work_id) == tc.NO_EXPERT
    assert tasks.assign_third_check.run(work_id=work_id) == tc.NO_EXPERT
    notes = db.session.scalars(
        select(Notification).where(Notification.dedupe_key.like(f"xc-third-none:{work_id}:%"))
    ).all()
    coordinator = w.db.session.scalar(
        select(w.User).where(w.User.email == "coord.38@ekspertiza.local")
    )
    assert [n.user_id for n in notes] == [coordinator.id]


@BOTH
def test_the_third_expert_sees_both_earlier_scores_and_its_score_is_final(client, xc):
    w.give(xc, "38-VER-1", "38-TROI")
    submit(xc, "38-VER-1:first", [0, 0, 1, 0, 0])
    work_id = xc.works["38-VER-1"].id
    tasks.assign_third_check.run(work_id=work_id)
    [third] = thirds(work_id)
    email = db.session.get(w.User, xc.experts_by_id[third.expert_id].user_id).email
    w.login(client, email)
    page = client.get(f"/expert/sheets/{third.id}").text
    assert 'data-earlier="school"' in page and 'data-earlier="first"' in page
    headers = w.token(client, email)
    [item] = client.get("/api/v1/expert/works", headers=headers).json["items"]
    assert item["role"] == "third"
    assert item["earlier_scores"] == [
        {"role": "school", "points": [2, 2, 1, 1, 0]},
        {"role": "first", "points": [0, 0, 1, 0, 0]},
    ]
    done = client.put(
        f"/api/v1/expert/works/{third.id}/scores",
        json={"points": [2, 1, 1, 1, 0], "submit": True},
        headers=headers,
    )
    assert done.status_code == 200
    # its score is final in the report: 6 − 5 = +1 difference, mark 4 → 3 (scale 3/6/9)
    coord = w.token(client, "coord.38@ekspertiza.local", "demo-pass")
    report = client.get(
        f"/api/v1/crosschecks/{xc.campaign.id}/report?school_id={xc.schools['38-VER'].id}",
        headers=coord,
    ).json
    assert report["summary"]["rechecked"] == 1
    assert report["summary"]["mean_difference"] == 1 and report["summary"]["marks_down"] == 1


def test_submit_queues_the_task_after_commit(app, xc, monkeypatch):
    sent = []

    class FakeCelery:
        def send_task(self, name, kwargs):
            sent.append((name, kwargs))

    monkeypatch.setitem(app.config, "CROSSCHECK_DISPATCH", True)
    monkeypatch.setattr(Producer, "__call__", lambda self: FakeCelery())
    w.give(xc, "38-VER-1", "38-TROI")
    sheet = xc.sheets["38-VER-1:first"]
    user = db.session.get(w.User, xc.experts_by_id[sheet.expert_id].user_id)
    submit_points(sheet.id, [1, 1, 1, 1, 1], actor=user)
    assert sent == []  # not before the commit
    db.session.commit()
    assert sent == [("crosscheck.assign_third_check", {"work_id": xc.works["38-VER-1"].id})]


@BOTH
def test_the_scan_assigns_what_a_lost_message_left_behind(client, xc):
    w.give(xc, "38-VER-1", "38-TROI")
    submit(xc, "38-VER-1:first", [0, 0, 0, 0, 0])
    assert tc.works_missing_third(xc.campaign.id) == [xc.works["38-VER-1"].id]
    assert tasks.scan.run()["third"] == 1
    assert tc.works_missing_third(xc.campaign.id) == []
    assert tasks.scan.run()["third"] == 0


def test_reminder_before_and_escalation_after_the_deadline(client, xc):
    sheet = w.give(xc, "38-VER-1", "38-TROI")
    campaign = db.session.get(w.CrossCheckCampaign, xc.campaign.id)
    now = utcnow()
    campaign.checking_deadline = now + timedelta(days=1)
    db.session.commit()
    assert tc.remind_and_escalate(campaign, now) == {"reminded": 1, "escalated": 0}
    assert tc.remind_and_escalate(campaign, now) == {"reminded": 0, "escalated": 0}
    later = now + timedelta(days=2)
    assert tc.remind_and_escalate(campaign, later) == {"reminded": 0, "escalated": 1}
    assert tc.remind_and_escalate(campaign, later) == {"reminded": 0, "escalated": 0}
    db.session.commit()
    expert_user = xc.experts_by_id[sheet.expert_id].user_id
    keys = set(
        db.session.scalars(
            select(Notification.dedupe_key).where(Notification.dedupe_key.like("xc-%"))
        )
    )
    assert any(
        k.startswith(f"xc-remind:{campaign.id}:check:") and k.endswith(f":{expert_user}")
        for k in keys
    )
    assert any(k.startswith(f"xc-overdue:{campaign.id}:check:") for k in keys)


def test_reminder_and_escalation_in_each_recipients_language_and_local_time(client, xc):
    """The expert (English) reads English with the deadline in Irkutsk time (its school is in the
    Irkutsk region, UTC+8); the coordinator (Russian) reads Russian, Irkutsk time, never UTC."""
    from datetime import UTC, datetime

    sheet = w.give(xc, "38-VER-1", "38-TROI")
    expert_user = db.session.get(w.User, xc.experts_by_id[sheet.expert_id].user_id)
    expert_user.locale = "en"
    campaign = db.session.get(w.CrossCheckCampaign, xc.campaign.id)
    campaign.checking_deadline = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 18:00 in Irkutsk
    db.session.commit()
    tc.remind_and_escalate(campaign, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    tc.remind_and_escalate(campaign, datetime(2026, 12, 2, 10, 0, tzinfo=UTC))
    db.session.commit()
    [reminder] = db.session.scalars(
        select(Notification).where(Notification.dedupe_key.like("xc-remind:%"))
    ).all()
    assert reminder.user_id == expert_user.id and reminder.kind == "reminder"
    assert reminder.subject == "Reminder: check the VPR works by 01.12.2026 18:00 (Irkutsk, UTC+8)"
    assert "Checking is not finished" in reminder.body and "UTC+8" in reminder.body
    [escalation] = db.session.scalars(
        select(Notification).where(Notification.dedupe_key.like("xc-overdue:%"))
    ).all()
    assert escalation.subject.startswith("Просрочена проверка работ ВПР: ")
    assert escalation.body == (
        "Срок проверки истёк 01.12.2026 18:00 (Иркутск, UTC+8), не проверено работ: 1."
    )
