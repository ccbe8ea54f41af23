"""In Chromium: the curator writes a diary entry and finds it in its list; the municipal
coordinator removes an item of the Zalari roadmap with a reason and the change log shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 10_000


def signed_in(browser: Browser, base: str, email: str, errors: list[str]) -> Page:
    context = browser.new_context(
        base_url=base, locale="ru-RU", viewport={"width": 390, "height": 800}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("form[action='/logout']")).to_have_count(1)  # menu collapsed at 390 px
    return page


def test_curator_writes_a_diary_entry(browser, live_server):
    errors: list[str] = []
    page = signed_in(browser, live_server, "curator1@ekspertiza.local", errors)
    page.goto("/queue")
    school_link = page.locator("a[href^='/schools/']").first
    school_id = re.search(r"/schools/(\d+)", school_link.get_attribute("href")).group(1)
    page.goto(f"/schools/{school_id}/diary")
    page.get_by_label("Дата", exact=True).fill("2026-11-20")
    page.get_by_label("Формат").select_option("phone")
    page.get_by_label("Дата контроля").fill("2026-12-01")
    page.get_by_label("Участники").fill("Директор, заместитель по УВР")
    page.get_by_label("Темы").fill("Ход доработки антирисковой программы")
    page.get_by_label("Договорённости").fill("Прислать новую версию до 1 декабря")
    page.click("#diary-submit")
    expect(page.locator("#diary-entry")).to_contain_text("Телефонный разговор")
    expect(page.locator("#diary-entry")).to_contain_text("Прислать новую версию до 1 декабря")
    expect(page.locator("#diary-entry")).to_contain_text("01.12.2026")
    page.goto("/diary")
    expect(page.locator("#diary-entries")).to_contain_text("Ход доработки антирисковой программы")
    assert not errors
    page.context.close()


def test_roadmap_item_removed_with_a_reason_shows_in_the_change_log(browser, live_server):
    errors: list[str] = []
    page = signed_in(browser, live_server, "mun.zalari@ekspertiza.local", errors)
    page.goto("/roadmaps")
    page.get_by_role("link", name=re.compile("Муниципальная дорожная карта")).click()
    row = page.locator("#roadmap-items tr[data-state='planned']").first
    expect(row).to_contain_text("Индекс благополучия школы")
    item_id = row.get_attribute("data-item-id")
    row.locator("button[data-trigger='remove']").click()
    expect(page.locator(".alert")).to_contain_text("Укажите причину")
    row = page.locator(f"#roadmap-items tr[data-item-id='{item_id}']")
    row.get_by_label("Причина").fill("Сессия перенесена организатором на 2023 год")
    row.locator("button[data-trigger='remove']").click()
    expect(page.locator(f"#roadmap-items tr[data-item-id='{item_id}']")).to_have_attribute(
        "data-state", "removed"
    )
    entry = page.locator("#change-log tbody tr").first
    expect(entry).to_have_attribute("data-event", "remove")
    expect(entry).to_contain_text("Сессия перенесена организатором на 2023 год")
    expect(entry).to_contain_text("Муниципальный координатор")
    assert not errors
    page.context.close()
