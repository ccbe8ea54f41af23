"""The mutual expertise on its screens in Chromium: accept, read, conclude, decline, approve."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import app_config
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_document_journey import Actor, parse_shown
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.e2e

REVIEWER = "school.56-d01@ekspertiza.local"
REVIEWER_NAME = "Директор: Демо-школа № 1 (Оренбург)"
REPLACEMENT = "school.14-d01@ekspertiza.local"
SCHOOL = "school.08-umc@ekspertiza.local"
CURATOR = "curator1@ekspertiza.local"
CURATOR_NAME = "Куратор 1 (демо)"

DECLINE_REASON = "У нас нет специалистов по среднесрочному планированию."
CRITERION_REMARK = "Показатели не измеримы."
CONCLUSION = "Концепция реалистична, но показатели раздела 2 нужно сделать измеримыми."


@dataclass
class World:
    base_url: str
    concept_id: int
    concept_title: str
    concept_assignment: int
    programme_assignment: int


@pytest.fixture(scope="module")
def world(sqlite_template, tmp_path_factory) -> Iterator[World]:
    """The demo with the peer stage on, 08-UMC's concept accepted, 56-D01 paired to review it."""
    from tests.webapp.expertise import peer_support as ps
    from webapp.demo.services import load_demo

    folder = tmp_path_factory.mktemp("e2e-peer")
    database = folder / "e2e.db"
    shutil.copyfile(sqlite_template, database)
    app = create_app(app_config(f"sqlite:///{database}", folder / "uploads", WTF_CSRF_ENABLED=True))
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        ps.enable_peer_stage()
        concept = ps.accept_concept()
        pairs = [(ps.REVIEWER, ps.REVIEWED)]
        created = ps.confirm(ps.make_pairing(pairs), pairs)
        by_document = {a.document_id: a.id for a in created}
        programme = next(i for d, i in by_document.items() if d != concept.id)
        ids = (concept.id, concept.title, by_document[concept.id], programme)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-peer-server", daemon=True)
    thread.start()
    try:
        yield World(f"http://127.0.0.1:{server.server_port}", *ids)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def sign_in(browser, world):
    actors: list[Actor] = []

    def make(email: str) -> Actor:
        actors.append(Actor(browser, world.base_url, email))
        return actors[-1]

    yield make
    for actor in actors:
        actor.close()


def open_assignment(actor: Actor, assignment_id: int, title: str) -> None:
    page = actor.page
    page.get_by_role("link", name="Взаимоэкспертиза").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Взаимоэкспертиза")
    page.locator(f'tr[data-assignment-id="{assignment_id}"]').get_by_role(
        "link", name="Открыть"
    ).click()
    expect(page).to_have_url(re.compile(rf"/peer/assignments/{assignment_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    actor.ok()


def peer_history(page: Page) -> list[dict[str, str]]:
    rows = page.locator("#peer-history tbody tr[data-event]")
    result = []
    for row in rows.all():
        at, actor, action, _transition, comment = row.locator("td").all_inner_texts()
        result.append(
            {
                "event": row.get_attribute("data-event"),
                "at": at,
                "actor": actor,
                "action": action,
                "comment": comment,
            }
        )
    return result


def check_times(rows: list[dict[str, str]], started: datetime) -> None:
    previous = started.replace(second=0, microsecond=0)
    latest = datetime.now(UTC) + timedelta(minutes=1)
    for row in rows:
        at = parse_shown(row["at"])
        assert previous <= at <= latest, (row, started)
        previous = at


def test_peer_review_journey(sign_in, world):
    started = datetime.now(UTC)

    # The reviewing school accepts the concept's assignment.
    reviewer = sign_in(REVIEWER)
    page = reviewer.page
    open_assignment(reviewer, world.concept_assignment, world.concept_title)
    expect(page.locator("#reviewed-school")).to_contain_text("Уманцевская СОШ")
    expect(page.locator("#read-document")).to_have_count(0)
    page.click("#trigger-accept")
    reviewer.flash("Готово: Принять назначение.")
    expect(page.locator("#assignment-state [data-state]")).to_have_attribute(
        "data-state", "accepted"
    )

    # It reads the peer's concept: the reduced, read-only page with the current version.
    page.click("#read-document")
    expect(page).to_have_url(re.compile(rf"/documents/{world.concept_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(world.concept_title)
    expect(page.locator("#peer-view-school")).to_contain_text("Республика Калмыкия")
    expect(page.locator("#peer-download")).to_have_text("Скачать план.pdf")
    for absent in ("#history", "#versions", "#actions", "#last-review", "#upload-form"):
        expect(page.locator(absent)).to_have_count(0)
    with page.expect_download() as download:
        page.click("#peer-download")
    assert download.value.suggested_filename == "план.pdf"

    # It fills the checklist: a draft first (values kept), then the conclusion.
    page.goto(f"/peer/assignments/{world.concept_assignment}")
    selects = page.locator("#peer-checklist select[id^='status_']")
    count = selects.count()
    assert count >= 2, f"the peer checklist has {count} criteria"
    page.select_option("#status_1", "remark")
    page.fill("#criterion_comment_1", CRITERION_REMARK)
    page.fill("#conclusion", "Черновик")
    page.click("#save-draft")
    reviewer.flash("Черновик заключения сохранён.")
    expect(page.locator("#status_1")).to_have_value("remark")
    expect(page.locator("#criterion_comment_1")).to_have_value(CRITERION_REMARK)
    expect(page.locator("#conclusion")).to_have_value("Черновик")
    for n in range(2, count + 1):
        page.select_option(f"#status_{n}", "met")
    page.fill("#conclusion", CONCLUSION)
    page.click("#submit-conclusion")
    reviewer.flash("Заключение отправлено.")
    frozen = page.locator("#frozen-conclusion")
    expect(frozen).to_contain_text(CONCLUSION)
    expect(frozen).to_contain_text(CRITERION_REMARK)
    expect(page.locator("#peer-checklist")).to_have_count(0)
    rows = peer_history(page)
    assert [r["event"] for r in rows] == ["accept", "submit"]
    assert {r["actor"] for r in rows} == {REVIEWER_NAME}
    assert [r["action"] for r in rows] == ["Принять назначение", "Отправить заключение"]
    check_times(rows, started)
    # The document is closed to it now.
    response = page.goto(f"/documents/{world.concept_id}")
    assert response.status == 404

    # The programme's assignment: declining needs a reason, then a replacement is named.
    open_assignment(reviewer, world.programme_assignment, "Среднесрочная программа развития")
    expect(page.locator("#trigger-accept")).to_have_count(0)  # its document is not ready yet
    page.click("#trigger-decline")
    reviewer.flash("Укажите причину: она обязательна для этого действия.")
    page.fill("#actions textarea#comment", DECLINE_REASON)
    page.click("#trigger-decline")
    reviewer.flash("Готово: Отказаться.")
    rows = peer_history(page)
    assert [(r["event"], r["actor"], r["comment"]) for r in rows] == [
        ("decline", REVIEWER_NAME, DECLINE_REASON)
    ]
    check_times(rows, started)

    replacement = sign_in(REPLACEMENT)
    replacement.page.get_by_role("link", name="Взаимоэкспертиза").first.click()
    waiting = replacement.page.locator("#peer-waiting tr[data-assignment-id]")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Среднесрочная программа развития")
    expect(waiting).to_contain_text("Уманцевская СОШ")
    expect(waiting).to_contain_text("замена")

    # The curator sees the conclusion beside its checklist and approves.
    curator = sign_in(CURATOR)
    curator.page.goto(f"/documents/{world.concept_id}")
    badge = curator.page.locator("#document-state [data-state]")
    expect(badge).to_have_attribute("data-state", "peer_reviewed")
    expect(badge).to_have_text("Взаимоэкспертиза завершена")
    section = curator.page.locator("#peer-stage")
    expect(section).to_contain_text(CONCLUSION)
    expect(section).to_contain_text("Демо-школа № 1 (Оренбург) (Оренбургская область)")
    expect(curator.page.locator("#last-review")).to_be_visible()
    curator.fire("approve", "approved")

    # The reviewed school sees the conclusion, and the document's history has every step.
    school = sign_in(SCHOOL)
    school.page.goto(f"/documents/{world.concept_id}")
    school.state("approved")
    expect(school.page.locator("#peer-stage")).to_contain_text(CONCLUSION)
    expect(school.page.locator("#peer-stage")).to_contain_text(CRITERION_REMARK)
    events = school.page.locator("#history tbody tr[data-event]")
    tail = [
        (row.get_attribute("data-event"), row.locator("td").nth(1).inner_text())
        for row in events.all()
    ][-3:]
    assert tail == [
        ("start_peer_review", "Система"),
        ("finish_peer_review", "Система"),
        ("approve", CURATOR_NAME),
    ]
    for actor in (reviewer, replacement, curator, school):
        actor.ok()
