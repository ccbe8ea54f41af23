"""Campaign look-ups and checklist template versioning."""

from __future__ import annotations

import threading
import time

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from webapp.campaigns.models import Campaign, CampaignDocumentType, ChecklistTemplate, Criterion
from webapp.campaigns.models import Stage as CampaignStage
from webapp.extensions import db

# The open campaign with its stages and document-type settings is read by nearly every page.
# Each process keeps one detached copy per app for CAMPAIGN_CACHE_SECONDS (0 turns it off) and
# merges it into the request's session without a query (``merge(load=False)``). Any ORM change
# of a campaign, stage or setting in this process drops the copy at once (flush and commit);
# another process sees such a change when its copy expires. See docs/load.md.
_CACHED = (Campaign, CampaignStage, CampaignDocumentType)
_generation = 0  # bumped by every change seen in this process; older copies are not used
_lock = threading.Lock()


def invalidate_campaign_cache() -> None:
    global _generation
    with _lock:
        _generation += 1


def _load_current(engine) -> Campaign | None:
    """The open campaign read in a session of its own, returned detached with its collections."""
    stmt = select(Campaign).where(Campaign.is_open).order_by(Campaign.year.desc())
    with Session(engine, expire_on_commit=False) as session:
        campaign = session.scalars(stmt).first()
        session.expunge_all()  # stages and settings are loaded (selectin): they stay readable
    return campaign


def current_campaign() -> Campaign | None:
    """The newest open campaign (the project year in progress)."""
    ttl = current_app.config.get("CAMPAIGN_CACHE_SECONDS", 0)
    # A transaction that changed a campaign, stage or setting reads its own, uncommitted rows.
    if not ttl or db.session.info.get("campaign_changed"):
        stmt = select(Campaign).where(Campaign.is_open).order_by(Campaign.year.desc())
        return db.session.scalars(stmt).first()
    box = current_app.extensions.setdefault("campaign_cache", {})
    now = time.monotonic()
    entry = box.get("entry")
    if entry is None or entry[0] <= now or entry[1] != _generation:
        generation = _generation
        entry = (now + ttl, generation, _load_current(db.engine))
        # "No open campaign" is not kept: a campaign opened by another process (the demo
        # command, the admin's first set-up) must show at once, not 10 s later.
        box["entry"] = entry if entry[2] is not None else None
    cached = entry[2]
    if cached is None:
        return None
    # The session's own copy wins (it may carry this request's changes); else a copy, no query.
    present = db.session.identity_map.get(identity_key(Campaign, cached.id))
    if present is not None:
        return present
    merged = db.session.merge(cached, load=False)
    # The identity map holds objects weakly: keep the copy alive as long as the session, so that
    # ``document.campaign`` later in the request finds it there.
    db.session.info["current_campaign"] = merged
    return merged


def warm_campaign_cache() -> None:
    """Put the cached open campaign into the session, so ``document.campaign`` needs no query.

    A many-to-one lazy load looks in the identity map first; without the cache this does nothing.
    """
    if current_app.config.get("CAMPAIGN_CACHE_SECONDS", 0):
        current_campaign()


def _touches_campaign(objects) -> bool:
    return any(isinstance(obj, _CACHED) for obj in objects)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context) -> None:
    if any(_touches_campaign(objs) for objs in (session.new, session.dirty, session.deleted)):
        session.info["campaign_changed"] = True
        invalidate_campaign_cache()


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.info.pop("campaign_changed", False):
        invalidate_campaign_cache()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop("campaign_changed", None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_change(state) -> None:
    """``update(Stage)`` / ``delete(...)`` statements bypass the flush: drop the copy too."""
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in _CACHED for mapper in state.all_mappers
    ):
        state.session.info["campaign_changed"] = True
        invalidate_campaign_cache()


def revise_checklist(
    template: ChecklistTemplate, texts: list[str], *, actor_id: int | None
) -> ChecklistTemplate:
    """Create the next version of a checklist; finished reviews keep pointing at the old one."""
    cleaned = [t.strip() for t in texts if t.strip()]
    if not cleaned:
        raise ValueError(lazy_gettext("В чек-листе должен быть хотя бы один критерий."))
    template.is_current = False
    new = ChecklistTemplate(
        document_type_id=template.document_type_id,
        kind=template.kind,
        version=template.version + 1,
        is_current=True,
        created_by_id=actor_id,
    )
    new.criteria = [Criterion(position=i, text=t) for i, t in enumerate(cleaned, start=1)]
    db.session.add(new)
    db.session.flush()
    return new
