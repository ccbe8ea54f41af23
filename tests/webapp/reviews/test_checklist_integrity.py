"""The checklist never loses what the curator typed, and a reviewer has one open checklist."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.support import login
from tests.webapp.helpers import CURATOR, bring_to_review, documents_of, user
from webapp.extensions import db
from webapp.reviews import services
from webapp.reviews.models import Review

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def test_a_comment_without_a_rating_is_refused_and_kept_on_the_page(app, demo, client):
    doc = bring_to_review(documents_of("08-UMC")[0])
    login(client, CURATOR)
    page = client.get(f"/documents/{doc.id}/review")
    assert page.status_code == 200
    review = services.unfinished_review(doc, user(CURATOR))
    first, second = review.template.criteria[:2]
    response = client.post(
        f"/documents/{doc.id}/review",
        data={
            f"status_{first.id}": "met",
            f"comment_{second.id}": "Нет сроков у мероприятий",
            "action": "save",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"Выберите оценку для критерия {second.position}" in html
    assert 'value="Нет сроков у мероприятий"' in html
    db.session.expire_all()
    assert db.session.get(Review, review.id).answers == []  # nothing half-saved


@BOTH
def test_two_open_checklists_for_one_version_are_impossible(app, demo):
    doc = bring_to_review(documents_of("08-UMC")[0])
    first, created = services.open_review(doc, user(CURATOR))
    db.session.commit()
    assert created
    twin = Review(
        document_id=doc.id,
        version_number=first.version_number,
        reviewer_id=first.reviewer_id,
        template_id=first.template_id,
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    again, created = services.open_review(doc, user(CURATOR))
    assert (again.id, created) == (first.id, False)
    count = db.session.scalar(select(func.count()).where(Review.document_id == doc.id))
    assert count == 1
