"""Two people act on one document at once on PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tests.webapp.helpers import CURATOR, bring_to_review, complete_checklist, documents_of, user
from webapp.documents import services
from webapp.documents.models import Document, TransitionLog
from webapp.extensions import db
from workflows.machine import WorkflowError


@pytest.mark.integration
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("triggers", [("accept", "accept"), ("accept", "request_revision")])
def test_concurrent_verdicts_have_exactly_one_winner(app, demo, triggers):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    complete_checklist(doc, CURATOR)
    doc_id = doc.id
    barrier = threading.Barrier(len(triggers))
    results: list[str] = []

    def act(trigger: str) -> None:
        with app.app_context():
            barrier.wait()
            try:
                services.apply_transition(
                    doc_id,
                    trigger,
                    actor=user(CURATOR),
                    comment="замечание",
                )
                db.session.commit()
                results.append("won")
            except services.StateConflict as exc:
                db.session.rollback()
                assert "уже изменён" in exc.message
                results.append("conflict")
            except WorkflowError as exc:  # pragma: no cover - a failure would show here
                db.session.rollback()
                results.append(f"other: {exc.message}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=(t,)) for t in triggers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["conflict", "won"]
    db.session.expire_all()
    logs = db.session.scalar(
        select(func.count(TransitionLog.id)).where(
            TransitionLog.document_id == doc_id, TransitionLog.event.in_(triggers)
        )
    )
    assert logs == 1
    assert db.session.get(Document, doc_id).state in {"curator_accepted", "revision_requested"}
