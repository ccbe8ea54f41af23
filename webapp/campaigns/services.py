"""Campaign look-ups and checklist template versioning."""

from __future__ import annotations

from sqlalchemy import select

from webapp.campaigns.models import Campaign, ChecklistTemplate, Criterion
from webapp.extensions import db


def current_campaign() -> Campaign | None:
    """The newest open campaign (the project year in progress)."""
    stmt = select(Campaign).where(Campaign.is_open).order_by(Campaign.year.desc())
    return db.session.scalars(stmt).first()


def revise_checklist(
    template: ChecklistTemplate, texts: list[str], *, actor_id: int | None
) -> ChecklistTemplate:
    """Create the next version of a checklist; finished reviews keep pointing at the old one."""
    cleaned = [t.strip() for t in texts if t.strip()]
    if not cleaned:
        raise ValueError("В чек-листе должен быть хотя бы один критерий.")
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
