"""Reach: every screen in every role passes axe-core, fits a 390 px phone and stays light.

One row of ``SCREENS`` per screen and role. For each row, in a fresh (cold-cache) Chromium
context signed in as that role:

(a) axe-core (vendored in ``tests/vendor/axe.min.js``) finds 0 violations of any impact with the
    WCAG 2.0/2.1 A and AA rules plus best practices, on a desktop and on a phone viewport;
(b) at 390 px ``document.documentElement.scrollWidth <= 390`` (tables scroll inside themselves);
(c) the bytes on the wire (CDP ``Network.loadingFinished.encodedDataLength``: headers and
    compressed bodies of every resource) are under 150 KB on the first load and under 10 KB on
    the next page with a warm cache.

To add a screen: add a ``Screen(name, ROLE, path)`` row; ``path`` may name a ``World`` field in
braces (``"/documents/{review_id}"``). If the screen needs data, add it to ``world``.
``REACH_REPORT=/path.json`` writes the measured figures (docs/reach.md quotes them);
``REACH_SHOTS=/folder`` keeps a desktop and a 390 px screenshot of every screen.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import make_server

from tests.conftest import app_config
from tests.e2e.conftest import DEMO_PASSWORD
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIRST_LOAD_BUDGET = 150 * 1024
NEXT_PAGE_BUDGET = 10 * 1024
TIMEOUT_MS = 15_000

ANONYMOUS = None
SCHOOL = "school.08-umc@ekspertiza.local"
SECOND_SCHOOL = "school.08-sol@ekspertiza.local"  # also curator1's
CURATOR = "curator1@ekspertiza.local"
COORDINATOR = "coord.08@ekspertiza.local"
MUNICIPAL = "mun.zalari@ekspertiza.local"
ADMIN = "admin@ekspertiza.local"
REVIEWER = "school.56-d01@ekspertiza.local"  # a school that reviews 08-UMC's concept
REGIONAL_38 = "coord.38@ekspertiza.local"  # the region of the cross-check world
EXPERT = "expert.38-troi@test"  # a teacher with a first check of that cross-check


@dataclass(frozen=True)
class Screen:
    name: str
    role: str | None
    path: str


SCREENS = [
    Screen("login", ANONYMOUS, "/login"),
    Screen("school cabinet", SCHOOL, "/cabinet"),
    Screen("school page", SCHOOL, "/schools/{school_id}"),
    Screen("document page (draft, upload form)", SCHOOL, "/documents/{draft_id}"),
    Screen("document page (accepted, peer stage)", SCHOOL, "/documents/{concept_id}"),
    Screen("notifications", SCHOOL, "/notifications"),
    Screen("peer cabinet", REVIEWER, "/peer"),
    Screen("peer assignment (checklist)", REVIEWER, "/peer/assignments/{concept_assignment}"),
    Screen("peer reading view", REVIEWER, "/documents/{concept_id}"),
    Screen("curator queue", CURATOR, "/queue"),
    Screen("document page (curator)", CURATOR, "/documents/{submitted_id}"),
    Screen("review screen", CURATOR, "/documents/{review_id}/review"),
    Screen("document page (peer stage, curator)", CURATOR, "/documents/{concept_id}"),
    Screen("notifications (curator)", CURATOR, "/notifications"),
    Screen("coordinator overview", COORDINATOR, "/overview"),
    Screen("coordinator overview (filtered)", COORDINATOR, "/overview?state=submitted"),
    Screen("school page (coordinator)", COORDINATOR, "/schools/{school_id}"),
    Screen("document page (coordinator)", COORDINATOR, "/documents/{review_id}"),
    Screen("peer overview (coordinator)", COORDINATOR, "/peer/overview"),
    Screen("peer assignment (coordinator)", COORDINATOR, "/peer/assignments/{concept_assignment}"),
    Screen("municipal overview", MUNICIPAL, "/overview"),
    Screen("admin overview", ADMIN, "/overview"),
    Screen("peer overview (admin)", ADMIN, "/peer/overview"),
    Screen("peer stage settings", ADMIN, "/admin/peer"),
    Screen("pairings", ADMIN, "/admin/peer/pairings"),
    Screen("pairing preview", ADMIN, "/admin/peer/pairings/{pairing_id}"),
    Screen("start pairing job", ADMIN, "/admin/jobs/pairing"),
    Screen("job page", ADMIN, "/jobs/{job_id}"),
    Screen("job page (queued, refreshes itself)", ADMIN, "/jobs/{queued_job_id}"),
    Screen("pairing waiting for its job", ADMIN, "/admin/peer/pairings/{waiting_pairing_id}"),
    Screen("checklists admin", ADMIN, "/admin/checklists"),
    Screen("risks admin", ADMIN, "/admin/risks"),
    Screen("not found", SCHOOL, "/documents/999999"),
    # Set-up, follow-up, risks, password (issue 10)
    Screen("forgot password", ANONYMOUS, "/password/forgot"),
    Screen("set-up home", ADMIN, "/setup/"),
    Screen("users", ADMIN, "/setup/users"),
    Screen("users (coordinator)", COORDINATOR, "/setup/users"),
    Screen("organisations import", ADMIN, "/setup/orgs"),
    Screen("curators of schools", COORDINATOR, "/setup/curators"),
    Screen("campaign calendar", ADMIN, "/setup/campaign"),
    Screen("follow-up", COORDINATOR, "/overview/followup"),
    Screen("risk choice", SCHOOL, "/schools/{school_id}/risks"),
    # Cross-checks of ВПР (issue 9)
    Screen("cross-check campaigns", MUNICIPAL, "/crosschecks"),
    Screen("new cross-check", MUNICIPAL, "/crosschecks/new"),
    Screen("school's experts", SCHOOL, "/crosschecks/school"),
    Screen("objectivity (school)", SCHOOL, "/crosschecks/objectivity"),
    Screen("objectivity (coordinator)", COORDINATOR, "/crosschecks/objectivity"),
    # Monitoring, the curator's diary, roadmaps (issue 11)
    Screen("measures (school)", SCHOOL, "/monitoring/"),
    Screen("evidence queue (curator)", CURATOR, "/monitoring/queue"),
    Screen("school's measures (curator)", CURATOR, "/monitoring/schools/{school_id}"),
    Screen("diary (curator)", CURATOR, "/diary"),
    Screen("school's diary (curator)", CURATOR, "/schools/{school_id}/diary"),
    Screen("diary (coordinator)", COORDINATOR, "/diary"),
    Screen("roadmaps (municipal)", MUNICIPAL, "/roadmaps"),
    Screen("roadmaps (school)", SCHOOL, "/roadmaps"),
    Screen("Zalari roadmap and its change log", MUNICIPAL, "/roadmaps/{roadmap_id}"),
    Screen("measure page (school)", SCHOOL, "/monitoring/measures/{measure_id}"),
    Screen("measure page (curator)", CURATOR, "/monitoring/measures/{measure_id}"),
    Screen("diary entry", CURATOR, "/diary/{entry_id}"),
    # Screens of the other changes of this stop
    Screen("version diff", SCHOOL, "/documents/{diff_id}/diff?a=1&b=2"),
    Screen("document page (two versions)", SCHOOL, "/documents/{diff_id}"),
    Screen("notification settings", SCHOOL, "/notifications/settings"),
    Screen("cross-check campaign", REGIONAL_38, "/crosschecks/{crosscheck_id}"),
    Screen("cross-check result", REGIONAL_38, "/crosschecks/{crosscheck_id}/result"),
    Screen("objectivity (campaign)", REGIONAL_38, "/crosschecks/{crosscheck_id}/objectivity"),
    # the municipality's level of the same report while its job is queued (progress, no report)
    Screen("objectivity (computing)", MUNICIPAL, "/crosschecks/{crosscheck_id}/objectivity"),
    Screen("cross-check season", ADMIN, "/crosschecks/season"),
    Screen("expert's works", EXPERT, "/expert"),
    Screen("score sheet", EXPERT, "/expert/sheets/{sheet_id}"),
    # The year's reports (issue 11 §5)
    Screen("reports (coordinator)", COORDINATOR, "/reports"),
    Screen("reports (school)", SCHOOL, "/reports"),
    Screen("report template (admin)", ADMIN, "/reports/template"),
    Screen("report job with its file", COORDINATOR, "/jobs/{report_job_id}"),
    # Dashboards (issue 11 §4)
    Screen("dashboard (school)", SCHOOL, "/dashboard/schools/{school_id}"),
    Screen("dashboard (peer reviewer school)", REVIEWER, "/dashboard"),
    Screen("dashboard (curator)", CURATOR, "/dashboard/curator"),
    Screen("dashboard (regional coordinator)", COORDINATOR, "/dashboard/territory"),
    Screen("dashboard (regional, cross-check)", REGIONAL_38, "/dashboard/territory"),
    Screen("dashboard (municipal coordinator)", MUNICIPAL, "/dashboard/territory"),
    Screen("dashboard (admin)", ADMIN, "/dashboard/territory"),
]


@dataclass
class World:
    base_url: str
    school_id: int
    draft_id: int
    submitted_id: int
    review_id: int
    keyboard_id: int
    concept_id: int
    concept_assignment: int
    pairing_id: int
    job_id: int
    queued_job_id: int
    waiting_pairing_id: int
    roadmap_id: int
    measure_id: int
    entry_id: int
    diff_id: int
    crosscheck_id: int
    sheet_id: int
    report_job_id: int


@pytest.fixture(scope="module")
def world(sqlite_template, tmp_path_factory) -> Iterator[World]:
    """The demo with documents in every curator state, an accepted peer assignment, a job."""
    from tests.webapp import helpers as h
    from tests.webapp.expertise import peer_support as ps
    from webapp.demo.services import load_demo
    from webapp.expertise.pairing import start_pairing
    from webapp.jobs import services as jobs

    folder = tmp_path_factory.mktemp("e2e-reach")
    database = folder / "e2e.db"
    shutil.copyfile(sqlite_template, database)
    # The cross-check world has 6 works: its campaign and municipality levels of the objectivity
    # report take the job path (stored report / report being computed), a school's stays inline.
    app = create_app(
        app_config(
            f"sqlite:///{database}",
            folder / "uploads",
            WTF_CSRF_ENABLED=True,
            CROSSCHECK_REPORT_INLINE_WORKS=5,
        )
    )
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        ps.enable_peer_stage()
        concept = ps.accept_concept()
        # A pairing whose job has not run yet (started before the confirmed one below).
        waiting = start_pairing(concept.campaign_id, 1, True, actor=h.user(ADMIN))
        db.session.commit()
        pairs = [(ps.REVIEWER, ps.REVIEWED)]
        pairing = ps.make_pairing(pairs)
        created = ps.confirm(pairing, pairs)
        assignment = next(a for a in created if a.document_id == concept.id)
        ps.act(assignment.id, "accept", ps.REVIEWER_USER)
        paired = {a.document_id for a in created}
        others = [
            d for d in h.documents_of(ps.REVIEWED) if d.state == "draft" and d.id not in paired
        ]
        review, submitted, draft = others[:3]
        h.bring_to_review(review)
        h.upload(submitted, h.SCHOOL)
        h.fire(submitted, "submit", h.SCHOOL)
        # Another school of the same curator: the document of the keyboard-only journey.
        keyboard = h.documents_of("08-SOL")[0]
        h.upload(keyboard, SECOND_SCHOOL)
        h.fire(keyboard, "submit", SECOND_SCHOOL)
        admin = h.user(ADMIN)
        job = jobs.create_job("expertise.pair", {"k": 1}, started_by_id=admin.id)
        db.session.commit()
        jobs.start(job.id)
        jobs.succeed(job.id, {"schools": 2, "pairs": [[1, 2]], "unpaired": [], "bound": None})
        db.session.commit()
        queued = jobs.create_job("expertise.pair", {"k": 1}, started_by_id=admin.id)
        db.session.commit()
        extra = _issue_screens(h, draft)
        extra["report_job_id"] = _report_job(h)
        ids = {
            "school_id": concept.school_id,
            "draft_id": draft.id,
            "submitted_id": submitted.id,
            "review_id": review.id,
            "keyboard_id": keyboard.id,
            "concept_id": concept.id,
            "concept_assignment": assignment.id,
            "pairing_id": pairing.id,
            "job_id": job.id,
            "queued_job_id": queued.id,
            "waiting_pairing_id": waiting.id,
            **extra,
        }
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-reach-server", daemon=True)
    thread.start()
    try:
        made = World(f"http://127.0.0.1:{server.server_port}", **ids)
        made.app = app  # not a field: the tests that move a job on use it
        yield made
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def _report_job(h) -> int:
    """The coordinator's regional report, built by the job's own work and stored as succeeded."""
    from webapp.jobs import services as jobs
    from webapp.reports import jobs as reports

    job = reports.start_regional(h.user(COORDINATOR), h.documents_of("08-UMC")[0].school.region_id)
    db.session.commit()
    params = dict(jobs.start(job.id).params)
    db.session.commit()
    result = reports.run_regional(job.id, params, lambda stage, fraction: None)
    jobs.succeed(job.id, result)
    db.session.commit()
    return job.id


def _issue_screens(h, diff_document) -> dict[str, int]:
    """Data of the monitoring, diary, roadmap, diff and cross-check screens."""
    import io
    from datetime import date

    from sqlalchemy import select

    from tasks.jobs import run_job
    from tests.webapp.crosscheck import world as xc
    from tests.webapp.documents.test_diff import docx_with
    from webapp.crosscheck import report_jobs
    from webapp.diary import services as diary
    from webapp.documents import services
    from webapp.monitoring import services as monitoring
    from webapp.roadmaps.models import Roadmap

    measure = monitoring.create_measure(
        diff_document.school_id,
        {
            "goal": "Повысить учебную мотивацию",
            "task": "Вовлечь учащихся во внеурочную деятельность",
            "title": "Открыть два кружка",
            "deadline": date(2027, 5, 31),
            "responsible": "Иванова А. П.",
            "indicator": "Доля учащихся в кружках",
            "target_value": 40,
            "unit": "%",
        },
        actor=h.user(SCHOOL),
    )
    entry = diary.add_entry(
        diff_document.school,
        h.user(CURATOR),
        diary.EntryInput(
            held_on=date(2026, 11, 20),
            format="visit",
            participants="Директор",
            topics="Программа антирисковых мер",
            agreements="Доработать раздел о мониторинге",
            follow_up_on=date(2026, 12, 1),
        ),
    )
    db.session.commit()
    for n, text in enumerate(("Срок: 2026 год", "Срок: май 2027 года"), start=1):
        services.add_version(
            diff_document.id,
            io.BytesIO(docx_with("Цель: повысить результаты", text)),
            f"v{n}.docx",
            actor=h.user(SCHOOL),
        )
        db.session.commit()
    built = xc.build()
    sheet = xc.give(built, "38-VER-1", "38-TROI")
    xc.expert_user("38-TROI").set_password(DEMO_PASSWORD)
    db.session.commit()
    # the campaign level's report computed by its job (the municipality's is left to compute)
    report = report_jobs.start_report(built.campaign, {}, h.user(REGIONAL_38))
    db.session.commit()
    assert run_job(report.id, report_jobs.run_report) == "succeeded"
    roadmap = db.session.scalars(select(Roadmap).order_by(Roadmap.id)).first()
    return {
        "roadmap_id": roadmap.id,
        "measure_id": measure.id,
        "entry_id": entry.id,
        "diff_id": diff_document.id,
        "crosscheck_id": built.campaign.id,
        "sheet_id": sheet.id,
    }


@pytest.fixture(scope="module")
def signed_in(browser: Browser, world: World):
    """Storage state (the session cookie) of each role, signed in once through the form."""
    states: dict[str | None, dict] = {ANONYMOUS: {"cookies": [], "origins": []}}

    def state(email: str | None) -> dict:
        if email not in states:
            context = browser.new_context(base_url=world.base_url)
            page = context.new_page()
            page.goto("/login")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("#login-submit")
            page.wait_for_url(lambda url: "/login" not in url)
            states[email] = context.storage_state()
            context.close()
        return states[email]

    return state


@pytest.fixture(scope="module")
def figures() -> Iterator[list[dict]]:
    rows: list[dict] = []
    yield rows
    target = os.environ.get("REACH_REPORT")
    if target:
        Path(target).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


class Wire:
    """Bytes received by one page, from Chromium's network domain (headers + encoded bodies)."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.total = 0
        self.urls: list[str] = []
        self._urls: dict[str, str] = {}
        session = context.new_cdp_session(page)
        session.on("Network.requestWillBeSent", self._request)
        session.on("Network.loadingFinished", self._finished)
        session.send("Network.enable")

    def _request(self, event: dict) -> None:
        self._urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict) -> None:
        size = int(event["encodedDataLength"])
        self.total += size
        if size:
            self.urls.append(f"{self._urls.get(event['requestId'], '?')} {size}")

    def take(self) -> int:
        total, self.total, self.urls = self.total, 0, []
        return total


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => `${v.impact} ${v.id}: ${v.help} -> ` +
                v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | '));
        }""",
        AXE_TAGS,
    )
    return list(result)


def url_of(screen: Screen, world: World) -> str:
    return screen.path.format(**asdict(world))


@pytest.mark.parametrize("screen", SCREENS, ids=[f"{s.name} [{s.role}]" for s in SCREENS])
def test_screen_is_accessible_fits_a_phone_and_is_light(
    browser: Browser, world: World, signed_in, figures, screen: Screen
):
    # A fresh context: empty cache, only the role's session cookie. CSP is bypassed only so
    # that the test can inject axe-core; the page itself is unchanged.
    context = browser.new_context(
        base_url=world.base_url,
        storage_state=signed_in(screen.role),
        viewport=DESKTOP,
        bypass_csp=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        wire = Wire(context, page)
        url = url_of(screen, world)
        response = page.goto(url, wait_until="load")
        expected = 404 if screen.name == "not found" else 200
        assert response.status == expected, f"{url}: {response.status}"
        assert "/login" not in page.url or screen.role is ANONYMOUS, f"{url}: sent to login"
        page.wait_for_timeout(50)  # let the last loadingFinished events arrive
        first_urls = list(wire.urls)
        first = wire.take()

        shots = os.environ.get("REACH_SHOTS")  # a folder: keep what each screen looks like
        problems = [f"desktop: {v}" for v in axe_violations(page)]
        if shots:
            page.screenshot(path=Path(shots) / f"{screen.name} desktop.png", full_page=True)
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        problems += [f"phone: {v}" for v in axe_violations(page)]
        if shots:
            page.screenshot(path=Path(shots) / f"{screen.name} 390.png", full_page=True)

        wire.take()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(50)
        next_urls = list(wire.urls)
        following = wire.take()

        figures.append(
            {"screen": screen.name, "role": screen.role, "url": url, "first": first,
             "next": following, "scroll_width_390": width}
        )  # fmt: skip
        assert problems == [], f"{url}: axe-core violations:\n" + "\n".join(problems)
        assert width <= PHONE["width"], f"{url}: scrolls sideways at 390 px ({width} px wide)"
        assert first < FIRST_LOAD_BUDGET, f"{url}: first load {first} B: {first_urls}"
        assert following < NEXT_PAGE_BUDGET, f"{url}: next page {following} B: {next_urls}"
    finally:
        context.close()


def test_the_menu_collapses_on_a_phone_without_javascript(browser: Browser, world, signed_in):
    """At 390 px the menu is closed behind a labelled control that opens it; no script runs."""
    context = browser.new_context(
        base_url=world.base_url,
        storage_state=signed_in(ADMIN),
        viewport=PHONE,
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        page.goto("/overview")
        assert page.locator("script").count() == 0
        menu_link = page.locator("#menu").get_by_role("link", name="Чек-листы")
        assert not menu_link.is_visible()
        button = page.get_by_text("Меню", exact=True)
        box = button.bounding_box()
        assert box["height"] >= 44, box
        button.click()
        assert menu_link.is_visible()
        link_box = menu_link.bounding_box()
        assert link_box["height"] >= 44, link_box
        # On a desktop the whole menu is visible without opening anything.
        page.set_viewport_size(DESKTOP)
        page.goto("/overview")
        assert page.locator("#menu").get_by_role("link", name="Чек-листы").is_visible()
        assert not page.get_by_text("Меню", exact=True).is_visible()
    finally:
        context.close()


# --- Keyboard only -------------------------------------------------------------------------

FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {id: e.id, tag: e.tagName, text: (e.innerText || e.value || '').trim(),
          href: e.getAttribute('href') || '', value: e.value || '', checked: !!e.checked,
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2}; }"""


def tab_to(page: Page, wanted, limit: int = 120) -> dict:
    """Press Tab until ``wanted(focused)`` holds; every stop must show a focus outline.

    The PDF preview (an iframe) draws its own focus inside the viewer: it is not checked here.
    """
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] not in ("BODY", "HTML", "IFRAME"):
            assert focused["outline"], f"no visible focus on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"not reached with Tab in {limit} presses")


def arrow_down_to(page: Page, wanted: str, limit: int = 5) -> None:
    """Press ArrowDown on the focused select until it holds ``wanted``."""
    seen = []
    for _ in range(limit):
        before = page.evaluate("document.activeElement.value")
        seen.append(before)
        if before == wanted:
            return
        page.keyboard.press("ArrowDown")
        page.wait_for_function("(v) => document.activeElement.value !== v", arg=before)
    focused = page.evaluate(FOCUSED)
    raise AssertionError(f"{wanted!r} not reached with ArrowDown: {seen}, {focused}")


def test_the_curator_journey_with_the_keyboard_only(browser: Browser, world, signed_in):
    """Queue -> document -> take for review -> checklist -> verdict, without a mouse."""
    context = browser.new_context(
        base_url=world.base_url, storage_state=signed_in(CURATOR), viewport=DESKTOP
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/notifications")
        doc = world.keyboard_id

        tab_to(page, lambda f: f["text"] == "Очередь проверки")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/queue")

        tab_to(page, lambda f: f["href"].endswith(f"/documents/{doc}"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(f"/documents/{doc}")
        assert page.locator("#document-state [data-state]").get_attribute("data-state") == (
            "submitted"
        )

        tab_to(page, lambda f: f["id"] == "trigger-start_review")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        tab_to(page, lambda f: f["id"] == "open-review")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(f"/documents/{doc}/review")
        # The PDF preview's viewer takes the focus when it has loaded: wait for it first.
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)

        count = page.locator("#review-form select[id^='status_']").count()
        assert count >= 2, count
        for n in range(1, count + 1):
            tab_to(page, lambda f, n=n: f["id"] == f"status_{n}")
            # "—" -> "Соответствует" -> "Есть замечания": one arrow press at a time
            arrow_down_to(page, "remark" if n == 1 else "met")
            if n == 1:
                tab_to(page, lambda f: f["id"] == "criterion_comment_1")
                page.keyboard.type("Нет сроков.")
        assert page.locator("#status_1").input_value() == "remark"
        assert {page.locator(f"#status_{n}").input_value() for n in range(2, count + 1)} == {"met"}

        # The verdict radios: Tab enters the group, the arrow keys choose, Space confirms.
        tab_to(page, lambda f: f["id"].startswith("verdict-"))
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        focused = page.evaluate(FOCUSED)
        assert (focused["id"], focused["checked"]) == ("verdict-approve_with_remarks", True)
        tab_to(page, lambda f: f["id"] == "comment")
        page.keyboard.type("Добавьте сроки в разделе 3.")
        tab_to(page, lambda f: f["id"] == "submit-verdict")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        alerts = page.locator(".alert").all_inner_texts()
        assert page.url.endswith(f"/documents/{doc}"), alerts
        assert "Документ принят. Уведомление получит: школа." in " ".join(alerts)
        state = page.locator("#document-state [data-state]").get_attribute("data-state")
        assert state == "curator_accepted", state
        assert "Нет сроков." in page.locator("#last-review").inner_text()
    finally:
        context.close()


def test_an_unfinished_job_updates_itself_in_place(browser: Browser, world, signed_in):
    """No <meta refresh>: the script updates the progress where it is, and reloads when done."""
    from webapp.jobs import services as jobs

    context = browser.new_context(base_url=world.base_url, storage_state=signed_in(ADMIN))
    context.set_default_timeout(TIMEOUT_MS)
    app = world.app
    try:
        page = context.new_page()
        page.goto(f"/jobs/{world.queued_job_id}")
        page.evaluate("window.__same_page = true")
        with app.app_context():
            jobs.start(world.queued_job_id)
            db.session.commit()
            jobs.report_progress(world.queued_job_id, 40, "Подбор пар школ")
            db.session.commit()
        page.wait_for_function(
            "() => document.getElementById('job-progress-label').textContent.includes('40')"
        )
        assert page.evaluate("window.__same_page === true")  # updated without a reload
        assert page.locator("#job-bar").get_attribute("value") == "40"
        with app.app_context():
            jobs.succeed(world.queued_job_id, {"schools": 0, "pairs": [], "unpaired": []})
            db.session.commit()
        page.wait_for_function(
            "() => document.getElementById('job-progress').dataset.state === 'succeeded'"
        )
        assert page.locator("script").count() == 0  # finished: reloaded, no poller any more
    finally:
        context.close()
