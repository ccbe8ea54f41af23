"""ВПР cross-check in Chromium: an expert enters points with the keyboard (autosave, validation),
a discrepancy gets a third check, the third expert finishes without JavaScript, the school and
the coordinator open the objectivity report."""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import app_config
from tests.e2e.conftest import DEMO_PASSWORD
from tests.webapp.crosscheck import world as w
from webapp import create_app
from webapp.crosscheck.models import CrossCheckExpert, ScoreSheet
from webapp.extensions import db

pytestmark = pytest.mark.e2e


@dataclass
class Live:
    base_url: str
    app: object
    campaign_id: int
    work_id: int
    sheet_id: int
    ver_id: int
    troi_id: int


@pytest.fixture(scope="module")
def live(sqlite_template, tmp_path_factory):
    from webapp.demo.services import load_demo

    folder = tmp_path_factory.mktemp("e2e-xc")
    database = folder / "e2e.db"
    shutil.copyfile(sqlite_template, database)
    app = create_app(app_config(f"sqlite:///{database}", folder / "uploads", WTF_CSRF_ENABLED=True))
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        world = w.build()
        sheet = w.give(world, "38-VER-1", "38-TROI")
        ids = (
            world.campaign.id,
            world.works["38-VER-1"].id,
            sheet.id,
            world.schools["38-VER"].id,
            world.schools["38-TROI"].id,
        )
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-xc-server", daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", app, *ids)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def sign_in(browser, live: Live, email: str, password: str, *, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript, locale="ru-RU")
    page = context.new_page()
    page.goto(f"{live.base_url}/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return context, page


def test_expert_entry_third_check_and_report(browser, live):
    # 1. the first checker types the points with the keyboard only
    context, page = sign_in(browser, live, "expert.38-troi@test", w.PASSWORD)
    page.get_by_role("link", name="Проверка работ ВПР").click()
    row = page.locator(f'tr[data-sheet-id="{live.sheet_id}"]')
    expect(row).to_contain_text("38-VER-1")
    expect(page.locator("#expert-works tbody tr")).to_have_count(1)
    row.get_by_role("link", name="Открыть").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Работа 38-VER-1")
    expect(page.locator("#earlier-scores")).to_have_count(0)  # a first check sees no scores
    first = page.get_by_label("Задание 1, от 0 до 2")
    first.focus()
    page.keyboard.type("5")  # above the maximum
    expect(first).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#grid-status")).to_contain_text("Исправьте выделенные баллы")
    page.keyboard.press("Backspace")
    for value in ("0", "0", "1", "0", "0"):
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    expect(page.locator("#grid-status")).to_have_text("Сохранено.")
    expect(page.locator("#grid-total")).to_have_text("1")
    expect(page.locator("#grid-submit")).to_be_focused()  # Enter on the last task
    with live.app.app_context():
        saved = db.session.get(ScoreSheet, live.sheet_id)
        assert saved.state == "in_progress" and saved.points == [0, 0, 1, 0, 0]
        db.session.remove()
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_have_text("Баллы отправлены.")
    expect(page.locator(f'tr[data-sheet-id="{live.sheet_id}"] [data-state]')).to_have_attribute(
        "data-state", "submitted"
    )
    context.close()

    # 2. 1 point against the school's 6 (threshold 2): the task assigns a third check
    from tasks.crosscheck_experts import assign_third_check

    with live.app.app_context():
        assert assign_third_check.run(work_id=live.work_id).startswith("sheet:")
        third = db.session.scalars(
            select(ScoreSheet).where(ScoreSheet.work_id == live.work_id, ScoreSheet.role == "third")
        ).one()
        expert = db.session.get(CrossCheckExpert, third.expert_id)
        assert expert.school_id not in (live.ver_id, live.troi_id)
        third_id, third_email = third.id, expert.email
        db.session.remove()

    # 3. the third expert sees both scores and finishes with JavaScript off (the plain form)
    context, page = sign_in(browser, live, third_email, w.PASSWORD, javascript=False)
    page.goto(f"{live.base_url}/expert/sheets/{third_id}")
    earlier = page.locator("#earlier-scores")
    expect(earlier.locator('tr[data-earlier="school"]')).to_contain_text("6")
    expect(earlier.locator('tr[data-earlier="first"]')).to_contain_text("1")
    for n, value in enumerate(("2", "1", "1", "1", "0"), start=1):
        page.get_by_label(f"Задание {n}, от 0 до 2").fill(value)
    page.get_by_role("button", name="Отправить баллы").click()
    expect(page.locator(".alert-success")).to_have_text("Баллы отправлены.")
    context.close()

    # 4. the school sees its own report (5 against 6: the mark 4 becomes 3), not another's
    context, page = sign_in(browser, live, "school.38-ver@ekspertiza.local", DEMO_PASSWORD)
    page.locator("#nav-objectivity").click()
    page.get_by_role("link", name="ВПР осень (тест)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Объективность результатов ВПР")
    expect(page.locator('[data-figure="rechecked"]')).to_have_text("1")
    expect(page.locator('[data-figure="down"]')).to_have_text("100.0 % (1)")
    expect(page.locator('[data-figure="mean"]')).to_have_text("1.00")
    expect(page.locator("#caveat")).to_contain_text("не доказательство")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    other = page.goto(
        f"{live.base_url}/crosschecks/{live.campaign_id}/objectivity?school_id={live.troi_id}"
    )
    assert other.status == 404
    context.close()

    # 5. the regional coordinator sees every school of the campaign
    context, page = sign_in(browser, live, "coord.38@ekspertiza.local", DEMO_PASSWORD)
    page.goto(f"{live.base_url}/crosschecks/{live.campaign_id}/objectivity")
    expect(page.locator("#schools tbody tr")).to_have_count(3)
    page.set_viewport_size({"width": 390, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # tables scroll inside .table-responsive
    context.close()
