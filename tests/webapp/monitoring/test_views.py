"""The monitoring screens through HTTP: the journey, the table import and every route's access."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.support import login
from tests.webapp.helpers import pdf_named
from tests.webapp.monitoring.conftest import (
    BOTH,
    MUN,
    OTHER_SCHOOL,
    SCHOOL,
    curator_of,
    fire,
    new_measure,
    other_curator,
    report,
    school_by_code,
)
from webapp.extensions import db
from webapp.monitoring.models import EvidenceCheck, Measure

FORM = {
    "document_id": "0",
    "goal": "Повысить учебную мотивацию",
    "task": "Вовлечь учащихся во внеурочную деятельность",
    "title": "Открыть кружок робототехники",
    "deadline": "2027-05-31",
    "responsible": "Иванова А. П.",
    "indicator": "Доля учащихся в кружках",
    "target_value": "40,5",
    "unit": "%",
}


def _state(measure_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Measure, measure_id).check.state


@BOTH
def test_school_enters_reports_curator_returns_then_accepts(app, demo, client, backend):
    school_id = school_by_code("38-VER").id
    login(client, SCHOOL)
    response = client.post(f"/monitoring/schools/{school_id}/measures/new", data=FORM)
    assert response.status_code == 302
    measure_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/monitoring/schools/{school_id}").get_data(as_text=True)
    assert "Открыть кружок робототехники" in page and "Отчёт не отправлен" in page
    assert db.session.get(Measure, measure_id).target_value == 40.5

    def send(value: str, name: str):
        data = {"actual_value": value, "file": (io.BytesIO(pdf_named(name)), name)}
        r = client.post(f"/monitoring/measures/{measure_id}/report", data=data)
        assert r.status_code == 302
        r = client.post(
            f"/monitoring/measures/{measure_id}/transitions", data={"trigger": "submit"}
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:300]

    send("30", "акт.pdf")
    assert _state(measure_id) == "submitted"
    client.post("/logout")

    login(client, curator_of("38-VER").email)
    queue = client.get("/monitoring/queue").get_data(as_text=True)
    assert "Открыть кружок робототехники" in queue
    r = client.post(
        f"/monitoring/measures/{measure_id}/transitions", data={"trigger": "return_for_revision"}
    )
    assert r.status_code == 422 and "замечание" in r.get_data(as_text=True).lower()
    assert _state(measure_id) == "submitted"
    r = client.post(
        f"/monitoring/measures/{measure_id}/transitions",
        data={"trigger": "return_for_revision", "comment": "Приложите приказ"},
    )
    assert r.status_code == 302 and _state(measure_id) == "returned"
    client.post("/logout")

    login(client, SCHOOL)
    page = client.get(f"/monitoring/measures/{measure_id}").get_data(as_text=True)
    assert "Приложите приказ" in page and "загрузите новый файл" in page
    send("42", "приказ.pdf")
    assert _state(measure_id) == "submitted"
    client.post("/logout")

    login(client, curator_of("38-VER").email)
    r = client.post(f"/monitoring/measures/{measure_id}/transitions", data={"trigger": "accept"})
    assert r.status_code == 302 and _state(measure_id) == "accepted"
    page = client.get(f"/monitoring/measures/{measure_id}").get_data(as_text=True)
    assert page.count('data-event="submit"') == 2 and 'data-event="accept"' in page
    assert "Открыть кружок робототехники" not in client.get("/monitoring/queue").get_data(
        as_text=True
    )
    with client.get(f"/monitoring/measures/{measure_id}/files/2") as file:
        assert file.status_code == 200 and file.data.startswith(b"%PDF-")


def test_measure_form_refuses_long_text_and_missing_fields(app, demo, client):
    school_id = school_by_code("38-VER").id
    login(client, SCHOOL)
    r = client.post(
        f"/monitoring/schools/{school_id}/measures/new", data={**FORM, "unit": "м" * 51}
    )
    assert r.status_code == 422 and "Не длиннее 50 символов" in r.get_data(as_text=True)
    r = client.post(f"/monitoring/schools/{school_id}/measures/new", data={**FORM, "goal": ""})
    assert r.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Цель", "Задача", "Мероприятие", "Срок", "Ответственный", "Показатель",
                  "Целевое значение", "Единица измерения"])  # fmt: skip
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROW = ["Цель", "Задача", "Мероприятие А", "31.05.2027", "Иванова", "Доля", "40", "%"]


def test_import_from_a_table_all_or_nothing(app, demo, client):
    school_id = school_by_code("38-VER").id
    login(client, SCHOOL)
    bad = _xlsx([GOOD_ROW, ["Цель", "", "Мероприятие Б", "завтра", "Петров", "Доля", "много", "%"]])
    r = client.post(
        f"/monitoring/schools/{school_id}/import", data={"file": (io.BytesIO(bad), "план.xlsx")}
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "план.xlsx, строка 3, столбец задача: пустое значение" in text
    assert "план.xlsx, строка 3, столбец срок: укажите дату в виде ДД.ММ.ГГГГ" in text
    assert "план.xlsx, строка 3, столбец целевое значение: укажите число" in text
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0

    csv = (
        "Цель;Задача;Мероприятие;Срок;Ответственный;Показатель;Целевое значение;Единица измерения\n"
    )
    csv += "Цель;Задача;Мероприятие В;2027-06-30;Петров;Доля;12,5;%\n"
    good = _xlsx([GOOD_ROW])
    r = client.post(
        f"/monitoring/schools/{school_id}/import", data={"file": (io.BytesIO(good), "план.xlsx")}
    )
    assert r.status_code == 302
    r = client.post(
        f"/monitoring/schools/{school_id}/import",
        data={"file": (io.BytesIO(csv.encode("utf-8")), "план.csv")},
    )
    assert r.status_code == 302
    titles = sorted(db.session.scalars(select(Measure.title)))
    assert titles == ["Мероприятие А", "Мероприятие В"]
    assert db.session.scalar(select(Measure.target_value).where(Measure.title.like("%В"))) == 12.5
    template = client.get("/monitoring/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(template.data))
    assert next(book.active.iter_rows(values_only=True))[0] == "Цель"


def _routes(measure_id: int, school_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/monitoring/schools/{school_id}"),
        ("GET", f"/monitoring/schools/{school_id}/measures/new"),
        ("POST", f"/monitoring/schools/{school_id}/measures/new"),
        ("GET", f"/monitoring/schools/{school_id}/import"),
        ("POST", f"/monitoring/schools/{school_id}/import"),
        ("GET", f"/monitoring/measures/{measure_id}"),
        ("POST", f"/monitoring/measures/{measure_id}/report"),
        ("POST", f"/monitoring/measures/{measure_id}/transitions"),
        ("GET", f"/monitoring/measures/{measure_id}/files/1"),
    ]


@pytest.mark.parametrize("outsider", ["other_school", "other_curator", "far_mun"])
def test_outsiders_get_404_on_every_route(app, demo, client, outsider, far_mun):
    measure = new_measure()
    report(measure)
    email = {
        "other_school": OTHER_SCHOOL,
        "other_curator": other_curator("38-VER").email,
        "far_mun": far_mun.email,
    }[outsider]
    login(client, email)
    for method, url in _routes(measure.id, measure.school_id):
        r = client.open(url, method=method, data={"trigger": "accept", "actual_value": "9"})
        assert r.status_code == 404, (outsider, method, url)
        assert "отчёт.pdf" not in r.get_data(as_text=True)
    assert "Открыть два кружка" not in client.get("/monitoring/queue").get_data(as_text=True)
    db.session.expire_all()
    check = db.session.get(EvidenceCheck, measure.check.id)
    assert check.state == "draft" and check.actual_value == 35


def test_checkers_see_but_do_not_enter(app, demo, client):
    measure = new_measure()
    for email in (curator_of("38-VER").email, MUN):
        login(client, email)
        assert client.get(f"/monitoring/measures/{measure.id}").status_code == 200
        assert client.get(f"/monitoring/schools/{measure.school_id}").status_code == 200
        assert client.post(f"/monitoring/measures/{measure.id}/report").status_code == 403
        new = f"/monitoring/schools/{measure.school_id}/measures/new"
        assert client.get(new).status_code == 403
        assert client.get(f"/monitoring/schools/{measure.school_id}/import").status_code == 403
        r = client.post(
            f"/monitoring/measures/{measure.id}/transitions", data={"trigger": "submit"}
        )
        assert r.status_code == 403
        client.post("/logout")
    report(measure)
    fire(measure, "submit", SCHOOL)
    login(client, SCHOOL)
    assert client.get("/monitoring/queue").status_code == 403
    r = client.post(f"/monitoring/measures/{measure.id}/transitions", data={"trigger": "accept"})
    assert r.status_code == 403 and "куратор школы" in r.get_data(as_text=True)
    # a known action the current state no longer offers: the page was stale
    r = client.post(f"/monitoring/measures/{measure.id}/transitions", data={"trigger": "submit"})
    assert r.status_code == 409
    assert _state(measure.id) == "submitted"


def test_screens_render_in_english(app, demo, client):
    measure = new_measure()  # its texts are formatted in the test's context, which caches "ru"
    login(client, SCHOOL)
    with app.app_context():  # so each request gets a fresh context that chooses the language
        url = f"/monitoring/schools/{measure.school_id}?lang=en"
        page = client.get(url).get_data(as_text=True)
    assert "Measures and monitoring" in page and "Report not sent" in page
    with app.app_context():
        page = client.get(f"/monitoring/measures/{measure.id}").get_data(as_text=True)
    assert "Upload an evidence file (after a return, a new file)." in page
    assert "Enter the actual value of the indicator." in page
