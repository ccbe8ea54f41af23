"""Follow-up: due dates and overdue documents, done shares, silent schools, XLSX exports."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import CURATOR, SCHOOL, complete_checklist, documents_of, fire, upload
from webapp.campaigns.models import Stage
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, School

COORD_08 = "coord.08@ekspertiza.local"


def set_documents_deadline(day: date) -> None:
    stage = db.session.scalars(select(Stage).where(Stage.code == "documents")).one()
    stage.starts_on = min(stage.starts_on, day)
    stage.ends_on = day
    db.session.commit()


def approve(document) -> None:
    upload(document, SCHOOL)
    fire(document, "submit", SCHOOL)
    fire(document, "start_review", CURATOR)
    complete_checklist(document, CURATOR)
    fire(document, "accept", CURATOR)
    fire(document, "approve", CURATOR)


def sheet(response) -> list[list]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@BOTH
def test_overdue_documents_shares_and_silent_schools(app, demo, client):
    docs = documents_of("08-UMC")
    approve(docs[0])
    set_documents_deadline(date.today() - timedelta(days=1))
    login(client, COORD_08)
    html = client.get("/overview/followup").get_data(as_text=True)
    overdue = html.split('id="overdue"')[1].split("</table>")[0]
    # The approved document is done, the others are the school's turn after the deadline.
    assert f'data-document-id="{docs[0].id}"' not in overdue
    assert all(f'data-document-id="{d.id}"' in overdue for d in docs[1:])
    assert "38-VER" not in overdue and "Веренская" not in overdue
    umc = db.session.scalar(select(School).where(School.code == "08-UMC"))
    silent = html.split('id="silent-schools"')[1].split("</ul>")[0]
    assert f'data-school-id="{umc.id}"' not in silent  # it submitted something
    others = db.session.scalars(
        select(School).where(School.is_500plus, School.id != umc.id, School.code.like("08-%"))
    ).all()
    assert others and all(f'data-school-id="{s.id}"' in silent for s in others)
    muni = html.split('id="share-municipality"')[1].split("</table>")[0]
    assert "1 / " in muni
    cur = html.split('id="share-curator"')[1].split("</table>")[0]
    assert "Куратор 1 (демо)" in cur and "1 / " in cur


def test_nothing_overdue_before_the_deadline(app, demo, client):
    set_documents_deadline(date.today() + timedelta(days=5))
    login(client, COORD_08)
    html = client.get("/overview/followup").get_data(as_text=True)
    overdue = html.split('id="overdue"')[1].split("</table>")[0]
    assert "data-document-id" not in overdue


def test_followup_export_is_scoped_and_escaped(app, demo, client):
    docs = documents_of("08-UMC")
    docs[0].title = '=HYPERLINK("http://evil")'
    db.session.commit()
    set_documents_deadline(date.today() - timedelta(days=1))
    login(client, COORD_08)
    rows = sheet(client.get("/overview/followup.xlsx"))
    assert rows[0][:3] == ["Муниципалитет", "Школа", "Документ"]
    titles = [r[2] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in titles
    schools = {r[1] for r in rows[1:]}
    assert not any("Верен" in s for s in schools)
    assert {r[5] for r in rows[1:]} == {"да"}


@BOTH
def test_queue_shows_every_curated_school_and_exports(app, demo, client):
    login(client, CURATOR)
    curated = db.session.scalars(
        select(School)
        .join(CuratorSchool)
        .where(
            CuratorSchool.curator_id.in_(
                select(CuratorSchool.curator_id).join(School).where(School.code == "08-UMC")
            )
        )
    ).all()
    html = client.get("/queue").get_data(as_text=True)
    table = html.split('id="my-schools"')[1].split("</table>")[0]
    assert all(f'data-school-id="{s.id}"' in table for s in curated)
    assert table.count("nothing-submitted") == len(curated)
    upload(documents_of("08-UMC")[0], SCHOOL)
    fire(documents_of("08-UMC")[0], "submit", SCHOOL)
    table = client.get("/queue").get_data(as_text=True).split('id="my-schools"')[1]
    assert table.split("</table>")[0].count("nothing-submitted") == len(curated) - 1
    rows = sheet(client.get("/queue.xlsx"))
    assert len(rows) == 1 + len(curated)
    umc = next(r for r in rows if "УМЦ" in r[1] or r[3] == 1)
    assert umc[3] == 1 and umc[5] == "нет"


def test_followup_access(app, demo, client):
    login(client, SCHOOL)
    for url in ("/overview/followup", "/overview/followup.xlsx", "/queue.xlsx"):
        assert client.get(url).status_code == 403, url
    client.post("/logout")
    login(client, CURATOR)
    assert client.get("/overview/followup").status_code == 403
    assert client.get("/overview/followup.xlsx").status_code == 403
    client.post("/logout")
    login(client, COORD_08)
    assert client.get("/queue.xlsx").status_code == 403
