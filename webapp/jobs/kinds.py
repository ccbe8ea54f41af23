"""The kinds of background job: which Celery task runs each, and its title for people."""

from __future__ import annotations

PAIR_SCHOOLS = "expertise.pair"
CROSSCHECK_ASSIGN = "crosscheck.assign"
CROSSCHECK_REPORT = "crosscheck.objectivity"

TASK_FOR_KIND = {
    PAIR_SCHOOLS: "jobs.pair_schools",
    CROSSCHECK_ASSIGN: "jobs.crosscheck_assign",
    CROSSCHECK_REPORT: "jobs.crosscheck_report",
}

KIND_LABELS = {
    PAIR_SCHOOLS: "Распределение взаимоэкспертизы",
    CROSSCHECK_ASSIGN: "Распределение работ перекрёстной проверки ВПР",
    CROSSCHECK_REPORT: "Отчёт об объективности результатов ВПР",
}
