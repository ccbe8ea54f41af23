"""Per-request constants read once: the user with memberships and unread count, the open
campaign (cached per process, dropped on change), the overview's scope counts (same)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

from flask import g
from sqlalchemy import event, update

from tests.support import login
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    bring_to_review,
    documents_of,
    fire,
    upload,
    user,
)
from webapp.auth.services import UNREAD_KEY, load_session_user
from webapp.campaigns.models import Campaign, Stage
from webapp.campaigns.services import current_campaign
from webapp.extensions import db
from webapp.notifications.models import Notification

ADMIN = "admin@ekspertiza.local"


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_user_memberships_and_unread_count_come_in_one_statement(app, demo):
    curator = user(CURATOR)
    db.session.add(Notification(user_id=curator.id, subject="s", body="b"))
    db.session.add(Notification(user_id=curator.id, subject="s", body="b"))
    db.session.commit()
    session_id = curator.get_id()
    db.session.expunge_all()
    with app.test_request_context("/"), statements() as seen:
        from flask import request

        loaded = load_session_user(session_id)
        assert {m.role for m in loaded.memberships} == {"curator"}
        assert request.environ[UNREAD_KEY] == 2
    assert len(seen) == 1


def test_a_revoked_session_is_still_refused(app, demo):
    curator = user(CURATOR)
    stale = f"{curator.id}:{curator.session_version - 1}"
    with app.test_request_context("/"):
        assert load_session_user(stale) is None
        assert load_session_user(f"{curator.id + 10_000}:1") is None


def test_unread_badge_follows_new_notifications(app, demo, client):
    login(client, CURATOR)
    html = client.get("/queue").get_data(as_text=True)
    before = int(m.group(1)) if (m := re.search(r'id="unread-count">(\d+)<', html)) else 0
    db.session.add(Notification(user_id=user(CURATOR).id, subject="s", body="b"))
    db.session.commit()
    other = app.test_client()  # a new request context, as the next page would be
    login(other, CURATOR)
    html = other.get("/queue").get_data(as_text=True)
    assert re.search(r'id="unread-count">(\d+)<', html).group(1) == str(before + 1)


def test_open_campaign_is_read_once_then_served_from_the_cache(app, demo):
    first = current_campaign()
    db.session.expunge_all()
    with statements() as seen:
        again = current_campaign()
        stages = {s.code for s in again.stages}
        settings = len(again.settings)
    assert again.id == first.id and "documents" in stages and settings > 0
    assert not [s for s in seen if "campaign" in s or "stages" in s]


def test_stage_change_through_the_orm_is_seen_at_once(app, demo):
    stage = next(s for s in current_campaign().stages if s.code == "documents")
    stage.ends_on = date(2001, 1, 31)
    db.session.commit()
    db.session.expunge_all()
    refreshed = current_campaign()
    assert next(s for s in refreshed.stages if s.code == "documents").ends_on == date(2001, 1, 31)


def test_bulk_update_of_stages_is_seen_at_once(app, demo):
    current_campaign()
    db.session.execute(
        update(Stage).where(Stage.code == "documents").values(ends_on=date(2002, 2, 2))
    )
    db.session.commit()
    db.session.expunge_all()
    refreshed = current_campaign()
    assert next(s for s in refreshed.stages if s.code == "documents").ends_on == date(2002, 2, 2)


def test_closing_the_campaign_is_seen_at_once(app, demo):
    campaign = current_campaign()
    db.session.get(Campaign, campaign.id).is_open = False
    db.session.commit()
    db.session.expunge_all()
    assert current_campaign() is None


def test_a_change_in_another_process_is_seen_after_the_time_to_live(app, demo):
    app.config["CAMPAIGN_CACHE_SECONDS"] = 3600
    current_campaign()
    with db.engine.begin() as conn:  # another process: no ORM event here
        conn.execute(
            update(Stage).where(Stage.code == "documents").values(ends_on=date(2003, 3, 3))
        )
    db.session.expunge_all()
    stale = next(s for s in current_campaign().stages if s.code == "documents")
    assert stale.ends_on != date(2003, 3, 3)  # cached: the documented lag
    app.config["CAMPAIGN_CACHE_SECONDS"] = 0
    db.session.expunge_all()
    fresh = next(s for s in current_campaign().stages if s.code == "documents")
    assert fresh.ends_on == date(2003, 3, 3)


def test_overview_counts_follow_a_transition_made_in_this_process(app, demo, client):
    login(client, ADMIN)

    def submitted() -> int:
        html = client.get("/overview").get_data(as_text=True)
        match = re.search(r'data-count="curator_review">(\d+)<', html)
        return int(match.group(1)) if match else 0

    before = submitted()
    bring_to_review(documents_of("08-UMC")[0])
    assert submitted() == before + 1


def test_overview_pages_partition_the_scope(app, demo, client, monkeypatch):
    from webapp.overview import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    login(client, ADMIN)
    seen: list[str] = []
    first = client.get("/overview").get_data(as_text=True)
    pages = max(int(p) for p in re.findall(r"[?&]page=(\d+)", first))
    for page in range(1, pages + 1):
        html = client.get(f"/overview?page={page}").get_data(as_text=True)
        ids = re.findall(r'data-school-id="(\d+)"', html)
        assert 1 <= len(ids) <= 2
        seen += ids
    assert len(seen) == len(set(seen)) == int(re.search(r"школ: (\d+)", first).group(1))
    monkeypatch.undo()
    assert queries.PAGE_SIZE == 50


def test_document_page_finds_its_campaign_in_the_cache(app, demo, client):
    document = documents_of("08-UMC")[0]
    bring_to_review(document)
    login(client, CURATOR)
    assert client.get(f"/documents/{document.id}").status_code == 200  # fills the cache
    db.session.remove()  # a new request's session, as in production
    with statements() as seen:
        page = client.get(f"/documents/{document.id}")
    assert page.status_code == 200
    assert not [s for s in seen if "FROM campaigns" in s or "FROM stages" in s], seen


def test_a_transaction_sees_its_own_uncommitted_campaign_change(app, demo):
    campaign = current_campaign()
    stage = next(s for s in campaign.stages if s.code == "documents")
    stage.ends_on = date(2004, 4, 4)
    db.session.flush()  # not committed: the cache's own session could not see it
    db.session.expunge_all()
    seen = next(s for s in current_campaign().stages if s.code == "documents")
    assert seen.ends_on == date(2004, 4, 4)
    db.session.rollback()
    db.session.expunge_all()
    again = next(s for s in current_campaign().stages if s.code == "documents")
    assert again.ends_on != date(2004, 4, 4)


def test_the_viewers_zone_is_read_once_then_served_from_the_cache(app, demo, client):
    """The zone shown with every time (the user's choice, else their organisation's region) is
    kept per process; the document page then reads neither the zone nor the school's zone."""
    login(client, CURATOR)
    document = bring_to_review(documents_of("08-UMC")[0])
    url = f"/documents/{document.id}"
    assert client.get(url).status_code == 200
    g.pop("viewer_zone", None)  # the tests share one ``g``: the next request starts without it
    with statements() as seen:
        page = client.get(url).get_data(as_text=True)
    assert "(Москва, UTC+3)" in page
    assert not [s for s in seen if s.startswith("SELECT regions.time_zone")]
    assert not [s for s in seen if "FROM curator_schools" in s and "LIMIT" in s]


def test_a_changed_zone_of_the_viewer_shows_on_the_next_page(app, demo, client):
    login(client, CURATOR)
    document = bring_to_review(documents_of("08-UMC")[0])
    url = f"/documents/{document.id}"
    assert "(Москва, UTC+3)" in client.get(url).get_data(as_text=True)
    curator = user(CURATOR)
    curator.time_zone = "Asia/Kamchatka"  # the settings page does the same through the ORM
    db.session.commit()
    # The tests share one app context, hence one ``g``: start the next request afresh, as a
    # served request does (its user and its per-request zone are its own).
    g.pop("viewer_zone", None)
    g.pop("_login_user", None)
    assert "(Камчатка, UTC+12)" in client.get(url).get_data(as_text=True)


def test_document_page_reads_no_checklist_or_remarks_facts_outside_their_states(app, demo, client):
    """``checklist_complete`` is read only in ``curator_review``, ``remarks_open`` only in
    ``revision_requested``: a submitted document's page asks for neither."""
    document = documents_of("08-UMC")[0]
    upload(document, SCHOOL)
    fire(document, "submit", SCHOOL)
    login(client, CURATOR)
    url = f"/documents/{document.id}"
    client.get(url)
    with statements() as seen:
        html = client.get(url).get_data(as_text=True)
    assert 'id="action-start_review"' in html
    assert not [s for s in seen if "reviews.finished_at IS NULL" in s]
    assert not [s for s in seen if "remarks.addressed_in_version IS NULL" in s]
