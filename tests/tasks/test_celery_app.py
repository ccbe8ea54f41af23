"""tasks.celery_app as the worker imports it (in a subprocess: it builds its own Flask app)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tasks.notifications import RETRY_CAP_SECONDS
from webapp.notifications.dispatch import VISIBILITY_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
from tasks.celery_app import celery_app, flask_app
celery_app.loader.import_default_modules()
conf = celery_app.conf
print(json.dumps({
    "tasks": sorted(n for n in celery_app.tasks if not n.startswith("celery.")),
    "beat": {k: v["task"] for k, v in conf.beat_schedule.items()},
    "acks_late": conf.task_acks_late,
    "prefetch": conf.worker_prefetch_multiplier,
    "ignore_result": conf.task_ignore_result,
    "serializer": conf.task_serializer,
    "accept": conf.accept_content,
    "broker": conf.broker_url,
    "queue": conf.task_default_queue,
    "visibility": conf.broker_transport_options.get("visibility_timeout"),
    "bound": flask_app.extensions["celery"] is celery_app,
}))
"""


def probe(tmp_path: Path, **env: str) -> dict:
    environ = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}
    environ["UPLOAD_DIR"] = str(tmp_path / "uploads")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_worker_app_settings_and_beat_schedule(tmp_path):
    conf = probe(
        tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/5", CELERY_TASK_DEFAULT_QUEUE="q1"
    )

    assert conf["tasks"] == [
        "crosscheck.assign_third_check",
        "crosscheck.scan",
        "deadlines.escalate_overdue",
        "diary.remind_followups",
        "expertise.scan_deadlines",
        "jobs.crosscheck_assign",
        "jobs.crosscheck_report",
        "jobs.pair_schools",
        "jobs.report_regional",
        "jobs.report_register",
        "jobs.sweep",
        "notifications.send_digests",
        "notifications.send_email",
        "notifications.sweep_outbox",
        "uploads.sweep_partial",
    ]
    assert set(conf["beat"].values()) <= set(conf["tasks"])
    assert conf["beat"] == {
        "notifications-sweep-outbox": "notifications.sweep_outbox",
        "deadlines-escalate-overdue": "deadlines.escalate_overdue",
        "jobs-sweep": "jobs.sweep",
        "expertise-scan-deadlines": "expertise.scan_deadlines",
        "uploads-sweep-partial": "uploads.sweep_partial",
        "crosscheck-scan": "crosscheck.scan",
        "notifications-send-digests": "notifications.send_digests",
        "diary-remind-followups": "diary.remind_followups",
    }
    assert (conf["acks_late"], conf["prefetch"], conf["ignore_result"]) == (True, 1, True)
    assert (conf["serializer"], conf["accept"]) == ("json", ["json"])
    assert (conf["broker"], conf["queue"]) == ("redis://127.0.0.1:6379/5", "q1")
    assert conf["visibility"] == VISIBILITY_TIMEOUT > RETRY_CAP_SECONDS
    assert conf["bound"]
