"""The document journey through the real UI in Chromium: school, curator, coordinator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD
from tests.support import PDF
from tests.webapp.documents.test_diff import docx_with

pytestmark = pytest.mark.e2e

SCHOOL = "school.08-umc@ekspertiza.local"
CURATOR = "curator1@ekspertiza.local"
COORDINATOR = "coord.08@ekspertiza.local"
OTHER_REGION = ("school.38-ver@ekspertiza.local", "coord.38@ekspertiza.local")

SCHOOL_NAME = "Директор: Уманцевская СОШ"
CURATOR_NAME = "Куратор 1 (демо)"

REMARK = "В разделе 3 нет сроков и ответственных за мероприятия: дополните таблицу."
CRITERION_REMARK = "Нет сроков и ответственных."
FIRST_CRITERION_REMARK = "Цель не измерима: добавьте показатель."
ANSWERS = {
    FIRST_CRITERION_REMARK: "Добавлен показатель: доля учеников с отметкой «2» по ВПР.",
    CRITERION_REMARK: "Сроки и ответственные указаны в таблице раздела 3.",
    REMARK: "Таблица дополнена.",
}
RESUBMIT_NOTE = "Таблица мероприятий дополнена сроками и ответственными."
ACCEPT_NOTE = "Замечания учтены."

# The visible Russian labels, spelled out here so that the test pins the UI text.
STATE_LABELS = {
    "draft": "Черновик",
    "submitted": "На проверке (ожидает куратора)",
    "curator_review": "Проверяется куратором",
    "revision_requested": "На доработке",
    "curator_accepted": "Принят куратором",
    "approved": "Утверждён",
}
TRIGGER_LABELS = {
    "submit": "Отправить на проверку",
    "start_review": "Взять на проверку",
    "request_revision": "Вернуть на доработку",
    "resubmit": "Отправить повторно",
    "accept": "Принять",
    "approve": "Утвердить",
}

# What each action says it did, and who is told (written from the rules, not read from the code).
DONE = {
    "submit": "Документ отправлен на проверку. Уведомление получит: куратор школы.",
    "start_review": "Документ взят на проверку: откройте чек-лист.",  # nobody is told
    "resubmit": "Исправленная версия отправлена на проверку с ответами на замечания. "
    "Уведомление получит: куратор школы.",
    "approve": "Документ утверждён. Уведомление получит: школа.",
}
VERDICT_DONE = {
    "revise": "Документ возвращён школе на доработку с замечаниями. Уведомление получит: школа.",
    "approve": "Документ принят и утверждён. Уведомление получит: школа.",
}

TIMEOUT_MS = 10_000
TIME_FORMAT = "%d.%m.%Y %H:%M"
# «28.11.2026 18:00 (Камчатка, UTC+12)»: the viewer's local time, the place and the offset
SHOWN_TIME = re.compile(
    r"(\d\d\.\d\d\.\d{4} \d\d:\d\d) \((?:[^,()]+, )?UTC([+−-])(\d+)(?::(\d\d))?\)"
)


def parse_shown(text: str) -> datetime:
    """The instant a shown time stands for (the page names the zone's offset)."""
    match = SHOWN_TIME.fullmatch(text.strip())
    assert match, text
    local, sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    offset = -offset if sign in "−-" else offset
    return datetime.strptime(local, TIME_FORMAT).replace(tzinfo=timezone(offset)).astimezone(UTC)


@dataclass
class Doc:
    id: int
    title: str


class Actor:
    """One signed-in user in their own browser context; 5xx responses are remembered."""

    def __init__(self, browser: Browser, base_url: str, email: str) -> None:
        self.email = email
        self.context = browser.new_context(base_url=base_url, locale="ru-RU")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.server_errors: list[str] = []
        self.page.on(
            "response",
            lambda r: r.status >= 500 and self.server_errors.append(f"{r.status} {r.url}"),
        )
        self.sign_in()

    def sign_in(self) -> None:
        page = self.page
        page.goto("/login")
        page.fill("input[name=email]", self.email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("#login-submit")
        self.ok()
        expect(page.get_by_role("button", name="Выйти")).to_be_visible()

    def close(self) -> None:
        self.context.close()

    def ok(self) -> None:
        assert not self.server_errors, f"server errors for {self.email}: {self.server_errors}"

    # -- assertions on the current page --------------------------------------------------------

    def flash(self, text: str) -> None:
        self.ok()
        expect(self.page.get_by_role("alert").filter(has_text=text)).to_be_visible()

    def state(self, state: str) -> None:
        badge = self.page.locator("#document-state [data-state]")
        expect(badge).to_have_attribute("data-state", state)
        expect(badge).to_have_text(STATE_LABELS[state])

    # -- actions ------------------------------------------------------------------------------

    def open_document(self, doc: Doc) -> None:
        self.page.goto(f"/documents/{doc.id}")
        self.ok()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(doc.title)

    def upload(self, path: Path, number: int) -> None:
        page = self.page
        page.set_input_files("#file", path)
        page.click("#upload-submit")
        self.flash(f"Версия {number} загружена: {path.name}.")
        newest = page.locator("#versions tbody tr").first
        expect(newest.locator("td").first).to_have_text(str(number))
        expect(newest).to_contain_text(path.name)

    def fire(self, trigger: str, state: str, comment: str = "") -> None:
        page = self.page
        if comment:
            page.locator(f"#action-{trigger} textarea#comment-{trigger}").fill(comment)
        page.click(f"#trigger-{trigger}")
        self.flash(DONE[trigger])
        self.state(state)

    def take_from_queue(self, doc: Doc) -> None:
        page = self.page
        page.goto("/queue")
        self.ok()
        row = page.locator(f'#queue tr[data-document-id="{doc.id}"]')
        expect(row.locator("[data-state]")).to_have_attribute("data-state", "submitted")
        row.get_by_role("link", name="Открыть").click()
        expect(page).to_have_url(re.compile(rf"/documents/{doc.id}$"))
        self.fire("start_review", "curator_review")

    def review(
        self,
        verdict: str,
        comment: str = "",
        criterion_remark: str = "",
        first_remark: str = "",
        before_verdict=None,
    ) -> None:
        """Fill every criterion of the checklist and give the verdict."""
        page = self.page
        page.click("#open-review")
        expect(page).to_have_url(re.compile(r"/documents/\d+/review$"))
        self.ok()
        selects = page.locator("#review-form select[id^='status_']")
        expect(selects.first).to_be_visible()
        count = selects.count()
        assert count >= 2, f"the checklist has {count} criteria"
        if before_verdict is not None:
            before_verdict(page)
        for n in range(1, count + 1):
            page.select_option(f"#status_{n}", "met")
        if criterion_remark:
            page.select_option("#status_2", "remark")
            page.fill("#criterion_comment_2", criterion_remark)
        if first_remark:
            page.select_option("#status_1", "not_met")
            page.fill("#criterion_comment_1", first_remark)

        page.check(f"#verdict-{verdict}")
        if comment:
            page.locator("#review-form textarea#comment").fill(comment)
        page.click("#submit-verdict")
        expect(page).to_have_url(re.compile(r"/documents/\d+$"))
        self.flash(VERDICT_DONE[verdict])

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Выйти").click()
        expect(self.page).to_have_url(re.compile(r"/login"))
        self.flash("Вы вышли из системы.")


@pytest.fixture
def sign_in(browser, live_server):
    """Sign a demo user in, each in a fresh browser context; all contexts closed afterwards."""
    actors: list[Actor] = []

    def make(email: str) -> Actor:
        actors.append(Actor(browser, live_server, email))
        return actors[-1]

    yield make
    for actor in actors:
        actor.close()


def pdf_file(folder: Path, name: str, note: str) -> Path:
    """A small valid PDF (tests.support.PDF) with a comment line that makes its hash unique."""
    path = folder / name
    path.write_bytes(PDF.replace(b"\n", f"\n% {note}\n".encode(), 1))
    return path


def school_documents(school: Actor) -> tuple[int, Doc, Doc]:
    """The school's id, its concept and its first anti-risk programme, from the cabinet."""
    page = school.page
    page.goto("/cabinet")
    expect(page).to_have_url(re.compile(r"/schools/\d+$"))
    school_id = int(page.url.rsplit("/", 1)[1])
    rows = page.locator("#school-documents tr[data-document-id]")

    def pick(text: str) -> Doc:
        row = rows.filter(has_text=text).first
        return Doc(int(row.get_attribute("data-document-id")), row.locator("td").first.inner_text())

    return school_id, pick("Концепция развития"), pick("Антирисковая программа:")


def history(page: Page) -> list[dict[str, str]]:
    rows = page.locator("#history tbody tr[data-event]")
    expect(rows.first).to_be_visible()
    result = []
    for row in rows.all():
        at, actor, action, transition, version, comment = row.locator("td").all_inner_texts()
        result.append(
            {
                "event": row.get_attribute("data-event"),
                "at": at.strip(),
                "actor": actor.strip(),
                "action": action.strip(),
                "transition": transition.strip(),
                "version": version.strip(),
                "comment": comment.strip(),
            }
        )
    return result


def check_history(page: Page, expected: list[tuple], started: datetime) -> None:
    """Every step in order, with actor, action, transition, version, comment and a time."""
    rows = history(page)
    assert [r["event"] for r in rows] == [e[0] for e in expected], rows
    state = "draft"
    previous = started.replace(second=0, microsecond=0)
    latest = datetime.now(UTC) + timedelta(minutes=1)
    for row, (event, dest, actor, version, comment) in zip(rows, expected, strict=True):
        assert row["actor"] == actor, row
        assert row["action"] == TRIGGER_LABELS[event], row
        assert row["transition"] == f"{STATE_LABELS[state]} → {STATE_LABELS[dest]}", row
        assert row["version"] == str(version), row
        assert row["comment"] == comment, row
        at = parse_shown(row["at"])
        assert previous <= at <= latest, (row, started)
        previous, state = at, dest


def test_school_curator_coordinator_journey(sign_in, tmp_path):
    started = datetime.now(UTC)
    concept_v1 = tmp_path / "Концепция развития.docx"
    concept_v1.write_bytes(docx_with("Цель: повысить результаты", "Срок: 2026 год"))
    concept_v2 = tmp_path / "Концепция развития (исправленная).docx"
    concept_v2.write_bytes(docx_with("Цель: повысить результаты", "Срок: май 2027 года"))
    programme_v1 = pdf_file(tmp_path, "Антирисковая программа.pdf", "risk")

    # The school signs in, uploads its concept and one anti-risk programme, submits both.
    school = sign_in(SCHOOL)
    expect(school.page.get_by_role("heading", level=1)).to_contain_text("Уманцевская СОШ")
    school_id, concept, programme = school_documents(school)
    for doc in (concept, programme):
        row = school.page.locator(f'#school-documents tr[data-document-id="{doc.id}"]')
        expect(row.locator("[data-state]")).to_have_attribute("data-state", "draft")
    for doc, path in ((concept, concept_v1), (programme, programme_v1)):
        school.page.locator(f'#school-documents tr[data-document-id="{doc.id}"]').get_by_role(
            "link", name="Открыть"
        ).click()
        expect(school.page.get_by_role("heading", level=1)).to_have_text(doc.title)
        school.state("draft")
        school.upload(path, 1)
        school.fire("submit", "submitted")
        expect(school.page.locator("#upload-form")).to_have_count(0)
        school.page.goto("/cabinet")

    # The curator takes both, returns the concept with a remark and accepts the programme.
    curator = sign_in(CURATOR)
    expect(curator.page).to_have_url(re.compile(r"/queue$"))
    curator.take_from_queue(concept)
    curator.review(
        "revise", REMARK, criterion_remark=CRITERION_REMARK, first_remark=FIRST_CRITERION_REMARK
    )
    curator.state("revision_requested")
    curator.take_from_queue(programme)
    # No peer stage for this type: «Согласовано» approves in the same step (box ticked).
    curator.review(
        "approve", before_verdict=lambda p: expect(p.locator("#approve_now")).to_be_checked()
    )
    curator.state("approved")

    # The school sees each remark, answers them point by point, uploads v2 and resubmits.
    school.open_document(concept)
    school.state("revision_requested")
    remarks = school.page.locator("#remarks-form li")
    expect(remarks).to_have_count(3)
    expect(school.page.locator("#last-review")).to_contain_text(CRITERION_REMARK)
    blocked = school.page.locator('#blocked-actions li[data-trigger="resubmit"]')
    expect(blocked).to_contain_text("Загрузите исправленную версию документа.")
    school.upload(concept_v2, 2)
    expect(school.page.locator("#trigger-resubmit")).to_have_count(0)
    expect(blocked).to_contain_text("Ответьте на каждое замечание")
    for item in school.page.locator("#remarks-form li").all():
        remark = item.locator(".history-comment").inner_text()
        item.locator("textarea").fill(ANSWERS[remark])
    school.page.click("#save-answers")
    school.flash("Ответы сохранены. Загрузите исправленную версию")
    school.fire("resubmit", "submitted", RESUBMIT_NOTE)

    # The curator takes the new version, checks it, accepts and approves.
    curator.take_from_queue(concept)
    expect(curator.page.locator("#versions tbody tr")).to_have_count(2)
    with curator.page.expect_download() as download:
        curator.page.get_by_role("link", name=concept_v2.name).click()
    assert download.value.suggested_filename == concept_v2.name
    assert Path(download.value.path()).read_bytes() == concept_v2.read_bytes()

    def second_round(page: Page) -> None:
        # The remarks and the school's answers beside their criteria; the general one above.
        expect(page.locator("#thread_1")).to_contain_text(FIRST_CRITERION_REMARK)
        expect(page.locator("#thread_1")).to_contain_text(ANSWERS[FIRST_CRITERION_REMARK])
        expect(page.locator("#thread_2")).to_contain_text(ANSWERS[CRITERION_REMARK])
        expect(page.locator("#general-remarks")).to_contain_text(ANSWERS[REMARK])
        # The checklist starts from the first round's statuses.
        expect(page.locator("#status_1")).to_have_value("not_met")
        expect(page.locator("#status_2")).to_have_value("remark")
        with page.context.expect_page() as diff_tab:
            page.click("#review-diff", modifiers=["Control"])
        diff = diff_tab.value
        diff.wait_for_load_state()
        expect(diff.locator(".diff-del")).to_contain_text("Срок: 2026 год")
        expect(diff.locator(".diff-add")).to_contain_text("Срок: май 2027 года")
        diff.close()
        for n in (1, 2):
            page.select_option(f"#status_{n}", "met")
            page.fill(f"#criterion_comment_{n}", "")

    curator.review("approve", ACCEPT_NOTE, before_verdict=second_round)
    curator.state("approved")
    expect(curator.page.locator("#versions tbody tr").first).to_contain_text("утверждена")

    # The coordinator's overview shows the new states.
    coordinator = sign_in(COORDINATOR)
    page = coordinator.page
    expect(page).to_have_url(re.compile(r"/overview$"))
    page.select_option("#filter-municipality", label="Сарпинский район")
    page.select_option("#filter-state", "approved")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile(r"state=approved"))
    coordinator.ok()
    row = page.locator(f'#overview tr[data-school-id="{school_id}"]')
    expect(row).to_contain_text("Уманцевская СОШ")
    for doc in (concept, programme):
        badge = row.locator(f'a[data-document-id="{doc.id}"] [data-state]')
        expect(badge).to_have_attribute("data-state", "approved")
        expect(badge).to_have_text(STATE_LABELS["approved"])
    expect(page.locator('#state-counts [data-count="approved"]')).to_have_text("2")
    page.screenshot(path=tmp_path / "overview.png", full_page=True)

    # The history shows every step with actor, time and comment (seen by the coordinator).
    row.locator(f'a[data-document-id="{concept.id}"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(concept.title)
    check_history(
        page,
        [
            ("submit", "submitted", SCHOOL_NAME, 1, ""),
            ("start_review", "curator_review", CURATOR_NAME, 1, ""),
            ("request_revision", "revision_requested", CURATOR_NAME, 1, REMARK),
            ("resubmit", "submitted", SCHOOL_NAME, 2, RESUBMIT_NOTE),
            ("start_review", "curator_review", CURATOR_NAME, 2, ""),
            ("accept", "curator_accepted", CURATOR_NAME, 2, ACCEPT_NOTE),
            ("approve", "approved", CURATOR_NAME, 2, ""),
        ],
        started,
    )
    coordinator.open_document(programme)
    check_history(
        page,
        [
            ("submit", "submitted", SCHOOL_NAME, 1, ""),
            ("start_review", "curator_review", CURATOR_NAME, 1, ""),
            ("accept", "curator_accepted", CURATOR_NAME, 1, ""),
            ("approve", "approved", CURATOR_NAME, 1, ""),
        ],
        started,
    )
    for actor in (school, curator, coordinator):
        actor.ok()


def test_other_region_gets_404_and_logout_ends_the_session(sign_in):
    school = sign_in(SCHOOL)
    school_id, concept, _ = school_documents(school)

    for email in OTHER_REGION:
        stranger = sign_in(email)
        page = stranger.page
        own_url = page.url
        for path in (f"/documents/{concept.id}", f"/schools/{school_id}"):
            response = page.goto(path)
            assert response is not None and response.status == 404, (email, path)
            expect(page.get_by_role("heading", level=1)).to_have_text("Ошибка 404")
            expect(page.locator("main")).to_contain_text("Страница не найдена")
            expect(page.locator("main")).not_to_contain_text(concept.title)
            expect(page.locator("main")).not_to_contain_text("Уманцевская")

        page.goto(own_url)
        expect(page.get_by_role("button", name="Выйти")).to_be_visible()
        old_cookies = stranger.context.cookies()
        stranger.sign_out()
        # Back button, direct URL, and even the old session cookie replayed: all lead to /login.
        page.go_back()
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.get_by_role("button", name="Выйти")).to_have_count(0)
        page.goto(own_url)
        expect(page).to_have_url(re.compile(r"/login\?next="))
        stranger.flash("Войдите, чтобы продолжить.")
        stranger.context.add_cookies(old_cookies)
        page.goto(own_url)
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.locator("#login-submit")).to_be_visible()
        expect(page.get_by_role("button", name="Выйти")).to_have_count(0)
        stranger.ok()
