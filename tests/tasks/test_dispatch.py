"""webapp.notifications.dispatch: enqueue after commit, never break or stall the request."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.tasks.conftest import BOTH, add_notification, fetch, submitted_document, user
from webapp.extensions import db
from webapp.notifications import dispatch
from webapp.notifications.models import Notification


class FakeProducer:
    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.error = error

    def send_task(self, name: str, kwargs: dict) -> None:
        if self.error is not None:
            raise self.error
        self.sent.append((name, kwargs))


@pytest.fixture
def producer(app, monkeypatch) -> FakeProducer:
    fake = FakeProducer()
    app.config["NOTIFICATIONS_DISPATCH"] = True
    dispatcher = dispatch.register_dispatch(app)
    monkeypatch.setattr(dispatcher, "producer", lambda: fake)
    return fake


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@BOTH
def test_committed_transition_enqueues_one_message_per_new_notification(app, demo, producer):
    submitted_document()

    notes = db.session.scalars(db.select(Notification.id).order_by(Notification.id)).all()
    assert notes, "submit notifies the curator"
    assert producer.sent == [("notifications.send_email", {"notification_id": i}) for i in notes]


def test_nothing_is_enqueued_before_commit_or_after_rollback(app, demo, producer):
    db.session.add(
        Notification(user_id=user("curator1@ekspertiza.local").id, subject="s", body="b")
    )
    db.session.flush()
    assert producer.sent == []

    db.session.rollback()
    db.session.commit()
    assert producer.sent == []
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0


def test_commit_without_new_notifications_enqueues_nothing(app, demo, producer):
    note_id = add_notification()
    producer.sent.clear()

    fetch(note_id).read_at = fetch(note_id).created_at
    db.session.commit()
    assert producer.sent == []


def test_registering_twice_enqueues_once(app, demo, producer):
    dispatch.register_dispatch(app)
    note_id = add_notification()
    assert producer.sent == [("notifications.send_email", {"notification_id": note_id})]


def test_test_apps_do_not_dispatch_unless_asked(app, demo):
    assert dispatch.register_dispatch(app).enabled is False
    assert dispatch.dispatch_after_commit([1]) == 0


def test_broker_error_keeps_the_row_and_pauses_publishing(app, demo, producer):
    producer.error = OSError("broker down")
    note_id = add_notification()

    assert fetch(note_id).email_state == "pending"
    producer.error = None
    add_notification()
    assert producer.sent == [], "paused: the sweep delivers these"


def use_broker(app, url: str) -> None:
    app.config["NOTIFICATIONS_DISPATCH"] = True
    app.config["CELERY_BROKER_URL"] = url
    app.extensions.pop(dispatch.EXTENSION, None)
    dispatch.register_dispatch(app)


def timed_commit() -> tuple[int, float]:
    started = time.monotonic()
    note_id = add_notification()
    return note_id, time.monotonic() - started


@BOTH
def test_refused_broker_costs_the_request_well_under_two_seconds(app, demo):
    use_broker(app, f"redis://127.0.0.1:{closed_port()}/7")

    note_id, elapsed = timed_commit()

    assert elapsed < 2.0
    assert fetch(note_id).email_state == "pending"


@pytest.fixture
def frozen_broker():
    """A TCP server that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/7"
    server.close()
    for conn in accepted:
        conn.close()


def test_frozen_broker_stalls_one_request_at_most_the_socket_timeout(app, demo, frozen_broker):
    use_broker(app, frozen_broker)

    _, first = timed_commit()
    _, second = timed_commit()

    assert first < 3.0
    assert second < 0.5, "publishing is paused after a failure"
