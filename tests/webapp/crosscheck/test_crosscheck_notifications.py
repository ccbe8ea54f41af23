"""Who is told of what in a ВПР cross-check (docs/notifications.md), written out by hand.

Expected recipients, kinds, links and texts are literals typed here, not read from the workflow
metadata or the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tasks import crosscheck_experts as tasks
from tests.webapp.crosscheck import world as w
from webapp.auth.models import User
from webapp.crosscheck.sheets import submit_points
from webapp.crosscheck.workflow import CAMPAIGNS, SCORE_SHEETS
from webapp.extensions import db
from webapp.notifications.mailer import email_body
from webapp.notifications.models import Notification
from webapp.notifications.preferences import Delivery, Kind, save_choices
from webapp.workflow.service import apply_transition

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
COORD = "coord.38@ekspertiza.local"  # regional coordinator of Irkutsk (the campaign's region)
# 10.12.2026 23:59:59 in Irkutsk (UTC+8)
CHECKING_DEADLINE = datetime(2026, 12, 10, 15, 59, 59, tzinfo=UTC)
THIRD_DEADLINE = datetime(2026, 12, 20, 15, 59, 59, tzinfo=UTC)


def user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def last_id() -> int:
    return db.session.scalar(select(func.max(Notification.id))) or 0


def rows_after(first: int) -> dict[str, Notification]:
    stmt = select(Notification).where(Notification.id > first).order_by(Notification.id)
    out = {}
    for note in db.session.scalars(stmt):
        email = db.session.get(User, note.user_id).email
        assert email not in out, f"{email} told twice"
        out[email] = note
    return out


@pytest.fixture
def assigned(demo):
    """The campaign in ``assigned``: Троицкая's expert has two works, Веренская's one, Тыретская's
    only a withdrawn sheet, Сольская's (38-SOLR) none."""
    world = w.build(state="assigned")
    world.campaign.checking_deadline = CHECKING_DEADLINE
    world.campaign.third_check_deadline = THIRD_DEADLINE
    w.give(world, "38-VER-1", "38-TROI")
    w.give(world, "38-VER-2", "38-TROI")
    w.give(world, "38-TROI-1", "38-VER")
    gone = w.give(world, "38-TYR-1", "38-TYR")
    apply_transition(SCORE_SHEETS, gone.id, "withdraw", actor=user(COORD))
    db.session.commit()
    return world


@BOTH
def test_experts_with_works_are_told_once_when_checking_starts(assigned):
    user("expert.38-troi@test").locale = "en"
    save_choices(
        user("expert.38-ver@test").id,
        {
            Kind.ACTION: Delivery.INAPP,
            Kind.PEER: Delivery.INSTANT,
            Kind.REMINDER: Delivery.INSTANT,
            Kind.CHANGED: Delivery.DIGEST,
        },
    )
    db.session.commit()
    first = last_id()
    apply_transition(CAMPAIGNS, assigned.campaign.id, "start_checking", actor=user(COORD))
    db.session.commit()
    told = rows_after(first)
    # not the expert with only a withdrawn sheet, not the one without works, not the schools,
    # not the coordinator
    assert set(told) == {"expert.38-troi@test", "expert.38-ver@test"}
    assert {(n.kind, n.link) for n in told.values()} == {("action", "/expert")}
    ver, troi = told["expert.38-ver@test"], told["expert.38-troi@test"]
    assert ver.subject == "Началась проверка работ ВПР: ВПР осень (тест)"
    assert ver.body == (
        "В перекрёстной проверке «ВПР осень (тест)» вам назначено работ: 1. Работы показаны "
        "только по кодам участников; введите баллы по каждому заданию и отправьте их. "
        "Срок проверки: 10.12.2026 23:59 (Иркутск, UTC+8)."
    )
    assert troi.subject == "VPR cross-check has started: ВПР осень (тест)"
    assert troi.body == (
        "In the cross-check “ВПР осень (тест)” you have been assigned 2 work(s). Works are shown "
        "by participant code only; enter the points for every task and submit them. "
        "Checking deadline: 10.12.2026 23:59 (Irkutsk, UTC+8)."
    )
    # each recipient's own choice: Веренская's expert wants «action» on the site only
    assert (ver.email_state, troi.email_state) == ("inapp", "pending")


def test_the_email_links_to_the_experts_works(app, assigned):
    app.config["PUBLIC_BASE_URL"] = "https://ekspertiza.example.ru/"
    first = last_id()
    apply_transition(CAMPAIGNS, assigned.campaign.id, "start_checking", actor=user(COORD))
    db.session.commit()
    note = rows_after(first)["expert.38-troi@test"]
    body = email_body(note)
    assert "вам назначено работ: 2" in body
    assert "Открыть: https://ekspertiza.example.ru/expert\n" in body


def test_schools_with_works_learn_of_the_closed_campaign(demo):
    world = w.build(state="checking")
    first = last_id()
    apply_transition(CAMPAIGNS, world.campaign.id, "close", actor=user(COORD))
    db.session.commit()
    told = rows_after(first)
    # the staff of the schools with works (Тыретская СОШ has no account in the demo world);
    # no expert, no coordinator, no school without works
    expected = {
        "school.38-ver@ekspertiza.local": "38-VER",
        "school.38-troi@ekspertiza.local": "38-TROI",
    }
    assert set(told) == set(expected)
    for email, code in expected.items():
        note = told[email]
        school_id = world.schools[code].id
        assert note.kind == "changed"
        assert note.link == f"/crosschecks/{world.campaign.id}/objectivity?school_id={school_id}"
        assert note.subject == "Перекрёстная проверка ВПР завершена: ВПР осень (тест)"
        assert "не доказательство" in note.body


@BOTH
def test_the_third_expert_is_told_in_its_language(demo):
    world = w.build(expert_schools=("38-VER", "38-TROI", "38-TYR", "38-SOLR"))
    world.campaign.third_check_deadline = THIRD_DEADLINE
    user("expert.38-solr@test").locale = "en"
    sheet = w.give(world, "38-VER-1", "38-TROI")
    w.give(world, "38-VER-1", "38-TYR", role="second")
    submit_points(sheet.id, [0, 0, 1, 0, 0], actor=user("expert.38-troi@test"))  # 1 against 6
    db.session.commit()
    first = last_id()
    assert tasks.assign_third_check.run(work_id=world.works["38-VER-1"].id).startswith("sheet:")
    told = rows_after(first)
    assert set(told) == {"expert.38-solr@test"}  # the only expert of a third school
    note = told["expert.38-solr@test"]
    assert note.kind == "action" and note.email_state == "pending"
    assert note.link.startswith("/expert/sheets/")
    assert note.subject == "VPR third check: work 38-VER-1"
    assert note.body == (
        "You have been assigned the third check of work 38-VER-1 (math, grade 5). You will see "
        "both earlier scores; your score is final. "
        "Third check deadline: 20.12.2026 23:59 (Irkutsk, UTC+8)."
    )


def test_the_third_check_notice_in_russian(demo):
    world = w.build(expert_schools=("38-VER", "38-TROI", "38-TYR", "38-SOLR"))
    sheet = w.give(world, "38-VER-1", "38-TROI")
    w.give(world, "38-VER-1", "38-TYR", role="second")
    submit_points(sheet.id, [0, 0, 1, 0, 0], actor=user("expert.38-troi@test"))
    db.session.commit()
    first = last_id()
    tasks.assign_third_check.run(work_id=world.works["38-VER-1"].id)
    note = rows_after(first)["expert.38-solr@test"]
    assert note.subject == "Третья проверка ВПР: работа 38-VER-1"
    assert note.body == (
        "Вам назначена третья проверка работы 38-VER-1 (math, 5 класс). Вы увидите обе прежние "
        "оценки; ваша оценка окончательная."
    )  # no deadline set: none named
