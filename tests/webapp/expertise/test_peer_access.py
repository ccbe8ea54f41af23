"""Who reaches which peer screen: every route for every kind of user, and nothing of others."""

from __future__ import annotations

import pytest

from tests.webapp.expertise.peer_screens import (
    ADMIN,
    COORD_OTHER,
    COORD_REVIEWED,
    COORD_REVIEWER,
    CURATOR,
    MUNICIPAL,
    OTHER_CURATOR,
    OTHER_SCHOOL,
    REVIEWED_NAME,
    REVIEWED_USER,
    REVIEWER_USER,
    client_for,
    stage,
)
from tests.webapp.expertise.peer_support import act, fill_conclusion
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db

ANONYMOUS = None

# user → expected status of (cabinet, assignment page, overview, export); 302 = to sign-in.
MATRIX = {
    REVIEWER_USER: (200, 200, 403, 403),
    OTHER_SCHOOL: (200, 404, 403, 403),
    REVIEWED_USER: (200, 404, 403, 403),
    CURATOR: (403, 404, 403, 403),
    OTHER_CURATOR: (403, 404, 403, 403),
    COORD_REVIEWED: (403, 200, 200, 200),
    COORD_REVIEWER: (403, 200, 200, 200),
    COORD_OTHER: (403, 404, 200, 200),
    MUNICIPAL: (403, 404, 200, 200),
    ADMIN: (403, 200, 200, 200),
    ANONYMOUS: (302, 302, 302, 302),
}


@pytest.mark.parametrize("email", list(MATRIX), ids=lambda e: e or "anonymous")
def test_peer_pages_answer_each_kind_of_user(app, demo, email):
    staged = stage()
    client = client_for(app, email)
    urls = ["/peer", f"/peer/assignments/{staged.assignment_id}", "/peer/overview"]
    urls.append("/peer/overview.xlsx")
    for url, expected in zip(urls, MATRIX[email], strict=True):
        with client.get(url) as response:
            assert response.status_code == expected, (email, url)
            if expected == 302:
                assert "/login" in response.headers["Location"]
            if expected != 200:
                assert REVIEWED_NAME not in response.get_data(as_text=True), (email, url)


@pytest.mark.parametrize(
    "email", [OTHER_SCHOOL, REVIEWED_USER, CURATOR, OTHER_CURATOR, COORD_OTHER, MUNICIPAL]
)
def test_outsiders_cannot_act_on_the_assignment(app, demo, email):
    staged = stage()
    client = client_for(app, email)
    base = f"/peer/assignments/{staged.assignment_id}"
    assert client.post(f"{base}/transitions", data={"trigger": "accept"}).status_code == 404
    response = client.post(f"{base}/conclusion", data={"action": "save", "conclusion": "x"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(PeerAssignment, staged.assignment_id).state == "assigned"


@pytest.mark.parametrize("email", [COORD_REVIEWED, ADMIN])
def test_followers_see_the_assignment_but_may_not_act(app, demo, email):
    staged = stage()
    client = client_for(app, email)
    base = f"/peer/assignments/{staged.assignment_id}"
    page = client.get(base).get_data(as_text=True)
    assert 'id="actions"' not in page and 'id="peer-checklist"' not in page
    response = client.post(f"{base}/transitions", data={"trigger": "accept"})
    assert response.status_code == 403
    assert "Это действие выполняет школа-эксперт." in response.get_data(as_text=True)
    assert client.post(f"{base}/conclusion", data={"action": "save"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(PeerAssignment, staged.assignment_id).state == "assigned"


def test_anonymous_is_sent_to_sign_in_from_every_peer_route(app, demo):
    staged = stage()
    client = client_for(app, None)
    for method, url in [
        ("POST", f"/peer/assignments/{staged.assignment_id}/transitions"),
        ("POST", f"/peer/assignments/{staged.assignment_id}/conclusion"),
        ("POST", f"/peer/documents/{staged.document_id}/close"),
    ]:
        response = client.open(url, method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- the peer reads the document: only its assigned one, only while accepted ------------------


def _document_urls(staged, number: int) -> list[str]:
    base = f"/documents/{staged.document_id}"
    return [base, f"{base}/versions/{number}/file", f"{base}/versions/{number}/file?inline=1"]


def test_peer_reads_only_while_the_assignment_is_accepted(app, demo):
    staged = stage(two_versions=True)  # versions 1 (old) and 2 (current)
    reviewer = client_for(app, REVIEWER_USER)
    for url in _document_urls(staged, 2):
        assert reviewer.get(url).status_code == 404, url  # assigned, not yet accepted
    act(staged.assignment_id, "accept", REVIEWER_USER)
    page = reviewer.get(f"/documents/{staged.document_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert staged.document_title in html and REVIEWED_NAME in html
    assert "Республика Калмыкия" in html
    for absent in ('id="history"', 'id="versions"', 'id="actions"', 'id="last-review"'):
        assert absent not in html, absent
    assert "старая.pdf" not in html and 'id="upload-form"' not in html
    with reviewer.get(f"/documents/{staged.document_id}/versions/2/file") as response:
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    with reviewer.get(f"/documents/{staged.document_id}/versions/2/file?inline=1") as response:
        assert response.status_code == 200
    for url in _document_urls(staged, 1)[1:]:
        assert reviewer.get(url).status_code == 404, url  # an older version
    # the peer is read-only: no upload, no transition, no curator checklist
    base = f"/documents/{staged.document_id}"
    assert reviewer.post(f"{base}/versions").status_code == 403
    for trigger in ("approve", "finish_peer_review", "request_revision"):
        response = reviewer.post(f"{base}/transitions", data={"trigger": trigger, "comment": "x"})
        assert response.status_code == 403, trigger
    assert reviewer.get(f"{base}/review").status_code == 403
    # another school's documents stay closed
    assert reviewer.get(f"/schools/{_school_of(staged)}").status_code == 404


def _school_of(staged) -> int:
    from webapp.documents.models import Document

    return db.session.get(Document, staged.document_id).school_id


@pytest.mark.parametrize("ending", ["submit", "decline", "close"])
def test_peer_loses_the_document_when_the_assignment_ends(app, demo, ending):
    staged = stage()
    act(staged.assignment_id, "accept", REVIEWER_USER)
    reviewer = client_for(app, REVIEWER_USER)
    assert reviewer.get(f"/documents/{staged.document_id}").status_code == 200
    if ending == "submit":
        fill_conclusion(db.session.get(PeerAssignment, staged.assignment_id))
        act(staged.assignment_id, "submit", REVIEWER_USER)
    elif ending == "decline":
        act(staged.assignment_id, "decline", REVIEWER_USER, "Нет специалистов")
    else:
        curator = client_for(app, CURATOR)
        url = f"/peer/documents/{staged.document_id}/close"
        assert curator.post(url, data={"reason": "Школа-эксперт не отвечает"}).status_code == 302
    for url in _document_urls(staged, 1):
        assert reviewer.get(url).status_code == 404, (ending, url)


def test_expired_and_replaced_assignment_closes_the_document(app, demo):
    from datetime import timedelta

    from webapp.common.time import utcnow
    from webapp.expertise.deadlines import expire_overdue

    staged = stage()
    act(staged.assignment_id, "accept", REVIEWER_USER)
    db.session.get(PeerAssignment, staged.assignment_id).due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert expire_overdue(utcnow()) == 1
    db.session.commit()
    reviewer = client_for(app, REVIEWER_USER)
    for url in _document_urls(staged, 1):
        assert reviewer.get(url).status_code == 404, url
    # the history stays readable to the school that held it; the replacement is listed elsewhere
    page = reviewer.get(f"/peer/assignments/{staged.assignment_id}").get_data(as_text=True)
    assert 'data-state="expired"' in page and 'id="read-document"' not in page
