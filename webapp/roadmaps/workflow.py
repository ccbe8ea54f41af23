"""The roadmap item workflow bound to the database."""

from __future__ import annotations

from flask_babel import gettext

from webapp.auth.models import User
from webapp.documents.workflow import SYSTEM_NAME
from webapp.roadmaps.models import RoadmapItem
from webapp.roadmaps.permissions import can_edit_roadmap
from webapp.workflow.service import Binding
from workflows import roadmap_item as rw


def build_item_context(
    item: RoadmapItem, actor: User | None, *, comment: str = "", system: bool = False
) -> rw.Context:
    roles = set()
    if actor is not None and can_edit_roadmap(actor, item.roadmap):
        roles.add(rw.ItemRole.EDITOR.value)
    if system:
        roles.add(rw.ItemRole.SYSTEM.value)
    return rw.Context(
        actor_id=None if actor is None else actor.id,
        actor_name=SYSTEM_NAME if actor is None else actor.full_name,
        roles=frozenset(roles),
        comment=comment,
        roadmap_confirmed=item.roadmap.confirmed_at is not None,
    )


def item_conflict(item: RoadmapItem) -> str:
    state = gettext(rw.STATE_LABELS[rw.ItemState(item.state)])
    who = item.state_changed_by or gettext("другой пользователь")
    when = item.state_changed_at.strftime("%d.%m.%Y %H:%M")
    return gettext(
        "Мероприятие уже изменено: %(who)s, %(when)s UTC. Сейчас: «%(state)s». Обновите страницу.",
        who=who,
        when=when,
        state=state,
    )


ITEMS = Binding(model=RoadmapItem, build_context=build_item_context, conflict_message=item_conflict)
