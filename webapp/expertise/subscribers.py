"""What the peer stage does when documents and assignments change (runs as follow-ups)."""

from __future__ import annotations

from webapp.documents.models import Document
from webapp.documents.workflow import document_facts
from webapp.expertise.models import PeerAssignment
from webapp.expertise.replacements import replace
from webapp.expertise.services import (
    finish_if_complete,
    has_assignments,
    has_open_assignments,
    open_assignments,
    start_peer_review,
)
from webapp.workflow.service import after_transition
from webapp.workflow.signals import transition_recorded
from workflows.document import DocumentState, document_workflow
from workflows.machine import TransitionEvent
from workflows.peer_assignment import PeerState, peer_workflow


def _on_document(document: Document, *, event: TransitionEvent, log) -> None:
    if event.workflow != document_workflow.name:
        return
    if event.dest == DocumentState.CURATOR_ACCEPTED and has_assignments(document.id):
        after_transition(lambda: start_peer_review(document.id))
    elif event.dest == DocumentState.PEER_REVIEW:
        after_transition(lambda: open_assignments(document.id, event.at))


def _on_assignment(assignment: PeerAssignment, *, event: TransitionEvent, log) -> None:
    if event.workflow != peer_workflow.name:
        return
    if event.dest in (PeerState.DECLINED, PeerState.EXPIRED):
        after_transition(lambda: replace(assignment.id))
    elif event.dest == PeerState.SUBMITTED:
        after_transition(lambda: finish_if_complete(assignment.document_id))


def _peer_facts(document: Document, *, actor) -> dict:
    """``peer_assignments_open``: a reviewer still holds the document (assigned or accepted)."""
    if document.state != DocumentState.PEER_REVIEW:
        return {}
    return {"peer_assignments_open": has_open_assignments(document.id)}


def connect() -> None:
    """Subscribe the peer stage to the workflow layer (idempotent)."""
    document_facts.connect(_peer_facts, weak=False)
    transition_recorded.connect(_on_document, weak=False)
    transition_recorded.connect(_on_assignment, weak=False)
