"""The one mapping of workflow refusals to HTTP statuses, for pages and for JSON."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, flash, g, jsonify, render_template, request

from webapp.extensions import db
from workflows.machine import NotPermitted, StateConflict, WorkflowError

# First match wins: a stale view, a role that may not act, any other unmet condition.
STATUS: tuple[tuple[type[WorkflowError], int], ...] = (
    (StateConflict, 409),
    (NotPermitted, 403),
    (WorkflowError, 422),
)


def status_for(exc: WorkflowError) -> int:
    """409 for a lost race, 403 for a role that may not, 422 for an unmet condition."""
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def error_body(exc: WorkflowError) -> dict:
    """The JSON error of the API: a Russian ``message`` and the failed guards' names."""
    return {
        "error": {
            "status": status_for(exc),
            "message": exc.message,
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
    flash(exc.message, "warning" if status == 409 else "danger")
    render = g.pop("workflow_refusal_page", None)
    if render is not None:
        return render(), status
    return render_template("error.html", code=status, message=exc.message), status


def register_workflow_errors(app: Flask) -> None:
    app.register_error_handler(WorkflowError, handle_workflow_error)
