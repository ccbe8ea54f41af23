"""Pairings of the mutual expertise (the admin's): start the engine's job, read the preview,
swap two reviewers, confirm once.

``POST /api/v1/pairings`` answers 202 with the pairing and its job; follow the job at
``GET /api/v1/jobs/<id>``. Non-admins get 403 on the collection and 404 on a pairing (its
existence is not revealed). Refusals come from the pairing service as workflow errors: 409 for
a second confirmation or a stale ``lock_version``, 422 for a swap that breaks a hard rule or a
pairing that is not ready.
"""

from __future__ import annotations

from flask import g, jsonify
from flask_babel import lazy_gettext
from flask_smorest import abort

from webapp.api.base import ID, Blueprint, known_id
from webapp.api.peer_schemas import (
    ConfirmIn,
    ConfirmOut,
    PairingIn,
    PairingOut,
    PairingStarted,
    SwapIn,
)
from webapp.expertise import pairing as pairings
from webapp.expertise.models import Pairing
from webapp.expertise.permissions import can_pair
from webapp.extensions import db

bp = Blueprint(
    "api_pairings",
    __name__,
    url_prefix="/api/v1/pairings",
    description="Взаимоэкспертиза: распределение пар школ (администратор)",
)
ADMIN_ONLY = lazy_gettext("Распределение взаимоэкспертизы запускает администратор.")


@bp.post("")
@bp.authenticated
@bp.arguments(PairingIn)
@bp.response(202, PairingStarted)
@bp.errors(403, 409, 422)
def start_pairing(body: dict) -> dict:
    """Запустить подбор пар: создаётся распределение и фоновая задача."""
    if not can_pair(g.api_user):
        abort(403, message=ADMIN_ONLY)
    pairing = pairings.start_pairing(
        body["campaign_id"], body["k"], body["no_reciprocal"], actor=g.api_user
    )
    db.session.commit()  # the job's task is published after this commit
    return {"pairing_id": pairing.id, "job_id": pairing.job_id}


@bp.get(f"/<{ID}:pairing_id>")
@bp.authenticated
@bp.response(200, PairingOut)
@bp.errors(404)
def get_pairing(pairing_id: int):
    """Предпросмотр: пары со школами, регионами, схожестью рисков; граница; школы без пары."""
    return jsonify(pairing_json(_pairing_or_404(pairing_id)))


@bp.post(f"/<{ID}:pairing_id>/swaps")
@bp.authenticated
@bp.arguments(SwapIn)
@bp.response(200, PairingOut)
@bp.errors(404, 409, 422)
def post_swap(body: dict, pairing_id: int):
    """Обменять рецензентов двух пар (номера пар из предпросмотра)."""
    pairing = _pairing_or_404(pairing_id)
    pairings.swap_reviewers(
        pairing.id,
        body["first"],
        body["second"],
        actor=g.api_user,
        expected_version=body.get("lock_version"),
    )
    db.session.commit()
    return jsonify(pairing_json(_pairing_or_404(pairing_id)))


@bp.post(f"/<{ID}:pairing_id>/confirm")
@bp.authenticated
@bp.arguments(ConfirmIn)
@bp.response(200, ConfirmOut)
@bp.errors(404, 409, 422)
def confirm(body: dict, pairing_id: int) -> dict:
    """Подтвердить распределение: создаются назначения (только один раз)."""
    pairing = _pairing_or_404(pairing_id)
    created = pairings.confirm_pairing(
        pairing.id, actor=g.api_user, expected_version=body.get("lock_version")
    )
    db.session.commit()
    pairing = db.session.get(Pairing, pairing_id)
    return {
        "pairing_id": pairing.id,
        "assignments": len(created),
        "confirmed_at": pairing.confirmed_at,
    }


def _pairing_or_404(pairing_id: int) -> Pairing:
    pairing = db.session.get(Pairing, known_id(pairing_id))
    if pairing is None or not can_pair(g.api_user):
        abort(404)
    return pairing


def pairing_json(pairing: Pairing) -> dict:
    """The pairing and its preview (empty lists until the job succeeded)."""
    job = pairings.pairing_job(pairing)
    preview = pairings.current_preview(pairing)
    rows = pairings.preview_rows(pairing, preview) if preview else []
    return {
        "id": pairing.id,
        "campaign_id": pairing.campaign_id,
        "k": pairing.k,
        "no_reciprocal": pairing.no_reciprocal,
        "job_id": pairing.job_id,
        "job_state": job.state if job else None,
        "ready": preview is not None,
        "confirmed_at": pairing.confirmed_at.isoformat() if pairing.confirmed_at else None,
        "lock_version": pairing.lock_version,
        "status": preview.get("status") if preview else None,
        "reason": preview.get("reason") if preview else None,
        "bound": preview.get("bound") if preview else None,
        "summary": pairings.summary(rows, preview) if preview else None,
        "pairs": rows,
        "unpaired": pairings.unpaired_rows(pairing, preview) if preview else [],
    }
