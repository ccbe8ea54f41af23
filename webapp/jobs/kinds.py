"""The kinds of background job: which Celery task runs each, and its title for people."""

from __future__ import annotations

PAIR_SCHOOLS = "expertise.pair"

TASK_FOR_KIND = {PAIR_SCHOOLS: "jobs.pair_schools"}

KIND_LABELS = {PAIR_SCHOOLS: "Распределение взаимоэкспертизы"}
