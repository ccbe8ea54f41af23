"""Issue 10 §3, the e-mails: the monitoring reports' notifications, the diary's follow-up reminders
and the cross-check expert invitations are written in the recipient's language (``User.locale``);
Russian stays as it was. Data inside (titles, school names, agreements) stays as entered.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.webapp.crosscheck import world as w
from tests.webapp.helpers import user
from tests.webapp.monitoring.conftest import SCHOOL, curator_of, fire, new_measure, report
from webapp.crosscheck.experts import invite_experts, reinvite
from webapp.crosscheck.models import CrossCheckExpert
from webapp.diary import services as diary
from webapp.diary.reminders import queue_followup_reminders
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.orgs.models import School

TITLE = "Открыть два кружка технического творчества"  # the measure of the monitoring tests


def _notes(like: str, user_id: int) -> list[Notification]:
    stmt = select(Notification).where(
        Notification.dedupe_key.like(like), Notification.user_id == user_id
    )
    return list(db.session.scalars(stmt))


MONITORING = {
    "en": (
        f"Monitoring: {TITLE} — Under review",
        f"— measure “{TITLE}” (Веренская СОШ): Under review.",
    ),
    "ru": (
        f"Мониторинг: {TITLE} — На проверке",
        f"— мероприятие «{TITLE}» (Веренская СОШ): На проверке.",
    ),
}


@pytest.mark.parametrize("locale", sorted(MONITORING))
def test_a_report_sent_for_checking_is_told_in_the_checkers_language(app, demo, locale):
    curator = curator_of("38-VER")
    curator.locale = locale
    db.session.commit()
    measure = new_measure()
    report(measure)
    fire(measure, "submit", SCHOOL)
    (note,) = _notes("evidence:%", curator.id)
    subject, body = MONITORING[locale]
    assert note.subject == subject
    assert note.body.endswith(body), note.body


@pytest.mark.parametrize(
    ("locale", "subject", "lines"),
    [
        (
            "en",
            "Follow-up of agreements: Уманцевская СОШ",
            [
                "Today (27.11.2026) is the follow-up date of the diary entry of 20.11.2026 "
                "(Уманцевская СОШ).",
                "Agreements: Доработать раздел о мониторинге",
            ],
        ),
        (
            "ru",
            "Контроль договорённостей: Уманцевская СОШ",
            [
                "Сегодня (27.11.2026) срок контроля по записи дневника от 20.11.2026 "
                "(Уманцевская СОШ).",
                "Договорённости: Доработать раздел о мониторинге",
            ],
        ),
    ],
)
def test_the_diary_reminder_in_the_curators_language(app, demo, locale, subject, lines):
    curator = user("curator1@ekspertiza.local")
    curator.locale = locale
    school = db.session.scalar(select(School).where(School.code == "08-UMC"))
    diary.add_entry(
        school,
        curator,
        diary.EntryInput(
            held_on=date(2026, 11, 20),
            format="visit",
            participants="Директор",
            topics="Программа антирисковых мер",
            agreements="Доработать раздел о мониторинге",
            follow_up_on=date(2026, 11, 27),
        ),
    )
    db.session.commit()
    assert queue_followup_reminders(date(2026, 11, 27)) == 1
    (note,) = _notes("diary:%", curator.id)
    assert note.subject == subject
    assert note.body.splitlines() == lines


INCLUDED = {
    "en": "You are on the list of experts of the VPR cross-check “{title}”.",
    "ru": "Вы включены в список экспертов перекрёстной проверки ВПР «{title}».",
}
INVITATIONS = {
    "en": (
        "You are a cross-check expert: {title}",
        INCLUDED["en"] + " The works assigned to you will appear under “VPR work checking”.",
    ),
    "ru": (
        "Вы эксперт перекрёстной проверки: {title}",
        INCLUDED["ru"] + " Назначенные вам работы появятся в разделе «Проверка работ ВПР».",
    ),
}


@pytest.mark.parametrize("locale", sorted(INVITATIONS))
def test_an_existing_account_is_told_in_its_language(app, demo, locale):
    world = w.build()
    director = user("school.38-ver@ekspertiza.local")
    director.locale = locale
    db.session.add(
        CrossCheckExpert(
            campaign_id=world.campaign.id,
            school_id=world.schools["38-VER"].id,
            full_name="Директор",
            email=director.email,
            subjects=["math"],
            grades=[5],
            capacity=5,
        )
    )
    db.session.commit()
    invite_experts(world.campaign)
    db.session.commit()
    (note,) = _notes("xc-expert:%", director.id)
    subject, body = INVITATIONS[locale]
    title = world.campaign.title
    assert note.subject == subject.format(title=title)
    assert note.body == body.format(title=title)


@pytest.mark.parametrize(
    ("locale", "subject", "start"),
    [
        (
            "en",
            "Expert invitation: {title}",
            "To sign in, set a password with this link (valid for 7 days, once): ",
        ),
        (
            "ru",
            "Приглашение эксперта: {title}",
            "Чтобы войти, задайте пароль по ссылке (действует 7 дней, один раз): ",
        ),
    ],
)
def test_an_invitation_is_written_in_the_accounts_language(app, demo, locale, subject, start):
    world = w.build()
    teacher = user("school.38-ver@ekspertiza.local")
    teacher.locale = locale
    token = reinvite(teacher, world.campaign)
    db.session.commit()
    (note,) = _notes("xc-invite:%", teacher.id)
    title = world.campaign.title
    assert note.subject == subject.format(title=title)
    first, second = note.body.splitlines()
    assert first == INCLUDED[locale].format(title=title)
    assert second.startswith(start) and second.endswith(f"/invite/{token}"), second
