"""The admin's mutual expertise screens: stage settings, pairings (preview, swap, confirm).

Refusals of the pairing service are workflow errors: the one handler flashes them and shows the
page again (``on_refusal``) with 409 or 422.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.auth.models import RoleCode
from webapp.campaigns.models import Campaign, CampaignDocumentType, DocumentType
from webapp.campaigns.services import current_campaign
from webapp.common.forms import first_error
from webapp.expertise import pairing as pairings
from webapp.expertise.admin_forms import ConfirmForm, PairingStartForm, PeerStageForm, SwapForm
from webapp.expertise.models import Pairing
from webapp.expertise.services import peer_template
from webapp.expertise.workflow import stage_of
from webapp.extensions import db
from webapp.jobs.models import STATE_LABELS as JOB_STATE_LABELS
from webapp.workflow.errors import on_refusal

bp = Blueprint("peer_admin", __name__, url_prefix="/admin/peer", template_folder="templates")

PER_PAGE = 200
STAGE_FIELDS = (
    "reviews_per_school",
    "no_reciprocal",
    "accept_days",
    "review_days",
    "reminder_days",
    "max_replacements",
    "reveal_reviewer",
)


@bp.before_request
@login_required
def _admins_only():
    if not current_user.has_role(RoleCode.ADMIN):
        abort(403)


def _campaign() -> Campaign:
    campaign_id = request.args.get("campaign_id", type=int)
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else current_campaign()
    if campaign is None:
        abort(404)
    return campaign


# -- stage settings ------------------------------------------------------------------------------


@bp.route("", methods=["GET", "POST"])
def stage():
    campaign = _campaign()
    settings = stage_of(campaign.id)
    types = list(db.session.scalars(select(DocumentType).order_by(DocumentType.position)))
    form = PeerStageForm(obj=settings)
    form.peer_types.choices = [(t.id, t.name) for t in types]
    if request.method == "GET":
        form.peer_types.data = [t.id for t in types if _needs_peer(campaign, t.id)]
        db.session.commit()  # stage_of may have created the row with the defaults
    elif form.validate_on_submit():
        problem = _types_problem(campaign, types, set(form.peer_types.data or []))
        if problem is None:
            _save_stage(campaign, settings, form, types)
            db.session.commit()
            flash(gettext("Настройки взаимоэкспертизы сохранены."), "success")
            return redirect(url_for(".stage", campaign_id=campaign.id))
        flash(problem, "danger")
    else:
        flash(first_error(form), "danger")
    return render_template(
        "expertise/admin/stage.html", form=form, campaign=campaign, settings=settings
    )


def _needs_peer(campaign: Campaign, type_id: int) -> bool:
    setting = campaign.setting_for(type_id)
    return bool(setting and setting.needs_peer_review)


def _types_problem(campaign: Campaign, types: list[DocumentType], chosen: set[int]) -> str | None:
    """Why the chosen set of peer types cannot be saved, or None."""
    current = {t.id for t in types if _needs_peer(campaign, t.id)}
    if chosen != current and pairings.confirmed_pairing(campaign.id) is not None:
        return gettext(
            "Распределение уже подтверждено: типы документов на взаимоэкспертизе менять нельзя."
        )
    missing = [t.name for t in types if t.id in chosen and peer_template(t.id) is None]
    if missing:
        names = ", ".join(f"«{n}»" for n in missing)
        return gettext(
            "Нет чек-листа взаимоэкспертизы для: %(names)s. Сначала создайте его.", names=names
        )
    return None


def _save_stage(campaign, settings, form: PeerStageForm, types: list[DocumentType]) -> None:
    for name in STAGE_FIELDS:
        setattr(settings, name, getattr(form, name).data)
    chosen = set(form.peer_types.data or [])
    for doc_type in types:
        setting = campaign.setting_for(doc_type.id)
        if setting is None:
            setting = CampaignDocumentType(campaign_id=campaign.id, document_type_id=doc_type.id)
            db.session.add(setting)
            campaign.settings.append(setting)
        setting.needs_peer_review = doc_type.id in chosen
    db.session.flush()


# -- pairings ------------------------------------------------------------------------------------


@bp.route("/pairings")
def pairings_list():
    campaign = _campaign()
    settings = stage_of(campaign.id)
    form = PairingStartForm(k=settings.reviews_per_school, no_reciprocal=settings.no_reciprocal)
    return _list_page(campaign, form)


def _list_page(campaign: Campaign, form: PairingStartForm):
    rows = db.session.scalars(
        select(Pairing).where(Pairing.campaign_id == campaign.id).order_by(Pairing.id.desc())
    )
    items = [(p, pairings.pairing_job(p)) for p in rows]
    return render_template(
        "expertise/admin/pairings.html",
        campaign=campaign,
        form=form,
        items=items,
        job_labels=JOB_STATE_LABELS,
    )


@bp.route("/pairings", methods=["POST"])
def start():
    campaign = _campaign()
    form = PairingStartForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return _list_page(campaign, form), 422
    on_refusal(lambda: _list_page(campaign, form))
    pairing = pairings.start_pairing(
        campaign.id, form.k.data, form.no_reciprocal.data, actor=current_user
    )
    db.session.commit()  # the job's task is published after this commit
    flash(gettext("Распределение №%(id)s запущено.", id=pairing.id), "info")
    return redirect(url_for("jobs.show", job_id=pairing.job_id))


def _pairing_or_404(pairing_id: int) -> Pairing:
    pairing = db.session.get(Pairing, pairing_id)
    if pairing is None:
        abort(404)
    return pairing


@bp.route("/pairings/<int:pairing_id>")
def show(pairing_id: int):
    return _preview_page(_pairing_or_404(pairing_id))


def _preview_page(pairing: Pairing, swap_form: SwapForm | None = None):
    preview = pairings.current_preview(pairing)
    rows = pairings.preview_rows(pairing, preview) if preview else []
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pages = max((len(rows) + PER_PAGE - 1) // PER_PAGE, 1)
    shown = rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    return render_template(
        "expertise/admin/pairing.html",
        pairing=pairing,
        job=pairings.pairing_job(pairing),
        job_labels=JOB_STATE_LABELS,
        preview=preview,
        rows=shown,
        page=page,
        pages=pages,
        summary=pairings.summary(rows, preview) if preview else None,
        unpaired=pairings.unpaired_rows(pairing, preview) if preview else [],
        swap_form=swap_form or SwapForm(lock_version=pairing.lock_version),
        confirm_form=ConfirmForm(lock_version=pairing.lock_version),
    )


@bp.route("/pairings/<int:pairing_id>/swap", methods=["POST"])
def swap(pairing_id: int):
    pairing = _pairing_or_404(pairing_id)
    form = SwapForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return _preview_page(pairing, form), 422
    on_refusal(lambda: _preview_page(db.session.get(Pairing, pairing_id), form))
    pairings.swap_reviewers(
        pairing.id,
        form.first.data,
        form.second.data,
        actor=current_user,
        expected_version=form.lock_version.data,
    )
    db.session.commit()
    flash(
        gettext(
            "Рецензенты пар №%(first)s и №%(second)s обменяны.",
            first=form.first.data,
            second=form.second.data,
        ),
        "success",
    )
    return redirect(url_for(".show", pairing_id=pairing.id))


@bp.route("/pairings/<int:pairing_id>/confirm", methods=["POST"])
def confirm(pairing_id: int):
    pairing = _pairing_or_404(pairing_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    on_refusal(lambda: _preview_page(db.session.get(Pairing, pairing_id)))
    created = pairings.confirm_pairing(
        pairing.id, actor=current_user, expected_version=form.lock_version.data
    )
    db.session.commit()
    flash(
        gettext("Распределение подтверждено: создано назначений — %(count)s.", count=len(created)),
        "success",
    )
    return redirect(url_for(".show", pairing_id=pairing.id))
