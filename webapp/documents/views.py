"""School cabinet, document page, uploads, downloads and transitions."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from webapp.auth.models import RoleCode
from webapp.auth.permissions import (
    can_review,
    can_see_overview,
    can_upload,
    can_view_school,
    is_school_member,
)
from webapp.campaigns.services import current_campaign
from webapp.common.forms import first_error
from webapp.documents import services
from webapp.documents.forms import DiffForm, TransitionForm, UploadForm
from webapp.documents.messages import done_message
from webapp.documents.next_step import NEXT_STEP, SCHOOL_TURN, submission_deadline
from webapp.documents.queries import document_or_404, last_remark, school_documents, version_or_404
from webapp.documents.textdiff import NoText, diff_lines, extract_text
from webapp.documents.uploads import UploadRejected, content_disposition
from webapp.expertise.queries import peer_only, peer_panel
from webapp.extensions import db
from webapp.orgs.models import Municipality, School
from webapp.reviews import remarks
from webapp.reviews.forms import remark_answers_form
from webapp.reviews.models import ANSWER_LABELS
from webapp.reviews.queries import last_finished_review
from webapp.workflow.errors import on_refusal
from workflows.document import (
    AWAITING_CURATOR,
    EDITABLE_STATES,
    STATE_LABELS,
    TRIGGER_LABELS,
    document_workflow,
)
from workflows.document import DocumentState as S
from workflows.document import DocumentTrigger as T
from workflows.machine import Screen, WorkflowError
from workflows.peer_assignment import STATE_LABELS as PEER_STATE_LABELS

bp = Blueprint("documents", __name__, template_folder="templates")


def own_school_id(user) -> int | None:
    """The school whose page is the user's cabinet (its first school membership), if any."""
    return next((m.school_id for m in user.memberships if m.role == RoleCode.SCHOOL), None)


@bp.app_template_global()
def cabinet_url() -> str:
    """The menu's «Кабинет школы»: the school page itself, not the ``/cabinet`` redirect (a
    redirect costs the server a whole request; see docs/load.md)."""
    school_id = own_school_id(current_user)
    if school_id is None:
        return url_for("documents.cabinet")
    return url_for("documents.school", school_id=school_id)


@bp.route("/cabinet")
@login_required
def cabinet():
    """Old links and bookmarks: the user's school page."""
    if own_school_id(current_user) is None:
        abort(403)
    return redirect(cabinet_url())


@bp.route("/schools/<int:school_id>")
@login_required
def school(school_id: int):
    # The page and the access check read the municipality and its region: one statement.
    school = db.session.get(
        School,
        school_id,
        options=[joinedload(School.municipality).joinedload(Municipality.region)],
    )
    if school is None or not can_view_school(current_user, school):
        abort(404)
    campaign = current_campaign()
    documents = school_documents(school.id, campaign.id) if campaign else []
    return render_template(
        "documents/school.html",
        school=school,
        campaign=campaign,
        documents=documents,
        state_labels=STATE_LABELS,
        own=is_school_member(current_user, school.id),
        deadline=submission_deadline(campaign, school.municipality.region_id),
        next_step=NEXT_STEP,
        school_turn=SCHOOL_TURN,
    )


@bp.route("/documents/<int:document_id>")
@login_required
def detail(document_id: int):
    document = document_or_404(current_user, document_id)
    if peer_only(current_user, document):
        return render_template("documents/peer_view.html", document=document)
    available, blocked = services.judge_triggers(current_user, document)
    # Remarks are raised and checklists finished only by a verdict, which the (loaded) history
    # records: a document that never had one needs neither query.
    events = {h.event for h in document.history}
    thread = remarks.thread(document.id) if T.REQUEST_REVISION in events else []
    verdicts = {T.ACCEPT, T.REQUEST_REVISION} & events
    answering = (
        [r for r in thread if r.addressed_in_version is None]
        if document.state == S.REVISION_REQUESTED and can_upload(current_user, document)
        else []
    )
    return render_template(
        "documents/detail.html",
        document=document,
        reviews=last_finished_review(document.id) if verdicts else [],
        triggers=document_workflow.offered_on(Screen.ACTIONS, document.state, available),
        blocked={t: blocked[t] for t in on_screen(document, blocked)},
        comment_required=comment_required(document),
        show_checksums=can_see_overview(current_user),
        trigger_meta=document_workflow.meta,
        trigger_labels=TRIGGER_LABELS,
        state_labels=STATE_LABELS,
        awaiting_curator=document.state in AWAITING_CURATOR,
        may_review=can_review(current_user, document) and document.state == S.CURATOR_REVIEW,
        may_upload=can_upload(current_user, document) and document.state in EDITABLE_STATES,
        remark=last_remark(document) if document.state == S.REVISION_REQUESTED else "",
        peer=peer_panel(current_user, document),
        peer_state_labels=PEER_STATE_LABELS,
        answer_labels=ANSWER_LABELS,
        thread=thread,
        answering=answering,
        answers_form=remark_answers_form(answering) if answering else None,
        diff_form=DiffForm.for_document(document),
    )


def comment_required(document) -> set[str]:
    """Triggers whose row from the current state asks for a comment typed with the action."""
    return {
        row["trigger"]
        for row in document_workflow.table
        if "has_comment" in row.get("conditions", [])
        and row in document_workflow.transitions_for(row["trigger"], document.state)
    }


def on_screen(document, triggers) -> list[str]:
    return document_workflow.offered_on(Screen.ACTIONS, document.state, triggers)


@bp.route("/documents/<int:document_id>/versions", methods=["POST"])
@login_required
def upload(document_id: int):
    document = document_or_404(current_user, document_id)
    if not can_upload(current_user, document):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return redirect(url_for(".detail", document_id=document.id))
    file = form.file.data
    try:
        version = services.add_version(document.id, file.stream, file.filename, actor=current_user)
        db.session.commit()
    except (UploadRejected, WorkflowError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(
            gettext(
                "Версия %(number)s загружена: %(name)s.",
                number=version.number,
                name=version.original_name,
            ),
            "success",
        )
    return redirect(url_for(".detail", document_id=document.id))


@bp.route("/documents/<int:document_id>/transitions", methods=["POST"])
@login_required
def transition(document_id: int):
    document = document_or_404(current_user, document_id)
    if peer_only(current_user, document):
        abort(403)  # a peer reviewer reads, never acts
    form = TransitionForm()
    if not form.validate_on_submit():
        flash(first_error(form), "danger")
        return detail(document.id), 422
    on_refusal(lambda: detail(document.id))
    services.apply_transition(
        document.id,
        form.trigger.data,
        actor=current_user,
        comment=form.comment.data or "",
        expected_version=form.lock_version.data,
    )
    db.session.commit()
    flash(done_message(form.trigger.data), "success")
    return redirect(url_for(".detail", document_id=document.id))


@bp.route("/documents/<int:document_id>/diff")
@login_required
def diff(document_id: int):
    """A text diff between two versions (any two, chosen in a GET form)."""
    document = document_or_404(current_user, document_id)
    if peer_only(current_user, document):
        abort(404)  # a peer reviewer reads the current version only
    form = DiffForm.for_document(document, formdata=request.args)
    if form is None:
        flash(gettext("Для сравнения нужны хотя бы две версии."), "warning")
        return redirect(url_for(".detail", document_id=document.id))
    if not form.validate() or form.a.data == form.b.data:
        return render_template(
            "documents/diff.html",
            document=document,
            form=form,
            error="Выберите две разные версии документа.",
        ), 422
    old, new = version_or_404(document, form.a.data), version_or_404(document, form.b.data)
    problems, texts = [], []
    for version in (old, new):
        try:
            texts.append(extract_text(services.version_path(version), version.kind))
        except NoText as exc:
            problems.append(
                gettext("Версия %(number)s: %(reason)s", number=version.number, reason=exc)
            )
    return render_template(
        "documents/diff.html",
        document=document,
        form=form,
        old=old,
        new=new,
        problems=problems,
        result=None if problems else diff_lines(*texts),
    )


@bp.route("/documents/<int:document_id>/versions/<int:number>/file")
@login_required
def download(document_id: int, number: int):
    document = document_or_404(current_user, document_id)
    version = version_or_404(document, number)
    if number != document.latest_version_number and peer_only(current_user, document):
        abort(404)  # a peer reviewer reads the current version only
    inline = request.args.get("inline") == "1" and version.kind == "pdf"
    response = send_file(
        services.version_path(version), mimetype=version.mime, conditional=True, max_age=0
    )
    response.headers["Content-Disposition"] = content_disposition(_download_name(version), inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _download_name(version) -> str:
    """The original name, with the extension of the detected type if the user's differs."""
    name = version.original_name
    if not name.lower().endswith(f".{version.kind}"):
        name = f"{name}.{version.kind}"
    return name
