"""The notification settings in Chromium with JavaScript off: choose, save, see them kept."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

SCHOOL = "school.08-umc@ekspertiza.local"


def test_settings_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="ru-RU", java_script_enabled=False)
    context.set_default_timeout(10_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    try:
        page.goto("/login")
        page.fill("input[name=email]", SCHOOL)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("#login-submit")
        page.goto("/notifications")
        page.click("#notification-settings-link")
        expect(page.get_by_role("heading", name="Настройки уведомлений")).to_be_visible()
        changed = page.get_by_role("group", name="Мой документ изменился")
        expect(changed.get_by_label("Ежедневная сводка")).to_be_checked()  # the default
        changed.get_by_label("Только на сайте").check()
        page.get_by_label("Часовой пояс, в котором показывать время").select_option(
            "Asia/Kamchatka"
        )
        page.get_by_role("button", name="Сохранить").click()
        expect(page.get_by_role("alert").filter(has_text="Настройки уведомлений сохранены."))
        changed = page.get_by_role("group", name="Мой документ изменился")
        expect(changed.get_by_label("Только на сайте")).to_be_checked()
        expect(page.get_by_label("Часовой пояс, в котором показывать время")).to_have_value(
            "Asia/Kamchatka"
        )
        assert not errors, errors
    finally:
        context.close()
