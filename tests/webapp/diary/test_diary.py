"""The curator's diary: who writes, who reads (scoped), limits and the follow-up reminder."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tasks import diary as diary_task
from tests.support import login
from tests.webapp.helpers import user
from webapp.diary import services
from webapp.diary.models import DiaryEntry
from webapp.diary.reminders import queue_followup_reminders
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.orgs.models import School

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
CURATOR = "curator1@ekspertiza.local"  # curates the Kalmykia 500+ schools (08-UMC …)
OTHER_CURATOR = "curator2@ekspertiza.local"  # curates the Zalari 500+ schools


def school(code: str) -> School:
    return db.session.scalar(select(School).where(School.code == code))


def entry_for(code: str, email: str = CURATOR, **extra) -> DiaryEntry:
    values = dict(
        held_on=date(2026, 11, 20),
        format="visit",
        participants="Директор, заместитель по УВР",
        topics="Программа антирисковых мер",
        agreements="Доработать раздел о мониторинге",
        follow_up_on=date(2026, 11, 27),
    )
    values.update(extra)
    entry = services.add_entry(school(code), user(email), services.EntryInput(**values))
    db.session.commit()
    return entry


FORM = {
    "held_on": "2026-11-20",
    "format": "online",
    "participants": "Директор школы",
    "topics": "Согласование дорожной карты",
    "agreements": "Прислать новую версию до 1 декабря",
    "follow_up_on": "2026-12-01",
}


@BOTH
def test_curator_writes_an_entry_and_sees_it_in_both_lists(app, demo, client):
    umc = school("08-UMC")
    login(client, CURATOR)
    response = client.post(f"/schools/{umc.id}/diary", data=FORM)
    assert response.status_code == 302
    entry = db.session.scalar(select(DiaryEntry))
    assert response.headers["Location"].endswith(f"/diary/{entry.id}")
    assert (entry.school_id, entry.curator_id) == (umc.id, user(CURATOR).id)
    assert entry.format == "online" and entry.follow_up_on == date(2026, 12, 1)
    assert entry.agreements == "Прислать новую версию до 1 декабря"

    page = client.get(f"/diary/{entry.id}").get_data(as_text=True)
    assert "Согласование дорожной карты" in page and "Онлайн-встреча" in page
    assert "01.12.2026" in page
    school_page = client.get(f"/schools/{umc.id}/diary").get_data(as_text=True)
    assert f'data-entry-id="{entry.id}"' in school_page and 'id="diary-form"' in school_page
    assert f'data-entry-id="{entry.id}"' in client.get("/diary").get_data(as_text=True)


def test_text_fields_are_length_limited_with_a_russian_message(app, demo, client):
    umc = school("08-UMC")
    login(client, CURATOR)
    for field, limit, message in [
        ("participants", 1000, "Участники: не длиннее 1000 символов."),
        ("topics", 4000, "Темы: не длиннее 4000 символов."),
        ("agreements", 4000, "Договорённости: не длиннее 4000 символов."),
    ]:
        response = client.post(f"/schools/{umc.id}/diary", data={**FORM, field: "я" * (limit + 1)})
        assert response.status_code == 422, field
        assert message in response.get_data(as_text=True)
    at_limit = {**FORM, "topics": "я" * 4000}
    assert client.post(f"/schools/{umc.id}/diary", data=at_limit).status_code == 302
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 1


def test_service_refuses_over_long_text_and_a_follow_up_before_the_meeting(app, demo):
    with pytest.raises(services.DiaryRefused, match="Темы"):
        entry_for("08-UMC", topics="т" * 4001)
    with pytest.raises(services.DiaryRefused, match="Участники"):
        entry_for("08-UMC", participants="у" * 1001)
    with pytest.raises(services.DiaryRefused, match="Дата контроля"):
        entry_for("08-UMC", follow_up_on=date(2026, 11, 19))
    with pytest.raises(services.DiaryRefused, match="формат"):
        entry_for("08-UMC", format="letter")
    with pytest.raises(PermissionError):
        entry_for("38-VER")  # curator1 does not curate it


def test_follow_up_before_the_meeting_is_refused_by_the_form(app, demo, client):
    login(client, CURATOR)
    data = {**FORM, "follow_up_on": "2026-11-19"}
    response = client.post(f"/schools/{school('08-UMC').id}/diary", data=data)
    assert response.status_code == 422
    assert "Дата контроля не раньше даты встречи." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "email, sees_umc, sees_ver",
    [
        (CURATOR, True, False),
        (OTHER_CURATOR, False, True),
        ("admin@ekspertiza.local", True, True),
        ("coord.08@ekspertiza.local", True, False),
        ("coord.38@ekspertiza.local", False, True),
        ("mun.zalari@ekspertiza.local", False, True),
    ],
)
def test_lists_are_scoped(app, demo, client, email, sees_umc, sees_ver):
    umc = entry_for("08-UMC")
    ver = entry_for("38-VER", OTHER_CURATOR)
    login(client, email)
    listing = client.get("/diary?all=1").get_data(as_text=True)
    for entry, sees in [(umc, sees_umc), (ver, sees_ver)]:
        assert (f'data-entry-id="{entry.id}"' in listing) is sees, entry.school_id
        assert client.get(f"/diary/{entry.id}").status_code == (200 if sees else 404)
        expected = 200 if sees else 404
        assert client.get(f"/schools/{entry.school_id}/diary").status_code == expected


def test_curator_list_shows_own_entries_unless_all_is_asked(app, demo, client):
    own = entry_for("08-UMC")
    login(client, CURATOR)
    assert f'data-entry-id="{own.id}"' in client.get("/diary").get_data(as_text=True)
    # another curator of the same school
    db.session.execute(
        db.text("insert into curator_schools (curator_id, school_id) values (:c, :s)"),
        {"c": user(OTHER_CURATOR).id, "s": own.school_id},
    )
    db.session.commit()
    theirs = entry_for("08-UMC", OTHER_CURATOR)
    mine = client.get("/diary").get_data(as_text=True)
    assert f'data-entry-id="{theirs.id}"' not in mine
    every = client.get("/diary?all=1").get_data(as_text=True)
    assert f'data-entry-id="{theirs.id}"' in every and f'data-entry-id="{own.id}"' in every


@pytest.mark.parametrize(
    "email", ["school.08-umc@ekspertiza.local", "school.08-sol@ekspertiza.local"]
)
def test_schools_never_see_the_diary(app, demo, client, email):
    entry = entry_for("08-UMC")
    login(client, email)
    assert client.get("/diary").status_code == 404
    assert client.get(f"/diary/{entry.id}").status_code == 404
    assert client.get(f"/schools/{entry.school_id}/diary").status_code == 404
    assert client.post(f"/schools/{entry.school_id}/diary", data=FORM).status_code == 404
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 1


def test_coordinator_reads_but_does_not_write(app, demo, client):
    umc = school("08-UMC")
    login(client, "coord.08@ekspertiza.local")
    page = client.get(f"/schools/{umc.id}/diary").get_data(as_text=True)
    assert 'id="diary-form"' not in page
    assert client.post(f"/schools/{umc.id}/diary", data=FORM).status_code == 403
    assert db.session.scalar(select(func.count(DiaryEntry.id))) == 0


def diary_notes() -> list[Notification]:
    stmt = select(Notification).where(Notification.dedupe_key.like("diary:%"))
    return list(db.session.scalars(stmt.order_by(Notification.id)))


@BOTH
def test_follow_up_reminder_once_on_its_date(app, demo):
    due = entry_for("08-UMC", follow_up_on=date(2026, 11, 27))
    later = entry_for("08-UMC", follow_up_on=date(2026, 11, 28))
    entry_for("08-UMC", follow_up_on=None)

    assert queue_followup_reminders(date(2026, 11, 26)) == 0
    assert queue_followup_reminders(date(2026, 11, 27)) == 1
    assert queue_followup_reminders(date(2026, 11, 27)) == 0
    [note] = diary_notes()
    assert note.user_id == user(CURATOR).id
    assert note.dedupe_key == f"diary:{due.id}" and note.link == f"/diary/{due.id}"
    assert note.subject == "Контроль договорённостей: Уманцевская СОШ"
    assert "27.11.2026" in note.body and "Доработать раздел о мониторинге" in note.body
    assert note.email_state == "pending"

    assert queue_followup_reminders(date(2026, 11, 29)) == 1
    assert queue_followup_reminders(date(2026, 11, 30)) == 0
    assert [n.dedupe_key for n in diary_notes()] == [f"diary:{due.id}", f"diary:{later.id}"]


def test_beat_task_reminds_once(app, demo):
    entry = entry_for("08-UMC", held_on=date(2000, 1, 1), follow_up_on=date(2000, 1, 2))
    assert diary_task.remind_followups.run() == 1
    assert diary_task.remind_followups.run() == 0
    assert [n.dedupe_key for n in diary_notes()] == [f"diary:{entry.id}"]


def test_inactive_curator_is_not_reminded(app, demo):
    entry_for("08-UMC", follow_up_on=date(2026, 11, 27))
    user(CURATOR).active = False
    db.session.commit()
    assert queue_followup_reminders(date(2026, 11, 27)) == 0


def test_coordinator_lists_one_curators_entries_within_its_scope(app, demo, client):
    umc = entry_for("08-UMC")
    ver = entry_for("38-VER", OTHER_CURATOR)
    login(client, "admin@ekspertiza.local")
    one = client.get(f"/diary?curator={user(CURATOR).id}").get_data(as_text=True)
    assert f'data-entry-id="{umc.id}"' in one and f'data-entry-id="{ver.id}"' not in one
    client.post("/logout")
    login(client, "coord.08@ekspertiza.local")  # curator2's entries lie outside its region
    other = client.get(f"/diary?curator={user(OTHER_CURATOR).id}").get_data(as_text=True)
    assert f'data-entry-id="{ver.id}"' not in other and "Записей пока нет." in other
