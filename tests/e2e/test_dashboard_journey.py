"""In Chromium: the admin opens its dashboard from the menu and drills down region →
municipality → school; each level shows the demo's figures in the table beside the chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_diary_roadmap_journey import signed_in

pytestmark = pytest.mark.e2e


def test_admin_drills_down_from_the_menu(browser, live_server):
    errors: list[str] = []
    page = signed_in(browser, live_server, "admin@ekspertiza.local", errors)
    page.locator("label[for=menu-toggle]").click()
    page.locator("#nav-dashboard").click()
    table = page.locator("#territory-documents")
    # Demo: Kalmykia has three 500+ schools with five documents each, all drafts.
    kalmykia = table.locator("tr", has_text="Республика Калмыкия")
    expect(kalmykia.locator("[data-total]")).to_have_text("15")
    expect(page.locator("#dash-documents svg[role=img] title").first).to_have_text(
        "Документы по состояниям"
    )
    page.get_by_label("Регион").select_option(label="Иркутская область")
    page.get_by_role("button", name="Показать").click()
    zalari = table.locator("tr", has_text="Заларинский район")
    expect(zalari.locator("[data-total]")).to_have_text("10")  # Веренская and Троицкая СОШ
    expect(page.locator("#territory-roadmaps tr", has_text="Муниципалитет")).to_contain_text("45")
    zalari.get_by_role("link").click()
    expect(table.locator("tr", has_text="Веренская СОШ").locator("[data-total]")).to_have_text("5")
    table.get_by_role("link", name="Веренская СОШ").click()
    expect(page.locator("h1")).to_contain_text("Веренская СОШ")
    expect(page.locator("#school-documents tbody tr")).to_have_count(5)
    assert not errors
    page.context.close()
