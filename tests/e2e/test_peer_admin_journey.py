"""The whole mutual expertise in Chromium, from the admin's pairing to the approved document.

The live server runs on PostgreSQL with job and notification dispatch on; a real Celery worker
over Redis (the integration fixtures: same database, this run's private queue) runs the pairing
job and the deadline scan. Time moves forward by putting an assignment's deadline in the past.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update
from werkzeug.serving import make_server

from tests import pg_admin as pg
from tests.conftest import app_config
from tests.e2e.conftest import DEMO_PASSWORD
from tests.e2e.test_document_journey import Actor, parse_shown
from tests.e2e.test_peer_journey import peer_history
from tests.integration.conftest import (  # noqa: F401 (fixtures)
    broker_url,
    celery_config,
    producer,
    smtp_server,
    wait_for,
    worker,
)
from webapp import create_app
from webapp.auth.models import User
from webapp.campaigns.models import DocumentType
from webapp.demo import peer
from webapp.documents.models import Document
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Region, School

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ADMIN = "admin@ekspertiza.local"
SYSTEM = "Система"
DECLINE_REASON = "В нашей школе нет специалиста по этому профилю."
CRITERION_REMARK = "Цели сформулированы, но без целевых значений."
CONCLUSION = "Концепция выполнима; целям раздела 1 нужны целевые значения."
JOB_TIMEOUT_S = 120.0


@dataclass
class Live:
    base_url: str
    app: object


@pytest.fixture(scope="module")
def live(pg_url, broker_url, worker, tmp_path_factory) -> Iterator[Live]:  # noqa: F811
    """The demo with its peer stage (no pairing yet) on PostgreSQL, served with dispatch on."""
    from webapp.demo.services import load_demo

    pg.truncate_all(pg_url)
    folder = tmp_path_factory.mktemp("e2e-peer-admin")
    config = app_config(
        pg_url,
        folder / "uploads",
        WTF_CSRF_ENABLED=True,
        JOBS_DISPATCH=True,
        NOTIFICATIONS_DISPATCH=True,
        **celery_config(broker_url),
    )
    app = create_app(config)
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        peer.enable(DEMO_PASSWORD)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-peer-admin", daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def sign_in(browser, live):
    actors: list[Actor] = []

    def make(email: str) -> Actor:
        actors.append(Actor(browser, live.base_url, email))
        return actors[-1]

    yield make
    for actor in actors:
        actor.close()


# -- reading the database beside the browser --------------------------------------------------


@dataclass
class Opened:
    """One open concept assignment after the confirm, with what the test needs about it."""

    id: int
    document_id: int
    title: str
    reviewer_email: str
    reviewer_name: str
    reviewed_name: str
    reviewed_short: str
    reviewed_region: str
    reviewed_email: str
    curator_email: str
    curator_name: str


def school_email(code: str) -> str:
    return f"school.{code.lower()}@ekspertiza.local"


def user_name(email: str) -> str:
    return db.session.scalar(select(User.full_name).where(User.email == email))


def opened_concept_assignments() -> list[Opened]:
    concept = select(DocumentType.id).where(DocumentType.code == "concept").scalar_subquery()
    stmt = (
        select(PeerAssignment)
        .join(Document, Document.id == PeerAssignment.document_id)
        .where(Document.document_type_id == concept, PeerAssignment.due_at.is_not(None))
        .order_by(PeerAssignment.id)
    )
    found = []
    for a in db.session.scalars(stmt):
        reviewer = db.session.get(School, a.reviewer_school_id)
        reviewed = db.session.get(School, a.reviewed_school_id)
        curator = db.session.scalar(
            select(User)
            .join(CuratorSchool, CuratorSchool.curator_id == User.id)
            .where(CuratorSchool.school_id == reviewed.id)
        )
        region = db.session.get(Region, reviewed.municipality.region_id)
        found.append(
            Opened(
                id=a.id,
                document_id=a.document_id,
                title=a.document.title,
                reviewer_email=school_email(reviewer.code),
                reviewer_name=user_name(school_email(reviewer.code)),
                reviewed_name=reviewed.name,
                reviewed_short=reviewed.short_name,
                reviewed_region=region.name,
                reviewed_email=school_email(reviewed.code),
                curator_email=curator.email,
                curator_name=curator.full_name,
            )
        )
    return found


def replacement_of(assignment_id: int) -> tuple[int, str] | None:
    new = db.session.scalar(
        select(PeerAssignment).where(PeerAssignment.replaces_id == assignment_id)
    )
    if new is None:
        return None
    return new.id, school_email(db.session.get(School, new.reviewer_school_id).code)


def state_of(assignment_id: int) -> str:
    return db.session.scalar(
        select(PeerAssignment._state).where(PeerAssignment.id == assignment_id)
    )


def in_db(app, fn, *args):
    """Run ``fn`` in a fresh session of the live app (never a stale snapshot)."""
    with app.app_context():
        try:
            return fn(*args)
        finally:
            db.session.remove()


# -- the browser steps ---------------------------------------------------------------------------


def watch_job(actor: Actor) -> list[int]:
    """Reload the job page until it is finished; returns the percentages seen, in order."""
    page = actor.page
    job_url = page.url
    seen: list[int] = []
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        label = page.locator("#job-progress-label").inner_text()
        percent = int(re.fullmatch(r"Выполнено: (\d+) %", label.strip()).group(1))
        if not seen or seen[-1] != percent:
            seen.append(percent)
        state = page.locator("#job-progress").get_attribute("data-state")
        if state in ("succeeded", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline, f"the job is still {state} at {percent} %"
        time.sleep(0.2)
        page.goto(job_url)
        actor.ok()
    assert state == "succeeded", page.locator("#job-progress").inner_text()
    return seen


def open_assignment(actor: Actor, assignment_id: int, title: str, group: str = "waiting"):
    page = actor.page
    page.locator("#nav-peer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Взаимоэкспертиза")
    row = page.locator(f'#peer-{group} tr[data-assignment-id="{assignment_id}"]')
    row.get_by_role("link", name="Открыть").click()
    expect(page).to_have_url(re.compile(rf"/peer/assignments/{assignment_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    actor.ok()


def check_notified(actor: Actor, assignment_id: int, title: str) -> None:
    """The school's notifications page links to its new assignment."""
    page = actor.page
    page.get_by_role("link", name=re.compile("^Уведомления")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Уведомления")
    link = page.locator(f'#notifications a[href="/peer/assignments/{assignment_id}"]')
    expect(link).to_have_count(1)
    expect(link).to_have_text(f"Назначение на взаимоэкспертизу: {title}")
    actor.ok()


def check_replacement_waits(actor: Actor, assignment_id: int, reviewed_short: str) -> None:
    page = actor.page
    page.locator("#nav-peer").click()
    row = page.locator(f'#peer-waiting tr[data-assignment-id="{assignment_id}"]')
    expect(row).to_contain_text(reviewed_short)
    expect(row).to_contain_text("замена")
    actor.ok()


def check_times(times: list[str], started: datetime) -> None:
    previous = started.replace(second=0, microsecond=0)
    latest = datetime.now(UTC) + timedelta(minutes=1)
    for text in times:
        at = parse_shown(text)
        assert previous <= at <= latest, (text, started)
        previous = at


def test_admin_pairs_schools_and_the_expertise_runs_to_approval(
    sign_in,
    live,
    producer,  # noqa: F811
    worker,  # noqa: F811
    record_property,
):
    started = datetime.now(UTC)

    # 1. The admin starts a pairing (k = 1, no reciprocal pairs) and watches its job.
    admin = sign_in(ADMIN)
    page = admin.page
    page.goto("/admin/peer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Взаимоэкспертиза: настройки этапа")
    page.click("#to-pairings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Распределения взаимоэкспертизы")
    page.fill("#k", "1")
    page.check("#no_reciprocal")
    page.click("#pairing-start-submit")
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    admin.flash("запущено.")
    seen = watch_job(admin)
    intermediate = [p for p in seen if 0 < p < 100]
    record_property("job_progress_seen", seen)
    print(f"job progress seen: {seen}; intermediate: {bool(intermediate)}")
    assert seen[-1] == 100 and seen == sorted(seen), seen
    expect(page.locator("#job-state")).to_have_text("Готово")
    expect(page.locator("#job-bar")).to_have_attribute("value", "100")
    expect(page.locator("#job-progress-label")).to_have_text("Выполнено: 100 %")
    pairs_in_result = int(page.locator("#result-pairs").inner_text())
    unpaired_in_result = int(page.locator("#result-unpaired").inner_text())
    assert pairs_in_result > 0
    assert "jobs.pair_schools" in worker.log()

    # The preview: pairs with both regions, the bound, the schools left without a pair.
    page.click("#to-pairing")
    expect(page).to_have_url(re.compile(r"/admin/peer/pairings/\d+$"))
    expect(page.locator("#pairing-job")).to_contain_text("Готово, 100 %")
    expect(page.locator("#summary-pairs")).to_have_text(str(pairs_in_result))
    expect(page.locator("#summary-bound")).to_have_text(re.compile(r"^\d\.\d{4} / \d\.\d{4}"))
    rows = page.locator("#pairs tbody tr")
    expect(rows).to_have_count(pairs_in_result)
    for row in rows.all():
        cells = row.locator("td").all_inner_texts()
        reviewed_region, reviewer_region = cells[2].strip(), cells[4].strip()
        assert re.fullmatch(r"\d\d", reviewed_region) and re.fullmatch(r"\d\d", reviewer_region)
        assert reviewed_region != reviewer_region, cells
    unpaired = page.locator("#unpaired tbody tr")
    expect(unpaired).to_have_count(unpaired_in_result)
    for row in unpaired.all():
        assert row.locator("td").nth(2).inner_text().strip(), "an unpaired school without reason"
    page.click("#confirm-submit")
    admin.flash("Распределение подтверждено: создано назначений")
    expect(page.locator("#pairing-confirmed")).to_be_visible()
    expect(page.locator("#confirm-submit")).to_have_count(0)

    opened = in_db(live.app, opened_concept_assignments)
    # The advanced schools' concepts entered the peer stage: one open assignment for each.
    assert len(opened) >= 3 and len({o.reviewed_email for o in opened}) == len(opened), opened
    done, declined, expiring = opened[0], opened[1], opened[2]

    # 2. A reviewing school accepts, reads the concept, fills the peer checklist and submits.
    reviewer = sign_in(done.reviewer_email)
    page = reviewer.page
    open_assignment(reviewer, done.id, done.title)
    expect(page.locator("#reviewed-school")).to_contain_text(done.reviewed_name)
    page.click("#trigger-accept")
    reviewer.flash("Готово: Принять назначение.")
    expect(page.locator("#assignment-state [data-state]")).to_have_attribute(
        "data-state", "accepted"
    )
    page.click("#read-document")
    expect(page).to_have_url(re.compile(rf"/documents/{done.document_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(done.title)
    expect(page.locator("#peer-view-school")).to_contain_text(done.reviewed_region)
    expect(page.locator("#peer-download")).to_be_visible()
    expect(page.locator("#history")).to_have_count(0)
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/peer/assignments/{done.id}$"))
    count = page.locator("#peer-checklist select[id^='status_']").count()
    assert count >= 2, f"the peer checklist has {count} criteria"
    page.select_option("#status_1", "remark")
    page.fill("#criterion_comment_1", CRITERION_REMARK)
    for n in range(2, count + 1):
        page.select_option(f"#status_{n}", "met")
    page.fill("#conclusion", CONCLUSION)
    page.click("#submit-conclusion")
    reviewer.flash("Заключение отправлено.")
    expect(page.locator("#frozen-conclusion")).to_contain_text(CONCLUSION)
    history = peer_history(page)
    assert [(r["event"], r["actor"]) for r in history] == [
        ("accept", done.reviewer_name),
        ("submit", done.reviewer_name),
    ]
    check_times([r["at"] for r in history], started)

    # 3. Another reviewing school declines with a reason; the replacement is named and told.
    decliner = sign_in(declined.reviewer_email)
    page = decliner.page
    open_assignment(decliner, declined.id, declined.title)
    page.fill("#actions textarea#comment", DECLINE_REASON)
    page.click("#trigger-decline")
    decliner.flash("Готово: Отказаться.")
    history = peer_history(page)
    assert [(r["event"], r["actor"], r["comment"]) for r in history] == [
        ("decline", declined.reviewer_name, DECLINE_REASON)
    ]
    check_times([r["at"] for r in history], started)
    replaced = in_db(live.app, replacement_of, declined.id)
    assert replaced is not None, "no replacement after the decline"
    new_id, new_email = replaced
    assert new_email != declined.reviewer_email
    substitute = sign_in(new_email)
    check_notified(substitute, new_id, declined.title)
    check_replacement_waits(substitute, new_id, declined.reviewed_short)

    # 4. Time moves forward past an accept deadline; the worker's deadline scan expires it.
    def backdate():
        past = datetime.now(UTC) - timedelta(days=1)
        db.session.execute(
            update(PeerAssignment).where(PeerAssignment.id == expiring.id).values(due_at=past)
        )
        db.session.commit()

    in_db(live.app, backdate)
    producer.send_task("expertise.scan_deadlines")
    wait_for(
        lambda: in_db(live.app, replacement_of, expiring.id),
        60.0,
        f"the expiry of assignment {expiring.id} and its replacement",
    )
    assert in_db(live.app, state_of, expiring.id) == "expired", worker.log()[-3000:]
    late_id, late_email = in_db(live.app, replacement_of, expiring.id)
    late = sign_in(expiring.reviewer_email)
    open_assignment(late, expiring.id, expiring.title, group="finished")
    expect(late.page.locator("#assignment-state [data-state]")).to_have_attribute(
        "data-state", "expired"
    )
    history = peer_history(late.page)
    assert [(r["event"], r["actor"]) for r in history] == [("expire", SYSTEM)]
    late_substitute = sign_in(late_email)
    check_notified(late_substitute, late_id, expiring.title)
    check_replacement_waits(late_substitute, late_id, expiring.reviewed_short)

    # 5. The reviewed school's curator sees the conclusion (k = 1: the stage is over), approves.
    curator = sign_in(done.curator_email)
    page = curator.page
    page.goto(f"/documents/{done.document_id}")
    badge = page.locator("#document-state [data-state]")
    expect(badge).to_have_attribute("data-state", "peer_reviewed")
    expect(badge).to_have_text("Взаимоэкспертиза завершена")
    expect(page.locator("#peer-stage")).to_contain_text(CONCLUSION)
    curator.fire("approve", "approved")

    # 6. The reviewed school sees the conclusion; the history has every step, actor and time.
    school = sign_in(done.reviewed_email)
    page = school.page
    page.goto(f"/documents/{done.document_id}")
    school.state("approved")
    expect(page.locator("#peer-stage")).to_contain_text(CONCLUSION)
    expect(page.locator("#peer-stage")).to_contain_text(CRITERION_REMARK)
    rows = page.locator("#history tbody tr[data-event]").all()
    steps = [
        (row.get_attribute("data-event"), row.locator("td").nth(1).inner_text().strip())
        for row in rows
    ]
    times = [row.locator("td").first.inner_text() for row in rows]
    assert all(actor for _, actor in steps) and all(times), steps
    assert steps[-3:] == [
        ("start_peer_review", SYSTEM),
        ("finish_peer_review", SYSTEM),
        ("approve", done.curator_name),
    ], steps
    check_times(times[-3:], started)
    for actor in (admin, reviewer, decliner, substitute, late, late_substitute, curator, school):
        actor.ok()
