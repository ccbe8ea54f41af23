"""Celery tasks, one module per feature; the app lives in ``tasks.celery_app``."""
