"""INTERIM: delete when ``apply_transition`` derives the checklist fact itself (issue 7, item 2).

Today ``apply_transition`` is told ``checklist_complete`` by its caller and does not close the
curator's review, so a verdict fired through the API still has to go through ``finish_review``.
Once the workflow layer derives the fact from the database and closes the review inside the
transition, delete this module and its one call in ``webapp/api/documents.py``.
"""

from __future__ import annotations

from webapp.auth.models import User
from webapp.documents.models import Document
from webapp.reviews.services import finish_review, unfinished_review, verdict_for
from workflows.document import DocumentState


def fire_verdict_through_review(
    document: Document, trigger: str, comment: str, expected: int | None, actor: User
) -> Document | None:
    """Fire a curator's verdict through the open checklist; None when it is not one."""
    in_review = document.state == DocumentState.CURATOR_REVIEW
    verdict = verdict_for(trigger, comment) if in_review else None
    review = unfinished_review(document, actor) if verdict else None
    if review is None:
        return None
    return finish_review(
        document.id, review, verdict, comment, actor=actor, expected_version=expected
    )
