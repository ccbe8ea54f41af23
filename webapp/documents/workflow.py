"""The document workflow bound to the database: guard facts derived from rows, never passed in."""

from __future__ import annotations

from blinker import Namespace
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.auth.permissions import document_roles
from webapp.common.time import DEFAULT_ZONE, utcnow
from webapp.common.web import shown_time
from webapp.documents.models import Document
from webapp.orgs.zones import school_zone
from webapp.workflow.service import Binding
from workflows.deadlines import local_day
from workflows.document import STATE_LABELS, Context, DocumentState

SUBMISSION_STAGE = "documents"
SYSTEM_NAME = "Система"

#: Asked while the guard context of a document is built. Sender: the document; keyword argument
#: ``actor`` (a User or None). Receivers return a dict of extra facts (e.g. the reviews feature
#: answers ``checklist_complete``); the documents feature never imports them.
document_facts = Namespace().signal("document-facts")


def build_context(document: Document, actor: User | None, *, comment: str, system: bool) -> Context:
    """Everything the document guards look at, read from the database."""
    roles = set() if actor is None else set(document_roles(actor, document))
    if system:
        roles.add("system")
    setting = document.campaign.setting_for(document.document_type_id)
    facts: dict = {}
    for _receiver, extra in document_facts.send(document, actor=actor):
        facts.update(extra or {})
    zone = _school_zone(document)  # stage dates and deadlines are the school's days
    return Context(
        actor_id=None if actor is None else actor.id,
        actor_name=SYSTEM_NAME if actor is None else actor.full_name,
        roles=frozenset(roles),
        comment=comment,
        has_file=document.has_file,
        has_new_version=document.has_new_version,
        checklist_complete=bool(facts.get("checklist_complete", False)),
        window_open=document.campaign.window_open(
            SUBMISSION_STAGE, local_day(utcnow(), zone), document.school.municipality.region_id
        ),
        needs_peer_stage=bool(setting and setting.needs_peer_review),
        peer_assignments_open=bool(facts.get("peer_assignments_open", False)),
        remarks_open=bool(facts.get("remarks_open", False)),
        review_days=setting.review_days if setting else 10,
        time_zone=zone,
    )


def _school_zone(document: Document) -> str:
    """The zone of the document's school: from its region when the page loaded it (no query;
    ``document_or_404`` joins it), else read."""
    school = document.school
    municipality = school.__dict__.get("municipality")
    region = None if municipality is None else municipality.__dict__.get("region")
    if region is None:
        return school_zone(document.school_id)
    return region.time_zone or DEFAULT_ZONE


def conflict_message(document: Document) -> str:
    """Why the caller's view is stale: the current state and who changed it last."""
    state = gettext(STATE_LABELS[DocumentState(document.state)])
    if not document.history:
        return gettext("Документ сейчас в состоянии «%(state)s». Обновите страницу.", state=state)
    who = document.state_changed_by or gettext("другой пользователь")
    when = shown_time(document.state_changed_at)
    return gettext(
        "Документ уже изменён: %(who)s, %(when)s. Сейчас он в состоянии «%(state)s». "
        "Обновите страницу.",
        who=who,
        when=when,
        state=state,
    )


DOCUMENTS = Binding(
    model=Document,
    build_context=build_context,
    conflict_message=conflict_message,
    load_options=(joinedload(Document.school),),
)
