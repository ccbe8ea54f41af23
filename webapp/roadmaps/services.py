"""Roadmaps: create, confirm, add items (through the ``add`` trigger), read scoped lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.documents.services import discard_file, max_upload_bytes, upload_dir
from webapp.documents.uploads import resolve_stored, store_upload
from webapp.extensions import db
from webapp.orgs.models import Municipality, Region, School
from webapp.roadmaps import models as m
from webapp.roadmaps.models import Level, Roadmap, RoadmapItem, RoadmapItemLog
from webapp.roadmaps.permissions import can_edit_roadmap, can_read_roadmap
from webapp.roadmaps.workflow import ITEMS
from webapp.workflow.service import apply_transition
from workflows.machine import NotPermitted
from workflows.roadmap_item import ItemTrigger


class RoadmapRefused(Exception):
    """A value the roadmap does not accept (the message is Russian, shown as is)."""


@dataclass(frozen=True)
class ItemInput:
    event: str
    planned: str = ""
    actual: str = ""
    indicator: str = ""
    target_value: str = ""
    actual_value: str = ""
    evidence: str = ""
    evidence_url: str = ""


LIMITS = [
    ("event", m.EVENT_MAX, "Мероприятие: не длиннее 1000 символов."),
    ("planned", m.PERIOD_MAX, "Плановый срок: не длиннее 60 символов."),
    ("actual", m.PERIOD_MAX, "Фактический срок: не длиннее 60 символов."),
    ("indicator", m.INDICATOR_MAX, "Показатель: не длиннее 1000 символов."),
    ("target_value", m.VALUE_MAX, "Целевое значение: не длиннее 500 символов."),
    ("actual_value", m.VALUE_MAX, "Достигнутое значение: не длиннее 500 символов."),
    ("evidence", m.EVIDENCE_MAX, "Подтверждение: не длиннее 500 символов."),
    ("evidence_url", m.EVIDENCE_MAX, "Ссылка: не длиннее 500 символов."),
]


def check_item(data: ItemInput) -> None:
    if not data.event.strip():
        raise RoadmapRefused("Укажите мероприятие.")
    for field, limit, message in LIMITS:
        if len(getattr(data, field)) > limit:
            raise RoadmapRefused(message)
    url = data.evidence_url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise RoadmapRefused("Ссылка должна начинаться с https:// или http://.")


def create_roadmap(actor: User, level: str, owner_id: int, title: str) -> Roadmap:
    """A roadmap of the actor's own school, municipality or region; flush."""
    title = title.strip()
    if not title or len(title) > m.TITLE_MAX:
        raise RoadmapRefused("Название: от 1 до 300 символов.")
    owner = {
        Level.SCHOOL: (School, "school_id"),
        Level.MUNICIPALITY: (Municipality, "municipality_id"),
        Level.REGION: (Region, "region_id"),
    }.get(level)
    if owner is None or db.session.get(owner[0], owner_id) is None:
        raise RoadmapRefused("Неизвестный владелец дорожной карты.")
    roadmap = Roadmap(level=level, title=title, **{owner[1]: owner_id})
    db.session.add(roadmap)
    db.session.flush()
    if not can_edit_roadmap(actor, roadmap):
        db.session.rollback()
        raise NotPermitted("Дорожную карту создаёт её владелец.", trigger=ItemTrigger.ADD)
    return roadmap


def confirm_roadmap(roadmap: Roadmap, actor: User) -> None:
    if not can_edit_roadmap(actor, roadmap):
        raise NotPermitted("Утверждает дорожную карту её владелец.", trigger=ItemTrigger.ADD)
    if roadmap.confirmed_at is None:
        roadmap.confirmed_at = utcnow()
        roadmap.confirmed_by = actor.full_name
        db.session.flush()


def add_item(
    roadmap: Roadmap, data: ItemInput, *, actor: User | None, reason: str = "", system=False
) -> RoadmapItem:
    """A new item enters the roadmap through ``add`` (its audit row is the change log's entry)."""
    check_item(data)
    values = {f: getattr(data, f).strip() for f, _limit, _msg in LIMITS}
    item = RoadmapItem(roadmap=roadmap, **values)
    db.session.add(item)
    db.session.flush()
    return apply_transition(
        ITEMS, item.id, ItemTrigger.ADD, actor=actor, comment=reason, system=system
    )


def complete_item(
    item_id: int,
    actor: User,
    *,
    actual: str = "",
    actual_value: str = "",
    evidence_url: str = "",
    expected_version: int | None = None,
    file: BinaryIO | None = None,
    filename: str = "",
) -> RoadmapItem:
    """``complete`` with what the editor typed: actual date, achieved value, evidence link and
    optionally an evidence file (the documents' upload rules: type by content, size limit).

    The values are checked first and written only after the workflow allowed the transition."""
    check_item(
        ItemInput(event="-", actual=actual, actual_value=actual_value, evidence_url=evidence_url)
    )
    item = apply_transition(
        ITEMS, item_id, ItemTrigger.COMPLETE, actor=actor, expected_version=expected_version
    )
    item.actual = actual.strip() or item.actual
    item.actual_value = actual_value.strip() or item.actual_value
    item.evidence_url = evidence_url.strip() or item.evidence_url
    if file is not None:
        stored = store_upload(file, filename, upload_dir(), max_upload_bytes())
        try:
            item.evidence_file = stored.stored_name
            item.evidence_file_name = stored.original_name
            item.evidence_file_mime = stored.mime
            db.session.flush()
        except BaseException:
            discard_file(stored.stored_name)
            raise
    db.session.flush()
    return item


def evidence_path(item: RoadmapItem):
    return resolve_stored(upload_dir(), item.evidence_file)


def visible_roadmaps(user: User) -> list[Roadmap]:
    stmt = select(Roadmap).options(
        joinedload(Roadmap.school).joinedload(School.municipality),
        joinedload(Roadmap.municipality),
        joinedload(Roadmap.region),
    )
    return [r for r in db.session.scalars(stmt.order_by(Roadmap.id)) if can_read_roadmap(user, r)]


def visible_roadmap(user: User, roadmap_id: int) -> Roadmap | None:
    roadmap = db.session.get(Roadmap, roadmap_id)
    if roadmap is None or not can_read_roadmap(user, roadmap):
        return None
    return roadmap


def change_log(roadmap: Roadmap) -> list[RoadmapItemLog]:
    """Every transition of the roadmap's items, newest first: additions, removals, results."""
    stmt = (
        select(RoadmapItemLog)
        .join(RoadmapItem, RoadmapItem.id == RoadmapItemLog.item_id)
        .where(RoadmapItem.roadmap_id == roadmap.id)
        .options(joinedload(RoadmapItemLog.item))
        .order_by(RoadmapItemLog.at.desc(), RoadmapItemLog.id.desc())
    )
    return list(db.session.scalars(stmt))


def load_zalari_demo() -> Roadmap | None:
    """The Zalari district's roadmap from the seeds report (webapp/demo/roadmap_zalari.py).

    Every item goes through ``add`` and, when the report shows it held, ``complete``, fired by the
    system: the change log shows the load. Returns None without the Zalari municipality."""
    from datetime import UTC, datetime

    from webapp.demo import roadmap_zalari as seed

    muni = db.session.scalar(select(Municipality).where(Municipality.name == seed.MUNICIPALITY))
    if muni is None:
        return None
    roadmap = Roadmap(level=Level.MUNICIPALITY, municipality_id=muni.id, title=seed.TITLE)
    db.session.add(roadmap)
    for event, planned, actual, indicator, value, evidence, url in seed.ROWS:
        data = ItemInput(
            event=event,
            planned=planned,
            actual=actual,
            indicator=indicator,
            actual_value=value,
            evidence=evidence,
            evidence_url=url,
        )
        item = add_item(roadmap, data, actor=None, system=True)
        if evidence != seed.NOT_YET_HELD:
            apply_transition(ITEMS, item.id, ItemTrigger.COMPLETE, actor=None, system=True)
    roadmap.confirmed_at = datetime(*seed.CONFIRMED_ON, tzinfo=UTC)
    roadmap.confirmed_by = seed.CONFIRMED_BY
    db.session.flush()
    return roadmap
