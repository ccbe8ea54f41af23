"""The regional analytical report (DOCX): real numbers of the region, scope, the template."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from scripts.build_report_template import build
from tests.support import login
from tests.webapp.helpers import user
from tests.webapp.reports import data
from tests.webapp.reports.conftest import download, run, start
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.orgs.models import Region
from webapp.reports import wordfile

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
ADMIN = "admin@ekspertiza.local"


def region_id(code: str) -> int:
    return db.session.scalar(select(Region.id).where(Region.code == code))


def text_of(stream) -> tuple[str, list[list[str]]]:
    document = docx.Document(stream)
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    return paragraphs, rows


def regional_report(client, email: str, code: str = "08"):
    login(client, email)
    job_id = start(client, "/reports/regional", {"region": region_id(code)})
    job = run(job_id)
    assert job.state == "succeeded", job.error
    return text_of(download(client, job_id))


@BOTH
def test_the_regional_report_holds_the_regions_real_numbers(app, year, client):
    paragraphs, rows = regional_report(client, data.COORD)
    # Participants: the 3 Kalmykia schools of the demo, 3 districts, 212 + 187 + 164 pupils.
    assert "участвуют 3 школ(ы) из 3 муниципалитет(ов)" in paragraphs
    assert "обучающихся в школах-участницах: 563" in paragraphs
    assert ["МКОУ «Уманцевская СОШ им. Х.А. Надеева»", "Сарпинский район", "сельская", "212",
            "Куратор 1 (демо)"] in rows  # fmt: skip
    # Curators: curator1 only; 2 visits + 1 phone call in Kalmykia (curator2's visit is Irkutsk).
    assert "Школы сопровождают 1 куратор(ов)" in paragraphs
    assert "3 запис(ей): выездов в школы — 2, онлайн-встреч — 0, телефонных разговоров — 1" in (
        paragraphs
    )
    assert ["Куратор 1 (демо)", "3", "3", "2", "12.11.2026"] in rows
    # Documents: 3 schools × 5 documents; the concept approved, the midterm submitted.
    assert "Всего документов школ-участниц: 15, из них утверждено 1, возвращено на доработку 0" in (
        paragraphs
    )
    assert ["Черновик", "13"] in rows and ["Утверждён", "1"] in rows
    assert ["На проверке (ожидает куратора)", "1"] in rows
    assert ["Концепция развития", "3", "1", "0", "0"] in rows
    assert ["Среднесрочная программа развития", "3", "0", "1", "0"] in rows
    assert ["Антирисковая программа", "9", "0", "0", "0"] in rows
    # No peer stage in the demo year.
    assert "назначений 0, заключений получено 0" in paragraphs
    # Monitoring: 2 measures, one accepted with 45 ≥ 40 and one file, one never reported.
    assert (
        "Мероприятий антирисковых программ: 2; отчётов принято 1, возвращено с замечанием 0, "
        "ждут проверки 0, не выполнено 0, не отчитались 1. Целевое значение достигнуто в 1 "
        "принятых отчётах. Файлов-подтверждений: 1."
    ) in paragraphs
    # Roadmaps: only 08-UMC's (Zalari's 46 items are another region's).
    assert (
        "Дорожных карт: 1; пунктов 2, выполнено 0, в работе или запланировано 1, извлечено 1"
        in (paragraphs)
    )
    removed = [r for r in rows if data.REASON in r]
    assert len(removed) == 1
    assert removed[0][:4] == ["Уманцевская СОШ", "Оснащение школьной библиотеки", data.REASON,
                              "Директор: Уманцевская СОШ"]  # fmt: skip
    everything = paragraphs + str(rows)
    assert "Заларинский" not in everything and "Веренская" not in everything
    assert "{{" not in everything and "{%" not in everything


def test_another_regions_coordinator_cannot_start_or_download_it(app, year, client):
    login(client, data.OTHER_COORD)
    assert client.post("/reports/regional", data={"region": region_id("08")}).status_code == 404
    assert db.session.scalar(select(func.count(Job.id))) == 0
    client.post("/logout")
    login(client, data.COORD)
    job_id = start(client, "/reports/regional", {"region": region_id("08")})
    run(job_id)
    client.post("/logout")
    for email in (data.OTHER_COORD, data.CURATOR, data.SCHOOL):
        login(client, email)
        assert client.get(f"/reports/jobs/{job_id}/file").status_code == 404, email
        assert client.get(f"/jobs/{job_id}").status_code == 404, email
        client.post("/logout")


@pytest.mark.parametrize("email", [data.CURATOR, data.SCHOOL, "mun.zalari@ekspertiza.local"])
def test_only_regional_coordinators_and_the_admin_build_it(app, demo, client, email):
    login(client, email)
    assert client.post("/reports/regional", data={"region": region_id("08")}).status_code == 403
    assert client.get("/reports/template.docx").status_code == 403
    assert client.get("/reports/template").status_code == 403


def test_the_admin_builds_any_region_and_the_job_page_offers_the_file(app, year, client):
    login(client, ADMIN)
    job_id = start(client, "/reports/regional", {"region": region_id("38")})
    run(job_id)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'id="job-download"' in page and "Аналитическая справка Иркутская область" in page
    paragraphs, _rows = text_of(download(client, job_id))
    assert "Иркутская область" in paragraphs
    assert client.get("/reports").get_data(as_text=True).count(f'data-job-id="{job_id}"') == 1


def _docx(tmp_path, extra: str) -> bytes:
    path = build(tmp_path / "t.docx")
    document = docx.Document(path)
    document.add_paragraph(extra)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_edited_template_is_used_and_a_broken_one_is_refused(app, year, client, tmp_path):
    login(client, ADMIN)
    url = "/reports/template"
    broken = _docx(tmp_path, "Итог: {{ region.name ")
    response = client.post(url, data={"file": (io.BytesIO(broken), "справка.docx")})
    assert response.status_code == 422
    assert "Шаблон не удалось заполнить данными отчёта" in response.get_data(as_text=True)
    assert wordfile.custom_template() is None
    pdf = client.post(url, data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "справка.docx")})
    assert pdf.status_code == 422 and "Шаблон не принят" in pdf.get_data(as_text=True)
    assert wordfile.custom_template() is None

    edited = _docx(tmp_path, "Редакция координатора: {{ region.name }}")
    response = client.post(url, data={"file": (io.BytesIO(edited), "справка.docx")})
    assert response.status_code == 302 and wordfile.custom_template() is not None
    client.post("/logout")
    paragraphs, _rows = regional_report(client, data.COORD)
    assert "Редакция координатора: Республика Калмыкия" in paragraphs
    downloaded = client.get("/reports/template.docx")
    body = downloaded.data
    downloaded.close()
    assert "Редакция координатора" in text_of(io.BytesIO(body))[0]
    client.post("/logout")

    login(client, ADMIN)
    assert client.post("/reports/template/reset").status_code == 302
    assert wordfile.custom_template() is None and user(ADMIN)
