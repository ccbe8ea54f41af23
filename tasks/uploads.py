"""Resumable uploads: the sweep that removes partial uploads nobody resumed in time."""

from __future__ import annotations

from celery import shared_task

from webapp.uploads.services import sweep_partial


@shared_task(name="uploads.sweep_partial")
def sweep() -> int:
    """Remove expired partial uploads (idempotent: a second run finds nothing to remove)."""
    return sweep_partial()
