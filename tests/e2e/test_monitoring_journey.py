"""Issue 11 §1 in Chromium: a school enters a measure and reports it with evidence; the curator
returns it with a remark, the school sends a new file, the curator accepts the second report."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.webapp.helpers import pdf_named

pytestmark = pytest.mark.e2e

SCHOOL = "school.38-ver@ekspertiza.local"
CURATOR = "curator2@ekspertiza.local"  # the demo curator of Веренская СОШ
OUTSIDER = "school.38-troi@ekspertiza.local"
TITLE = "Открыть кружок робототехники для 5–7 классов"
REMARK = "Приложите приказ об открытии кружка."
TIMEOUT_MS = 10_000


def sign_in(browser: Browser, base_url: str, email: str, width: int = 1280) -> Page:
    context = browser.new_context(
        base_url=base_url, locale="ru-RU", viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: r.status >= 500 and errors.append(f"{r.status} {r.url}"))
    page.server_errors = errors  # type: ignore[attr-defined]
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-submit")
    # At 390 px the menu (and «Выйти» in it) is collapsed: the sign-out form is there.
    expect(page.locator("form[action='/logout']")).to_have_count(1)
    return page


def report(page: Page, value: str, path: Path) -> None:
    page.fill("#actual_value", value)
    page.set_input_files("#file", path)
    page.click("#save-report")
    expect(page.get_by_role("alert").filter(has_text="Отчёт сохранён.")).to_be_visible()
    expect(page.locator("#evidence-files")).to_contain_text(path.name)
    page.click("#trigger-submit")
    expect(page.get_by_role("alert").filter(has_text="«На проверке»")).to_be_visible()


def test_measure_reported_returned_and_accepted(live_server, browser, tmp_path):
    first, second = tmp_path / "акт.pdf", tmp_path / "приказ.pdf"
    first.write_bytes(pdf_named("акт"))
    second.write_bytes(pdf_named("приказ"))

    school = sign_in(browser, live_server, SCHOOL, width=390)
    school.goto("/monitoring/")  # at 390 px the menu is collapsed
    expect(school.get_by_role("heading", level=1)).to_have_text("Мероприятия и мониторинг")
    school.click("#new-measure")
    school.select_option("#document_id", index=0)
    school.fill("#goal", "Повысить учебную мотивацию")
    school.fill("#task", "Вовлечь учащихся во внеурочную деятельность")
    school.fill("#title", TITLE)
    school.fill("#deadline", "2027-05-31")
    school.fill("#responsible", "Иванова А. П.")
    school.fill("#indicator", "Доля учащихся 5–7 классов в кружке")
    school.fill("#target_value", "25")
    school.fill("#unit", "%")
    school.click("#save-measure")
    expect(school.get_by_role("alert").filter(has_text="Мероприятие добавлено.")).to_be_visible()
    expect(school.get_by_role("heading", level=1)).to_have_text(TITLE)
    measure_url = school.url
    # the submit action waits for a value and a file, and says so
    expect(school.locator("#blocked-actions")).to_contain_text("Загрузите файл-подтверждение")
    report(school, "20", first)

    curator = sign_in(browser, live_server, CURATOR)
    curator.goto("/monitoring/queue")
    row = curator.locator("#evidence-queue tbody tr").filter(has_text=TITLE)
    row.get_by_role("link", name="Проверить").click()
    curator.fill("#comment-return_for_revision", REMARK)
    curator.click("#trigger-return_for_revision")
    expect(
        curator.get_by_role("alert").filter(has_text="«Возвращено на доработку»")
    ).to_be_visible()

    school.goto(measure_url)
    expect(school.locator("#history")).to_contain_text(REMARK)
    expect(school.locator("#next-step")).to_contain_text("загрузите новый файл")
    report(school, "27", second)

    curator.goto(measure_url)
    curator.click("#trigger-accept")
    expect(curator.get_by_role("alert").filter(has_text="«Принято»")).to_be_visible()
    expect(curator.locator("#history tbody tr")).to_have_count(4)
    curator.goto("/monitoring/queue")
    expect(curator.locator("#queue-empty")).to_be_visible()

    school.goto("/monitoring/")
    line = school.locator("#measures tbody tr").filter(has_text=TITLE)
    expect(line).to_have_attribute("data-state", "accepted")
    expect(line).to_contain_text("25 / 27 %")

    outsider = sign_in(browser, live_server, OUTSIDER)
    response = outsider.goto(measure_url)
    assert response is not None and response.status == 404
    for page in (school, curator, outsider):
        assert not page.server_errors  # type: ignore[attr-defined]
        page.context.close()
