"""Row problems of the imports in the user's language (issue 10 §3).

The uploads on screens (organisations, the cross-check works and experts lists, the measures
table) as an English and as a Russian user; the users file and the pairing's schools.csv, read
only by the CLI, under an English locale; the CLI itself stays Russian. Expected texts are written
out by hand. Zone places in e-mail times follow the recipient's language.
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest

from tests.support import login
from tests.webapp.crosscheck.support import MUN, experts_rows, settings, tasks_file, works_rows
from tests.webapp.crosscheck.test_api import EXPERTS_HEADER, WORKS_HEADER, csv_bytes
from tests.webapp.helpers import user
from webapp.extensions import db

ADMIN = "admin@ekspertiza.local"
SCHOOL = "school.38-ver@ekspertiza.local"  # Веренская СОШ (Заларинский район, Irkutsk time)


def page(client, lang: str, who: str, url: str, content: bytes, name: str):
    """Upload ``content`` as ``who`` in ``lang`` and return the status and the page's text."""
    if lang == "en":
        client.get("/login?lang=en")  # first: the test's app context keeps this request's locale
    login(client, who)
    response = client.post(
        url,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return response.status_code, response.get_data(as_text=True)


# -- organisations (/setup/orgs) --------------------------------------------------------------

ORGS = "\n".join(
    [
        "region_code;region_name;municipality;school_code;school_name;short_name;settlement;pupils",
        "77;Москва;Район А;77-A01;Школа номер один;Школа 1;urban;300",
        "77;Москва;Район А;77-A01;Школа два;Школа 2;замок;много",
        "98;;Район Б;98-B01;Школа три;Школа 3;rural;10",
    ]
)
ORG_PROBLEMS = {
    "en": [
        "orgs.csv, row 3, column school_code: "
        "the school with the code “77-A01” is already given on row 2",
        "orgs.csv, row 3, column settlement: settlement type “замок”: give urban or rural",
        "orgs.csv, row 3, column pupils: "
        "“много”: the number of pupils must be a whole number from 0 to 100000",
        "orgs.csv, row 4, column region_name: region “98” is new: give its name",
    ],
    "ru": [
        "orgs.csv, строка 3, столбец school_code: школа с кодом «77-A01» уже указана в строке 2",
        "orgs.csv, строка 3, столбец settlement: "
        "тип поселения «замок»: укажите urban/rural или городская/сельская",
        "orgs.csv, строка 3, столбец pupils: "
        "«много» — нужно целое число обучающихся от 0 до 100000",
        "orgs.csv, строка 4, столбец region_name: регион «98» новый: укажите его название",
    ],
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_organisations_upload_row_problems(app, demo, client, lang):
    status, text = page(client, lang, ADMIN, "/setup/orgs", ORGS.encode(), "orgs.csv")
    assert status == 422
    for problem in ORG_PROBLEMS[lang]:
        assert problem in text, problem


# -- cross-check lists (/crosschecks/<id>/lists/<kind>) ---------------------------------------


@pytest.fixture
def campaign_id(app, demo, tmp_path) -> int:
    """A Zalari campaign with its task table loaded (math, grade 5: maxima 1, 2, 2)."""
    from webapp.crosscheck import services
    from webapp.orgs.models import Municipality

    zalari = db.session.query(Municipality).filter_by(name="Заларинский район").one()
    campaign = services.create_campaign(user(MUN), zalari.region_id, zalari.id, settings())
    db.session.commit()
    services.import_list(campaign.id, "tasks", tasks_file(tmp_path), user(MUN))
    db.session.commit()
    return campaign.id


def bad_works() -> bytes:
    rows = works_rows(1)
    rows[1] = (rows[1][0], "math", 5, rows[1][3], 0, 5, 1)  # file row 3: task_2 over its 2
    rows.append(("XX-NONE", "math", 5, "90001", 0, 0, 0))  # file row 8: no such school
    return csv_bytes(WORKS_HEADER, rows)


def bad_experts() -> bytes:
    rows = experts_rows()
    school, name, _email, subjects, _grades, capacity = rows[0]
    rows[0] = (school, name, "not-an-address", subjects, "5;13", capacity)  # file row 2
    return csv_bytes(EXPERTS_HEADER, rows)


LIST_PROBLEMS = {
    ("works", "en"): [
        "list.csv, row 3, column task_2: the number 5 is outside the allowed range 0–2",
        "list.csv, row 8, column school_code: "
        "no school with the code “XX-NONE” in the campaign’s territory",
    ],
    ("works", "ru"): [
        "list.csv, строка 3, столбец task_2: число 5 вне допустимых пределов 0–2",
        "list.csv, строка 8, столбец school_code: "
        "школа с кодом «XX-NONE» не найдена в территории кампании",
    ],
    ("experts", "en"): [
        "list.csv, row 2, column email: “not-an-address” is not an e-mail address",
        "list.csv, row 2, column grades: unknown grade “13”: grades 1 to 11 are allowed",
    ],
    ("experts", "ru"): [
        "list.csv, строка 2, столбец email: «not-an-address» — не адрес электронной почты",
        "list.csv, строка 2, столбец grades: неизвестный класс «13»: допустимы классы от 1 до 11",
    ],
}


@pytest.mark.parametrize("kind", ["works", "experts"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_crosscheck_list_row_problems(app, client, campaign_id, kind, lang):
    content = bad_works() if kind == "works" else bad_experts()
    url = f"/crosschecks/{campaign_id}/lists/{kind}"
    status, text = page(client, lang, MUN, url, content, "list.csv")
    assert status == 422
    for problem in LIST_PROBLEMS[kind, lang]:
        assert problem in text, problem


# -- the measures table (/monitoring/schools/<id>/import) -------------------------------------

MEASURES = "\n".join(
    [
        "Цель;Задача;Мероприятие;Срок;Ответственный;Показатель;Целевое значение;Единица измерения",
        "Цель;Задача;Мероприятие;завтра;Петров;Доля;много;%",
    ]
)
MEASURE_PROBLEMS = {
    "en": [
        "план.csv, row 2, column срок: enter the date as DD.MM.YYYY",
        "план.csv, row 2, column целевое значение: enter a number",
    ],
    "ru": [
        "план.csv, строка 2, столбец срок: укажите дату в виде ДД.ММ.ГГГГ",
        "план.csv, строка 2, столбец целевое значение: укажите число",
    ],
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_measures_table_row_problems(app, demo, client, lang):
    from tests.webapp.monitoring.conftest import school_by_code

    url = f"/monitoring/schools/{school_by_code('38-VER').id}/import"
    status, text = page(client, lang, SCHOOL, url, MEASURES.encode(), "план.csv")
    assert status == 422
    for problem in MEASURE_PROBLEMS[lang]:
        assert problem in text, problem


# -- files read only by the CLI: translated where a locale is set, Russian in the CLI ----------

USERS = "\n".join(
    [
        "email;full_name;role;region_code;municipality;school_code;password",
        "not-an-address;Иван Петров;school;;;08-UMC;",
        "boss@example.ru;Пётр Иванов;boss;;;;",
        "reg@example.ru;Анна Смирнова;regional_coordinator;;;;",
        "adm@example.ru;Олег Орлов;admin;;;;short",
    ]
)


def users_problems(app, tmp_path, locale: str) -> list[str]:
    from flask_babel import force_locale

    from webapp.orgs.services import USER_COLUMNS, USER_REQUIRED
    from webapp.orgs.user_import import import_users
    from webapp.tabular import TabularRejected, read_table

    path = tmp_path / "users.csv"
    path.write_text(USERS, encoding="utf-8")
    with app.test_request_context("/"), force_locale(locale):
        with pytest.raises(TabularRejected) as refused:
            import_users(read_table(path, USER_COLUMNS, USER_REQUIRED))
        return [error.render(path.name) for error in refused.value.errors]


USER_PROBLEMS = {
    "en": [
        "users.csv, row 2, column email: invalid e-mail address “not-an-address”",
        "users.csv, row 3, column role: unknown role “boss” (allowed: admin, "
        "regional_coordinator, municipal_coordinator, curator, school, expert, observer)",
        "users.csv, row 4, column region_code: "
        "required for the role “Regional coordinator” (regional_coordinator)",
        "users.csv, row 5, column password: the password must be 8 to 128 characters long",
    ],
    "ru": [
        "users.csv, строка 2, столбец email: некорректный адрес электронной почты «not-an-address»",
        "users.csv, строка 3, столбец role: неизвестная роль «boss» (допустимы: admin, "
        "regional_coordinator, municipal_coordinator, curator, school, expert, observer)",
        "users.csv, строка 4, столбец region_code: "
        "обязательно для роли «Региональный координатор» (regional_coordinator)",
        "users.csv, строка 5, столбец password: пароль должен быть длиной от 8 до 128 символов",
    ],
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_users_file_problems(app, demo, tmp_path, lang):
    assert users_problems(app, tmp_path, lang) == USER_PROBLEMS[lang]


def test_the_users_cli_stays_russian(app, demo, tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(USERS, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orgs", "import-users", str(path)])
    assert result.exit_code != 0
    assert "users.csv, строка 3, столбец role: неизвестная роль «boss»" in result.output


def test_pairing_schools_file_problems_in_english(app, tmp_path):
    from flask_babel import force_locale

    from webapp.expertise.csvio import read_schools
    from webapp.tabular import TabularRejected

    path = tmp_path / "schools.csv"
    path.write_text(
        "school_id,region_id,municipality_id,settlement,pupils,risks\n"
        "S1,R1,M1,village,-5,low;low\n",
        encoding="utf-8",
    )
    with app.test_request_context("/"), force_locale("en"):
        with pytest.raises(TabularRejected) as refused:
            read_schools(path)
        problems = [error.render() for error in refused.value.errors]
    assert problems == [
        "schools.csv, row 2, column settlement: urban or rural expected, got “village”",
        "schools.csv, row 2, column pupils: the number of pupils cannot be negative: -5",
        "schools.csv, row 2, column risks: risk “low” is given twice",
    ]


# -- zone places in e-mails (webapp/orgs/zones.py: place_of) ----------------------------------


def test_place_of_follows_the_current_language_outside_a_request(app):
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from webapp.common.time import local_text
    from webapp.orgs.zones import place_of

    when = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    with force_locale("en"):  # as an e-mail is written for an English recipient by a task
        assert local_text(when, "Asia/Kamchatka", place_of("Asia/Kamchatka")) == (
            "28.11.2026 18:00 (Kamchatka, UTC+12)"
        )
    assert local_text(when, "Asia/Kamchatka", place_of("Asia/Kamchatka")) == (
        "28.11.2026 18:00 (Камчатка, UTC+12)"
    )


def test_an_english_recipients_reminder_names_the_zone_in_english(app, demo):
    from tasks import deadlines
    from tests.tasks.conftest import make_overdue, submitted_document
    from webapp.notifications.mailer import build_message
    from webapp.notifications.models import Notification

    english = user("curator1@ekspertiza.local")
    english.locale = "en"
    db.session.commit()
    document = submitted_document()
    make_overdue(document)
    assert deadlines.escalate_overdue.run() == 2
    notes = {
        n.user_id: n
        for n in db.session.scalars(
            db.select(Notification).where(Notification.dedupe_key.like("overdue:%"))
        )
    }
    moscow = document.due_at.astimezone(ZoneInfo("Europe/Moscow"))
    message = build_message(notes[english.id], english)  # as the worker sends it
    assert f"{moscow:%d.%m.%Y %H:%M} (Moscow, UTC+3)" in message.body, message.body
    assert "Москва" not in message.body
    russian = user("coord.08@ekspertiza.local")
    assert f"{moscow:%d.%m.%Y %H:%M} (Москва, UTC+3)" in notes[russian.id].body
