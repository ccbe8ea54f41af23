"""The one mapping of workflow refusals to HTTP statuses, for pages and for JSON."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, flash, g, jsonify, render_template, request
from flask_babel import gettext

from webapp.extensions import db
from workflows.machine import InvalidTransition, NotPermitted, StateConflict, WorkflowError

# First match wins: a stale view, a role that may not act, any other unmet condition.
STATUS: tuple[tuple[type[WorkflowError], int], ...] = (
    (StateConflict, 409),
    (NotPermitted, 403),
    (WorkflowError, 422),
)


def status_for(exc: WorkflowError) -> int:
    """409 for a lost race, 403 for a role that may not, 422 for an unmet condition."""
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def localized(exc: WorkflowError) -> str:
    """The refusal in the user's language: each sentence is a catalogue id (Russian source);
    an action impossible in the current state is named by its label and the state's label."""
    labels = STATE_LABELS.get(getattr(exc, "workflow", ""))
    if isinstance(exc, InvalidTransition) and labels is not None:
        workflow, states = labels
        if exc.trigger in workflow.meta and exc.state in states:
            return gettext(
                "Действие «%(action)s» невозможно в состоянии «%(state)s».",
                action=gettext(workflow.meta[exc.trigger].label),
                state=gettext(states[exc.state]),
            )
    return " ".join(gettext(part) for part in exc.parts)


def _state_labels() -> dict:
    from workflows import document, peer_assignment

    return {
        document.document_workflow.name: (document.document_workflow, document.STATE_LABELS),
        peer_assignment.peer_workflow.name: (
            peer_assignment.peer_workflow,
            peer_assignment.STATE_LABELS,
        ),
    }


STATE_LABELS = _state_labels()


def error_body(exc: WorkflowError) -> dict:
    """The JSON error of the API: the ``message`` in the caller's language, the guards' names."""
    return {
        "error": {
            "status": status_for(exc),
            "message": localized(exc),
            "reasons": list(exc.reasons),
        }
    }


def on_refusal(render: Callable[[], object]) -> None:
    """Let a view name the page to show again (with the refusal flashed) if it is refused."""
    g.workflow_refusal_page = render


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_workflow_error(exc: WorkflowError):
    """Roll back the refused change and answer with the mapped status."""
    db.session.rollback()
    status = status_for(exc)
    if wants_json():
        return jsonify(error_body(exc)), status
    message = localized(exc)
    flash(message, "warning" if status == 409 else "danger")
    render = g.pop("workflow_refusal_page", None)
    if render is not None:
        return render(), status
    return render_template("error.html", code=status, message=message), status


def register_workflow_errors(app: Flask) -> None:
    app.register_error_handler(WorkflowError, handle_workflow_error)
