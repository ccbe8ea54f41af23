"""The PDF conclusion of a document's checklist (the newest finished one), by WeasyPrint.

The page is our own HTML template with every value escaped by Jinja; WeasyPrint gets no base
URL and a fetcher that refuses every URL, so nothing outside the page is ever loaded. Cyrillic
is set in DejaVu (Debian's ``fonts-dejavu-core``).
"""

from __future__ import annotations

from flask import render_template

from webapp.auth.models import User
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.reviews.models import ANSWER_LABELS, VERDICT_LABELS, Review
from webapp.reviews.queries import last_finished_review


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"external resources are not loaded: {url[:80]}")


def finished_review(document: Document) -> Review | None:
    reviews = last_finished_review(document.id)
    return reviews[0] if reviews else None


def conclusion_html(document: Document, review: Review) -> str:
    reviewer = db.session.get(User, review.reviewer_id)
    answers = sorted(review.answers, key=lambda a: a.criterion.position)
    return render_template(
        "reports/conclusion.html",
        document=document,
        review=review,
        reviewer=reviewer,
        answers=answers,
        answer_labels=ANSWER_LABELS,
        verdict_labels=VERDICT_LABELS,
    )


def conclusion_pdf(document: Document, review: Review) -> bytes:
    from weasyprint import HTML  # loads Pango through cffi: only when a PDF is asked for

    return HTML(string=conclusion_html(document, review), url_fetcher=_no_fetch).write_pdf()
