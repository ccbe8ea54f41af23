"""Issue 10 §3, the rest: the monitoring reports' and roadmap measures' refusals and stale-view
texts, the documents' version refusals and the diff page's "no text" reasons, in the current
language (the request's, or the one forced for the test). Russian stays as it was.

Every request runs in its own application context (``fetch``): Flask-Babel caches the chosen
locale in ``g``, and the ``app`` fixture keeps one context open for the whole test.
"""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from tests.support import login
from tests.webapp.documents.badfiles import xlsx
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of, user
from tests.webapp.monitoring.conftest import FIELDS, curator_of, fire, new_measure, report
from tests.webapp.monitoring.conftest import SCHOOL as MEASURE_SCHOOL
from webapp.crosscheck import report_views
from webapp.documents import services as documents
from webapp.documents.textdiff import NoText, extract_text
from webapp.extensions import db
from webapp.monitoring import services as monitoring
from webapp.roadmaps.models import Roadmap
from webapp.roadmaps.workflow import ITEMS
from webapp.workflow.service import apply_transition
from workflows.machine import StateConflict

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def fetch(app, client, method: str, url: str, **kwargs):
    """One request in its own app context: a fresh ``g``, so the locale is chosen anew."""
    with app.app_context():
        return getattr(client, method)(url, **kwargs)


# --- monitoring: the measure's fields and the report ------------------------------------------

FIELD_PROBLEMS = {
    "en": [
        "Fill in the field “Goal”.",
        "The field “Measure” is longer than 1000 characters.",
        "Enter the deadline as a date DD.MM.YYYY.",
        "The target value is too large.",
    ],
    "ru": [
        "Заполните поле «Цель».",
        "Поле «Мероприятие» длиннее 1000 символов.",
        "Укажите срок в виде даты ДД.ММ.ГГГГ.",
        "Целевое значение слишком велико.",
    ],
}


@pytest.mark.parametrize("locale", sorted(FIELD_PROBLEMS))
def test_measure_field_problems_in_the_current_language(app, demo, locale):
    fields = {**FIELDS, "goal": " ", "title": "х" * 1001, "deadline": "31.05.2027"}
    fields["target_value"] = 1e13
    with force_locale(locale):
        assert monitoring.field_problems(fields) == FIELD_PROBLEMS[locale]


REPORT = {
    "en": (
        "Only the school itself fills in the report on a measure.",
        "The report cannot be changed in the state “Under review”.",
        "The report has already been changed: ",
        ". Now: “Under review”. Reload the page.",
    ),
    "ru": (
        "Отчёт о мероприятии заполняет сама школа.",
        "В состоянии «На проверке» отчёт изменить нельзя.",
        "Отчёт уже изменён: ",
        ". Сейчас: «На проверке». Обновите страницу.",
    ),
}


@pytest.mark.parametrize("locale", sorted(REPORT))
def test_report_refusals_in_the_current_language(app, demo, locale):
    measure = new_measure()
    report(measure)
    old = measure.check.lock_version
    fire(measure, "submit", MEASURE_SCHOOL)
    not_school, frozen, stale_start, stale_end = REPORT[locale]
    check_id = measure.check.id
    with force_locale(locale):
        with pytest.raises(monitoring.MonitoringRefused) as refused:
            monitoring.save_report(check_id, actor=curator_of("38-VER"), actual_value=1)
        assert refused.value.message == not_school
        db.session.rollback()
        with pytest.raises(monitoring.MonitoringRefused) as refused:
            monitoring.save_report(check_id, actor=user(MEASURE_SCHOOL), actual_value=1)
        assert refused.value.message == frozen
        db.session.rollback()
        with pytest.raises(StateConflict) as stale:
            monitoring.apply_transition(
                check_id, "accept", actor=curator_of("38-VER"), expected_version=old
            )
        db.session.rollback()
    message = stale.value.message
    assert message.startswith(stale_start) and message.endswith(stale_end), message
    assert " UTC" in message


# --- roadmaps: a stale view of a measure ------------------------------------------------------

ROADMAP_STALE = {
    "en": ("The measure has already been changed: ", ". Now: “Planned”. Reload the page."),
    "ru": ("Мероприятие уже изменено: ", ". Сейчас: «Запланировано». Обновите страницу."),
}


@pytest.mark.parametrize("locale", sorted(ROADMAP_STALE))
def test_roadmap_stale_view_in_the_current_language(app, demo, locale):
    roadmap = db.session.scalar(db.select(Roadmap).where(Roadmap.level == "municipality"))
    item = next(i for i in roadmap.items if i.state == "planned")
    mun = user("mun.zalari@ekspertiza.local")
    with force_locale(locale), pytest.raises(StateConflict) as stale:
        apply_transition(ITEMS, item.id, "complete", actor=mun, expected_version=0)
    db.session.rollback()
    start, end = ROADMAP_STALE[locale]
    message = stale.value.message
    assert message.startswith(start) and message.endswith(end), message


# --- documents: version refusals and the diff page ---------------------------------------------

FROZEN = {
    "en": (
        "A new version cannot be uploaded in the state “Under curator review”: "
        "the document is under review or approved."
    ),
    "ru": (
        "В состоянии «Проверяется куратором» новую версию загрузить нельзя: "
        "документ на проверке или утверждён."
    ),
}


@pytest.mark.parametrize("locale", sorted(FROZEN))
def test_a_frozen_document_refuses_a_version_in_the_current_language(app, demo, locale):
    doc = bring_to_review(documents_of("08-UMC")[0])
    with force_locale(locale), pytest.raises(documents.UploadNotAllowed) as refused:
        documents.add_version(doc.id, io.BytesIO(PDF), "v2.pdf", actor=user(SCHOOL))
    db.session.rollback()
    assert refused.value.message == FROZEN[locale]


@pytest.mark.parametrize(
    ("locale", "reason"),
    [
        ("en", "No text can be extracted: this is an ODS spreadsheet. Download both versions."),
        ("ru", "Текст не извлекается: это таблица ODS. Скачайте обе версии."),
    ],
)
def test_no_text_reason_in_the_current_language(app, tmp_path, locale, reason):
    with force_locale(locale), pytest.raises(NoText) as refused:
        extract_text(tmp_path / "any.ods", "ods")
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("locale", "problem"),
    [
        (
            "en",
            "Version 2: No text can be extracted: this is an XLSX spreadsheet. "
            "Download both versions.",
        ),
        ("ru", "Версия 2: Текст не извлекается: это таблица XLSX. Скачайте обе версии."),
    ],
)
def test_the_diff_page_says_why_in_the_chosen_language(app, demo, client, locale, problem):
    doc = documents_of("08-UMC")[0]
    for data, name in ((PDF, "v1.pdf"), (xlsx(), "v2.xlsx")):
        documents.add_version(doc.id, io.BytesIO(data), name, actor=user(SCHOOL))
        db.session.commit()
    fetch(app, client, "get", f"/login?lang={locale}")
    with app.app_context():
        login(client, SCHOOL)
    page = fetch(app, client, "get", f"/documents/{doc.id}/diff?a=1&b=2")
    assert page.status_code == 200
    assert problem in page.get_data(as_text=True)


# --- the API: validation messages with limits and the checklist's criterion problems ----------


def _token(app, client, email: str) -> dict:
    with app.app_context():
        response = client.post("/api/v1/auth/token", json={"email": email, "password": "demo-pass"})
    return {"Authorization": f"Bearer {response.json['token']}"}


@pytest.mark.parametrize(
    ("lang", "per_page", "school_id"),
    [
        ("en", "From 1 to 500 records per page.", "Must be from 1 to 2147483647."),
        ("ru", "На странице от 1 до 500 записей.", "Должно быть от 1 до 2147483647."),
    ],
)
def test_api_limits_in_the_requests_language(app, demo, client, lang, per_page, school_id):
    headers = _token(app, client, CURATOR)
    url = f"/api/v1/documents?per_page=501&school_id=0&lang={lang}"
    refused = fetch(app, client, "get", url, headers=headers)
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"per_page": [per_page], "school_id": [school_id]}


@pytest.mark.parametrize(
    ("lang", "problem"),
    [
        ("en", "Criterion 999999 is not in this checklist."),
        ("ru", "Критерий 999999 нет в этом чек-листе."),
    ],
)
def test_api_checklist_criterion_problem_in_the_requests_language(app, demo, client, lang, problem):
    doc = bring_to_review(documents_of("08-UMC")[0])
    headers = _token(app, client, CURATOR)
    url = f"/api/v1/documents/{doc.id}/review?lang={lang}"
    criteria = fetch(app, client, "get", url, headers=headers).json["criteria"]
    answers = [
        {"criterion_id": criteria[0]["id"], "status": "met"},
        {"criterion_id": 999999, "status": "met"},
    ]
    refused = fetch(app, client, "put", url, headers=headers, json={"criteria": answers})
    assert refused.status_code == 422
    fields = refused.json["error"]["fields"]
    assert fields == {"criteria": {"1": {"criterion_id": [problem]}}}
    assert refused.json["error"]["message"].endswith(problem)


# --- the cross-check objectivity report: chart titles and the XLSX export ---------------------

REPORT_EXPORT = {
    "en": (
        ("School", "Works", "Re-checked", "Mark changed, share"),
        ("Direction", "Signs that need analysis"),
        "no clear direction",
        "Signs are a reason for analysis together with the school, not proof of",
        "Distribution of primary scores: Веренская СОШ, math, grade 5",
    ),
    "ru": (
        ("Школа", "Работ", "Перепроверено", "Отметка изменилась, доля"),
        ("Направление", "Признаки, требующие анализа"),
        "выраженного направления нет",
        "Признаки — повод для анализа вместе со школой, а не доказательство",
        "Распределение первичных баллов: Веренская СОШ, math, 5 класс",
    ),
}


@pytest.mark.parametrize("locale", sorted(REPORT_EXPORT))
def test_objectivity_report_texts_in_the_chosen_language(app, demo, client, locale):
    import openpyxl

    from tests.webapp.crosscheck import world as w
    from webapp.crosscheck.sheets import submit_points

    world = w.build()
    sheet = w.give(world, "38-VER-1", "38-TROI")
    expert = user("expert.38-troi@test")
    submit_points(sheet.id, [1, 1, 1, 1, 0], actor=expert)
    db.session.commit()
    fetch(app, client, "get", f"/login?lang={locale}")
    with app.app_context():
        w.login(client, "coord.38@ekspertiza.local", "demo-pass")
    first, last, direction, caveat, chart = REPORT_EXPORT[locale]
    page = fetch(app, client, "get", f"/crosschecks/{world.campaign.id}/objectivity")
    assert page.status_code == 200
    xlsx = fetch(app, client, "get", f"/crosschecks/{world.campaign.id}/objectivity.xlsx")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == first and rows[0][-2:] == last
    ver = next(r for r in rows[1:-1] if r[0] == "Веренская СОШ")
    assert ver[9] == direction
    assert rows[-1][0].startswith(caveat)
    # the charts need more data than this world has: their titles are checked directly
    signs = {"school_name": "Веренская СОШ", "subject": "math", "grade": 5}
    with force_locale(locale):
        assert report_views._chart_title(signs) == chart


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        ("en", "high share of maximum scores (math, grade 5)"),
        ("ru", "высокая доля максимальных баллов (math, 5 класс)"),
    ],
)
def test_a_sign_in_the_export_in_the_current_language(app, locale, label):
    with force_locale(locale):
        assert report_views.sign_label("max_share:math:5") == label
