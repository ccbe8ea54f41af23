"""The organisations import as an upload: same row-level errors, nothing stored on error."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.support import login
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School

HEADER = "region_code;region_name;municipality;school_code;school_name;short_name;settlement;pupils"
GOOD = "77;Москва;Район А;77-A01;Школа номер один;Школа 1;urban;300"


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count(m.id))) for m in (Region, Municipality, School)
    )


def upload(client, text: str, name: str = "orgs.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/setup/orgs", data=data, content_type="multipart/form-data")


def test_admin_imports_a_file(app, demo, client):
    login(client, "admin@ekspertiza.local")
    before = counts()
    response = upload(client, f"{HEADER}\n{GOOD}\n")
    assert response.status_code == 200
    assert "Импорт выполнен" in response.get_data(as_text=True)
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_row_errors_are_listed_and_nothing_is_stored(app, demo, client):
    login(client, "admin@ekspertiza.local")
    before = counts()
    bad = "77;Москва;Район А;77-A02;Школа два;Школа 2;замок;много"
    response = upload(client, f"{HEADER}\n{GOOD}\n{bad}\n", name="мои школы.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "мои школы.csv, строка 3, столбец settlement" in html
    assert "мои школы.csv, строка 3, столбец pupils" in html
    db.session.expire_all()
    assert counts() == before


def test_wrong_type_is_refused(app, demo, client):
    login(client, "admin@ekspertiza.local")
    response = upload(client, "hello", name="orgs.txt")
    assert response.status_code == 422 and "CSV или XLSX" in response.get_data(as_text=True)


def test_coordinators_may_not_import(app, demo, client):
    login(client, "coord.08@ekspertiza.local")
    before = counts()
    assert upload(client, f"{HEADER}\n{GOOD}\n").status_code == 403
    assert client.get("/setup/orgs").status_code == 403
    assert counts() == before
