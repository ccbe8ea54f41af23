"""Result files of jobs: ``UPLOAD_DIR/jobs/<job id>/<generated name>``, never a user's path."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import current_app

SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,8}$")


def job_dir(job_id: int) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "jobs" / str(int(job_id))


def save_result_file(job_id: int, data: bytes, suffix: str) -> str:
    """Write ``data`` under a generated name; store the returned name in the job's result."""
    if not SUFFIX.match(suffix):
        raise ValueError(f"bad suffix {suffix!r}")
    folder = job_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{suffix}"
    (folder / name).write_bytes(data)
    return name


def result_file(job_id: int, name: str) -> Path | None:
    """The path of a stored result file, or None for any name we did not generate."""
    if not NAME.match(name):
        return None
    path = job_dir(job_id) / name
    return path if path.is_file() else None
