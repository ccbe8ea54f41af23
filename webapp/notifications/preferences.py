"""Kinds of notifications and how each user wants each kind delivered.

Every notification row has a ``kind``; when the row is first flushed, the recipient's choice for
that kind sets its ``email_state``: ``pending`` (e-mail at once, through the outbox),
``digest`` (waits for the daily digest) or ``inapp`` (no e-mail). Defaults are in ``DEFAULTS``.
"""

from __future__ import annotations

import enum
import threading

from sqlalchemy import event, select

from webapp.extensions import db
from webapp.notifications.models import Notification, NotificationPreference


class Kind(enum.StrEnum):
    ACTION = "action"  # the recipient must act next (a document to check, a return to answer)
    CHANGED = "changed"  # the recipient's document changed (accepted, approved, withdrawn …)
    REMINDER = "reminder"  # reminders before a deadline and overdue warnings
    PEER = "peer"  # the mutual expertise: assignments, refusals, conclusions
    DIGEST = "digest"  # the daily digest e-mail itself (not a choice)


class Delivery(enum.StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"
    INAPP = "inapp"


# Russian labels, translated where shown (listed in webapp/templates/_python_strings.html).
CHOICES = (Kind.ACTION, Kind.PEER, Kind.REMINDER, Kind.CHANGED)
KIND_LABELS = {
    Kind.ACTION: "Нужно моё действие (документ ждёт проверки, документ вернули на доработку)",
    Kind.PEER: "Взаимоэкспертиза (назначения, отказы, заключения)",
    Kind.REMINDER: "Напоминания о сроках и просрочки",
    Kind.CHANGED: "Мой документ изменился (принят, утверждён, отозван)",
}
DELIVERY_LABELS = {
    Delivery.INSTANT: "Письмо сразу",
    Delivery.DIGEST: "Ежедневная сводка",
    Delivery.INAPP: "Только на сайте",
}
# What needs the person now comes at once; news about one's own document waits for the digest.
DEFAULTS = {
    Kind.ACTION: Delivery.INSTANT,
    Kind.PEER: Delivery.INSTANT,
    Kind.REMINDER: Delivery.INSTANT,
    Kind.CHANGED: Delivery.DIGEST,
}
EMAIL_STATE = {Delivery.INSTANT: "pending", Delivery.DIGEST: "digest", Delivery.INAPP: "inapp"}
_listening = threading.Lock()


def choices_of(user_id: int) -> dict[Kind, Delivery]:
    """The user's delivery for each kind people choose (defaults filled in)."""
    stmt = select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    chosen = {Kind(p.kind): Delivery(p.delivery) for p in db.session.scalars(stmt)}
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in CHOICES}


def save_choices(user_id: int, choices: dict[Kind, Delivery]) -> None:
    """Store the user's choices (flushes; the caller commits)."""
    stmt = select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    rows = {p.kind: p for p in db.session.scalars(stmt)}
    for kind in CHOICES:
        row = rows.get(kind.value)
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=kind.value)
            db.session.add(row)
        row.delivery = Delivery(choices[kind]).value
    db.session.flush()


def email_states(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """``(user id, kind)`` → the e-mail state a new row starts in."""
    users = {uid for uid, _kind in pairs}
    stmt = select(NotificationPreference).where(NotificationPreference.user_id.in_(users))
    chosen = {(p.user_id, p.kind): Delivery(p.delivery) for p in db.session.scalars(stmt)}
    result = {}
    for uid, kind in pairs:
        delivery = chosen.get((uid, kind)) or DEFAULTS.get(Kind(kind), Delivery.INSTANT)
        result[(uid, kind)] = EMAIL_STATE[delivery]
    return result


def route_new_rows(session, flush_context, instances) -> None:
    """Before a flush: new rows without an e-mail state get their recipient's choice."""
    rows = [
        obj
        for obj in session.new
        if isinstance(obj, Notification) and obj.email_state is None and obj.user_id is not None
    ]
    if not rows:
        return
    unclassified = [row for row in rows if row.kind is None]
    for row in unclassified:  # a producer that names no kind keeps the old rule: mail at once
        row.kind, row.email_state = Kind.CHANGED.value, "pending"
    rows = [row for row in rows if row.email_state is None]
    if not rows:
        return
    with session.no_autoflush:
        states = email_states({(row.user_id, row.kind) for row in rows})
    for row in rows:
        row.email_state = states[(row.user_id, row.kind)]


def register_routing() -> None:
    """Route every new notification row by its recipient's choice (idempotent)."""
    with _listening:
        if not event.contains(db.session, "before_flush", route_new_rows):
            event.listen(db.session, "before_flush", route_new_rows)
