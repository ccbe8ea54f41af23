"""Who may see and cancel a job: the user who started it, and the admin."""

from __future__ import annotations

from webapp.auth.models import RoleCode
from webapp.jobs.models import Job


def can_view_job(user, job: Job) -> bool:
    """The starter of the job or an admin (anonymous users never)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return job.started_by_id == user.id or user.has_role(RoleCode.ADMIN)


def can_cancel_job(user, job: Job) -> bool:
    """Whoever may see an unfinished cancellable job may cancel it."""
    return job.cancellable and not job.finished and can_view_job(user, job)


def can_start_pairing(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_role(RoleCode.ADMIN)
