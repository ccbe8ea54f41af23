"""The curator's queue: own schools only, oldest first, overdue marked."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import CURATOR, SCHOOL, documents_of, fire, upload, user
from webapp.common.time import utcnow
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool


def test_queue_lists_oldest_first_and_marks_overdue(app, demo, client):
    first, second = documents_of("08-UMC")[:2]
    for doc in (first, second):
        upload(doc, SCHOOL)
        fire(doc, "submit", SCHOOL)
    other = documents_of("38-VER")[0]
    upload(other, "school.38-ver@ekspertiza.local")
    fire(other, "submit", "school.38-ver@ekspertiza.local")
    first.due_at = utcnow() - timedelta(days=1)
    first.submitted_at = utcnow() - timedelta(days=12)
    db.session.commit()
    login(client, CURATOR)
    html = client.get("/queue").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'<tr data-document-id="(\d+)"', html)]
    assert ids == [first.id, second.id]
    assert html.count("просрочен") == 1 and "table-danger" in html


def _queue_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-document-id="(\d+)"', html)]


def test_queue_pages_show_every_waiting_document_once_in_order(app, demo, client):
    """Paged (QUEUE_PAGE_SIZE a page): walking the «next» links gives the whole queue, oldest
    first, each document once; the curator's schools are listed on every page."""
    app.config["QUEUE_PAGE_SIZE"] = 2
    documents = documents_of("08-UMC")[:5]
    started = utcnow() - timedelta(days=20)
    for doc in documents:
        upload(doc, SCHOOL)
        fire(doc, "submit", SCHOOL)
    for n, doc in enumerate(reversed(documents)):  # the last one was submitted first
        doc.submitted_at = started + timedelta(days=n)
    db.session.commit()
    expected = [doc.id for doc in reversed(documents)]
    curator = user(CURATOR)
    schools = set(
        db.session.scalars(
            select(CuratorSchool.school_id).where(CuratorSchool.curator_id == curator.id)
        )
    )
    login(client, CURATOR)
    seen, url, pages = [], "/queue", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        pages += 1
        seen += _queue_ids(html)
        shown = {int(i) for i in re.findall(r'<tr data-school-id="(\d+)"', html)}
        assert shown == schools
        following = re.search(r'id="queue-next" href="([^"]+)"', html)
        url = following.group(1).replace("&amp;", "&") if following else None
    assert seen == expected
    assert pages == 3
    assert "Страница 3 из 3; всего документов в очереди: 5." in html


def test_queue_page_out_of_range_shows_the_nearest_page(app, demo, client):
    app.config["QUEUE_PAGE_SIZE"] = 2
    documents = documents_of("08-UMC")[:3]
    for doc in documents:
        upload(doc, SCHOOL)
        fire(doc, "submit", SCHOOL)
    login(client, CURATOR)
    first = _queue_ids(client.get("/queue").get_data(as_text=True))
    assert len(first) == 2
    assert _queue_ids(client.get("/queue?page=0").get_data(as_text=True)) == first
    assert _queue_ids(client.get("/queue?page=abc").get_data(as_text=True)) == first
    last = client.get("/queue?page=99").get_data(as_text=True)
    assert len(_queue_ids(last)) == 1 and 'aria-current="page">2<' in last
    app.config["QUEUE_PAGE_SIZE"] = 30
    assert 'id="queue-pages"' not in client.get("/queue").get_data(as_text=True)
