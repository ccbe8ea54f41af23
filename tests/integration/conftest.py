"""Real services for the worker tests: Redis (private db 7), an SMTP server, a Celery worker.

The worker is a subprocess sharing the test's PostgreSQL database (``pg_url``); the SMTP server
is aiosmtpd in this process. Each run has its own queue, so two engineers' runs on one Redis never
take each other's messages. Under CI=true a missing Redis or PostgreSQL fails, never skips.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery

from tests.conftest import CI
from webapp.notifications.dispatch import broker_settings

ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/7")
QUEUE = f"itest-{uuid.uuid4().hex[:12]}"
WORKER_START_TIMEOUT = 30.0


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the SMTP server received, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        with self._lock:
            return list(self._messages)

    def for_notification(self, notification_id: int) -> list[EmailMessage]:
        pattern = re.compile(rf"<notification-{notification_id}-\d+@")
        return [m for _, m in self.messages() if pattern.match(m["Message-ID"] or "")]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages() if address in rcpts]


@pytest.fixture(scope="session")
def broker_url() -> str:
    """The real Redis broker on a private db; this run's queue and bindings go afterwards."""
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if CI:
            pytest.fail(f"Redis is not reachable at {BROKER_URL} (CI=true): {exc}")
        pytest.skip(f"Redis is not reachable at {BROKER_URL}")
    yield BROKER_URL
    for key in client.scan_iter(f"*{QUEUE}*"):
        client.delete(key)
    client.close()


def celery_config(broker_url: str) -> dict:
    """What the test's Flask app and producer need to reach this run's worker."""
    return {"CELERY_BROKER_URL": broker_url, "CELERY_TASK_DEFAULT_QUEUE": QUEUE}


@pytest.fixture(scope="module")
def smtp_server():
    """An aiosmtpd server on a free loopback port; yields (port, mailbox)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    smtp_server[1].clear()
    return smtp_server[1]


@pytest.fixture(scope="module")
def worker(pg_url, broker_url, smtp_server, tmp_path_factory):
    """A real ``celery worker`` subprocess (solo pool) on the shared database and broker."""
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server[0]),
        "MAIL_SUPPRESS_SEND": "false",
        "UPLOAD_DIR": str(log_path.parent / "uploads"),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "celery", "-A", "tasks.celery_app", "worker"]
    command += ["--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
    command += ["--without-heartbeat", "-n", f"itest-{os.getpid()}@%h"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        _wait_ready(process, log_path)
        yield WorkerHandle(process, log_path)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkerHandle:
    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_ready(process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        if " ready." in text:
            return
        if process.poll() is not None:
            pytest.fail(f"celery worker exited with {process.returncode}:\n{text[-3000:]}")
        time.sleep(0.1)
    pytest.fail(f"celery worker not ready in {WORKER_START_TIMEOUT} s:\n{text[-3000:]}")


@pytest.fixture(scope="module")
def producer(broker_url):
    """A producer-only Celery app on the real broker, as the web process has."""
    celery = Celery("integration-tests", set_as_current=False)
    celery.conf.update(broker_settings(celery_config(broker_url)))
    yield celery
    celery.close()
