"""Frictions found by trying the document loop as each role (issue 10 §7), one test each."""

from __future__ import annotations

import io
import re

from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from tests.support import login
from tests.webapp.helpers import (
    CURATOR,
    SCHOOL,
    bring_to_review,
    complete_checklist,
    documents_of,
    fire,
    upload,
)
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.reviews.models import Review

COORDINATOR = "coord.08@ekspertiza.local"


def page(client, doc) -> str:
    return client.get(f"/documents/{doc.id}").get_data(as_text=True)


def state_of(doc) -> str:
    db.session.expire_all()
    return db.session.get(Document, doc.id).state


def test_flash_says_what_happened_and_who_is_told(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    login(client, SCHOOL)
    done = client.post(
        f"/documents/{doc.id}/transitions", data={"trigger": "submit"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Документ отправлен на проверку. Уведомление получит: куратор школы." in done
    assert "Готово:" not in done


def test_each_action_has_its_own_comment_box_named_after_it(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    fire(doc, "submit", SCHOOL)
    login(client, SCHOOL)
    html = page(client, doc)
    form = html[html.index('id="action-withdraw"') :]
    form = form[: form.index("</form>")]
    assert 'for="comment-withdraw"' in form
    assert "Комментарий к действию «Отозвать» (необязательно)" in form
    assert 'id="trigger-withdraw"' in form
    # A reason the action needs is marked as such (the coordinator's reopen).
    bring = documents_of("08-UMC")[1]
    bring_to_review(bring)
    complete_checklist(bring, CURATOR)
    fire(bring, "accept", CURATOR)
    fire(bring, "approve", CURATOR)
    client.post("/logout")
    login(client, COORDINATOR)
    reopen = page(client, bring)
    assert "Комментарий к действию «Открыть повторно» (обязательно)" in reopen
    assert re.search(r'id="comment-reopen"[^>]*required', reopen)


def test_schools_see_neither_checksums_nor_state_machine_words(app, demo, client):
    doc = documents_of("08-UMC")[0]
    upload(doc, SCHOOL)
    login(client, SCHOOL)
    html = page(client, doc)
    assert "SHA-256" not in html and "Контрольная сумма" not in html
    assert "Переход" not in html
    client.post("/logout")
    login(client, COORDINATOR)
    assert "Контрольная сумма" in page(client, doc)


def test_approval_in_the_same_step_when_no_peer_stage_follows(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    review = complete_checklist(doc, CURATOR)
    login(client, CURATOR)
    form = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    assert 'id="approve_now"' in form
    lock = re.search(r'name="lock_version" value="(\d+)"', form).group(1)
    statuses = {f"status_{a.criterion_id}": a.status for a in review.answers}
    response = client.post(
        f"/documents/{doc.id}/review",
        data={**statuses, "verdict": "approve", "approve_now": "y", "lock_version": lock},
        follow_redirects=True,
    )
    assert "Документ принят и утверждён. Уведомление получит: школа." in response.get_data(
        as_text=True
    )
    assert state_of(doc) == "approved"
    events = [h.event for h in db.session.get(Document, doc.id).history]
    assert events[-2:] == ["accept", "approve"]


def test_without_the_box_the_verdict_only_accepts(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    review = complete_checklist(doc, CURATOR)
    login(client, CURATOR)
    form = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', form).group(1)
    statuses = {f"status_{a.criterion_id}": a.status for a in review.answers}
    client.post(
        f"/documents/{doc.id}/review",
        data={**statuses, "verdict": "approve", "lock_version": lock},
    )
    assert state_of(doc) == "curator_accepted"


def test_remarks_on_criteria_are_enough_for_approval_with_remarks(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    review = complete_checklist(doc, CURATOR)
    login(client, CURATOR)
    form = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    lock = re.search(r'name="lock_version" value="(\d+)"', form).group(1)
    statuses = {f"status_{a.criterion_id}": a.status for a in review.answers}
    first = review.answers[0].criterion_id
    bare = {**statuses, "verdict": "approve_with_remarks", "lock_version": lock}
    refused = client.post(f"/documents/{doc.id}/review", data=bare)
    assert refused.status_code == 422 and "Укажите замечания" in refused.get_data(as_text=True)
    assert state_of(doc) == "curator_review"
    with_criterion = {
        **bare,
        f"status_{first}": "remark",
        f"comment_{first}": "Уточните сроки в разделе 2.",
    }
    assert client.post(f"/documents/{doc.id}/review", data=with_criterion).status_code == 302
    assert state_of(doc) == "curator_accepted"
    stmt = select(Review).where(Review.document_id == doc.id)
    assert db.session.scalars(stmt).one().verdict == "approve_with_remarks"


def test_too_large_file_names_the_limit_and_leads_back(app, demo, client):
    doc = documents_of("08-UMC")[0]
    login(client, SCHOOL)
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024))
    # Encoded in memory: the test client's own temp file would stay open after the 413.
    body, _length, boundary = stream_encode_multipart(
        {"file": FileStorage(big, "big.pdf")}, use_tempfile=False
    )
    response = client.post(
        f"/documents/{doc.id}/versions",
        data=body.getvalue(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Файл больше допустимых 2 МБ" in html
    assert f'href="/documents/{doc.id}" id="error-back"' in html


def test_the_cabinet_shows_the_deadline_and_what_comes_next(app, demo, client):
    from datetime import timedelta

    from webapp.campaigns.services import current_campaign
    from webapp.common.time import utcnow

    docs = documents_of("08-UMC")
    upload(docs[0], SCHOOL)
    fire(docs[0], "submit", SCHOOL)
    stage = next(s for s in current_campaign().stages if s.code == "documents")
    stage.ends_on = utcnow().date() + timedelta(days=5)
    db.session.commit()
    login(client, SCHOOL)
    html = client.get("/cabinet", follow_redirects=True).get_data(as_text=True)
    banner = html[html.index('id="deadline"') :][:600]
    ends = stage.ends_on.strftime("%d.%m.%Y")
    assert f"Срок подачи документов: до {ends} включительно (осталось дней: 5)." in banner
    assert f"Документов, которые ждут ваших действий: {len(docs) - 1}." in banner
    row = html[html.index(f'data-document-id="{docs[0].id}"') :][:800]
    assert "Ждёт куратора: ничего делать не нужно." in row
    draft = html[html.index(f'data-document-id="{docs[1].id}"') :][:800]
    assert "Загрузите файл и отправьте документ на проверку." in draft
    # The curator who opens the school's page sees the documents, not the school's banner.
    client.post("/logout")
    login(client, CURATOR)
    school_id = docs[0].school_id
    assert 'id="deadline"' not in client.get(f"/schools/{school_id}").get_data(as_text=True)
