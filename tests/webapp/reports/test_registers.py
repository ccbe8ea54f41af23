"""The XLSX registers: the right rows for each scope, written by the platform's writer."""

from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.reports import data
from tests.webapp.reports.conftest import download, run, start
from webapp.auth.models import Membership, RoleCode, User
from webapp.demo.data import CHECKLISTS
from webapp.extensions import db
from webapp.reports.registers import DOCUMENT_HEADER, MEASURE_HEADER, ROADMAP_HEADER

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
ZALARI_ITEMS = 46  # the Zalari report's roadmap table, loaded by the demo
MUN = "mun.zalari@ekspertiza.local"


def register(client, email: str, code: str) -> list[tuple]:
    login(client, email)
    job_id = start(client, f"/reports/registers/{code}")
    job = run(job_id)
    assert job.state == "succeeded", job.error
    book = openpyxl.load_workbook(download(client, job_id), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    client.post("/logout")
    assert job.result["rows"] == len(rows) - 1
    return rows


@BOTH
def test_documents_register_has_a_row_per_criterion_of_the_last_checklist(app, year, client):
    rows = register(client, data.COORD, "documents")
    assert rows[0] == DOCUMENT_HEADER
    body = rows[1:]
    criteria = len(CHECKLISTS["concept"])
    # 15 Kalmykia documents: the checked concept gives one row per criterion, the others one.
    assert len(body) == 14 + criteria
    assert {r[0] for r in body} == {"Республика Калмыкия"}
    concept = [r for r in body if r[3] == "Концепция развития" and r[2] == "Уманцевская СОШ"]
    assert len(concept) == criteria
    first = concept[0]
    assert first[5:] == ("Утверждён", 1, 1, "Согласовано с замечаниями", 1,
                         CHECKLISTS["concept"][0], "Есть замечания", data.REMARK)  # fmt: skip
    assert [r[11] for r in concept[1:]] == ["Соответствует"] * (criteria - 1)
    midterm = [
        r for r in body if r[3] == "Среднесрочная программа развития" and r[1] == "Сарпинский район"
    ]
    title = "Среднесрочная программа развития"
    region, district, school = "Республика Калмыкия", "Сарпинский район", "Уманцевская СОШ"
    submitted = "На проверке (ожидает куратора)"
    assert midterm == [(region, district, school, title, title, submitted, 1, *[None] * 6)]


def test_documents_register_of_another_curator_has_none_of_kalmykia(app, year, client):
    rows = register(client, data.OTHER_CURATOR, "documents")[1:]
    assert rows and "Республика Калмыкия" not in {r[0] for r in rows}
    assert {r[1] for r in rows} == {"Заларинский район"}


@BOTH
def test_measures_register_for_the_school_and_its_scope(app, year, client):
    rows = register(client, data.SCHOOL, "measures")
    assert rows[0] == MEASURE_HEADER
    first, second = rows[1:]
    assert first[2:6] == ("Уманцевская СОШ", data.MEASURE["goal"], data.MEASURE["task"],
                          data.MEASURE["title"])  # fmt: skip
    assert first[9:] == (40, "%", 45, 1, "Принято", None)  # an empty cell reads as None
    assert second[5] == "Школьный театр" and second[11:] == (None, 0, "Отчёт не отправлен", None)
    assert register(client, "school.38-ver@ekspertiza.local", "measures")[1:] == []
    assert len(register(client, "admin@ekspertiza.local", "measures")) == 3


def test_measures_register_carries_the_checkers_remark(app, year, client):
    from webapp.monitoring import services
    from webapp.monitoring.models import Measure

    second = db.session.scalars(select(Measure).order_by(Measure.id)).all()[1]
    services.apply_transition(second.check.id, "mark_not_done", actor=db.session.scalar(
        select(User).where(User.email == data.CURATOR)), comment="Сроки сорваны")  # fmt: skip
    db.session.commit()
    rows = register(client, data.CURATOR, "measures")
    assert rows[2][-2:] == ("Не выполнено", "Сроки сорваны")


@BOTH
def test_roadmap_register_follows_the_roadmaps_readers(app, year, client):
    rows = register(client, data.COORD, "roadmap")
    assert rows[0] == ROADMAP_HEADER
    assert [(r[1], r[3], r[10], r[11]) for r in rows[1:]] == [
        ("Уманцевская СОШ", "Семинар для педагогов", "Запланировано", None),
        ("Уманцевская СОШ", "Оснащение школьной библиотеки", "Исключено", data.REASON),
    ]
    zalari = register(client, MUN, "roadmap")[1:]
    assert len(zalari) == ZALARI_ITEMS and {r[1] for r in zalari} == {"Заларинский район"}
    assert len(register(client, "coord.38@ekspertiza.local", "roadmap")) == ZALARI_ITEMS + 1
    # The curator of 08-UMC reads its school's roadmap, not the municipal ones.
    assert len(register(client, data.CURATOR, "roadmap")) == 3
    assert len(register(client, data.OTHER_CURATOR, "roadmap")) == 1


def test_formula_like_text_is_escaped_in_the_register(app, demo, client):
    from webapp.monitoring import services
    from webapp.orgs.models import School

    umc = db.session.scalar(select(School).where(School.code == "08-UMC"))
    school_user = db.session.scalar(select(User).where(User.email == data.SCHOOL))
    services.create_measure(umc.id, {**data.MEASURE, "title": "=HYPERLINK(\"x\")"},
                            actor=school_user)  # fmt: skip
    db.session.commit()
    rows = register(client, data.SCHOOL, "measures")
    assert rows[1][5] == '\'=HYPERLINK("x")'


def test_register_routes_refuse_unknown_registers_and_roles_without_scope(app, demo, client):
    login(client, data.COORD)
    assert client.post("/reports/registers/salaries").status_code == 404
    client.post("/logout")
    expert = db.session.scalars(
        select(User).join(Membership).where(Membership.role == RoleCode.EXPERT)
    ).first()
    login(client, expert.email)
    assert client.get("/reports").status_code == 403
    assert client.post("/reports/registers/documents").status_code == 403
    client.post("/logout")
    assert client.get("/reports").status_code == 302  # to the sign-in page
