"""The kinds of background job: which Celery task runs each, and its title for people."""

from __future__ import annotations

PAIR_SCHOOLS = "expertise.pair"
CROSSCHECK_ASSIGN = "crosscheck.assign"
REPORT_REGIONAL = "reports.regional_docx"
REPORT_DOCUMENTS = "reports.documents_xlsx"
REPORT_MEASURES = "reports.measures_xlsx"
REPORT_ROADMAP = "reports.roadmap_xlsx"
REPORT_KINDS = (REPORT_REGIONAL, REPORT_DOCUMENTS, REPORT_MEASURES, REPORT_ROADMAP)
CROSSCHECK_REPORT = "crosscheck.objectivity"

TASK_FOR_KIND = {
    PAIR_SCHOOLS: "jobs.pair_schools",
    CROSSCHECK_ASSIGN: "jobs.crosscheck_assign",
    REPORT_REGIONAL: "jobs.report_regional",
    REPORT_DOCUMENTS: "jobs.report_register",
    REPORT_MEASURES: "jobs.report_register",
    REPORT_ROADMAP: "jobs.report_register",
    CROSSCHECK_REPORT: "jobs.crosscheck_report",
}

KIND_LABELS = {
    PAIR_SCHOOLS: "Распределение взаимоэкспертизы",
    CROSSCHECK_ASSIGN: "Распределение работ перекрёстной проверки ВПР",
    REPORT_REGIONAL: "Аналитическая справка по региону (DOCX)",
    REPORT_DOCUMENTS: "Реестр документов с результатами проверки (XLSX)",
    REPORT_MEASURES: "Реестр мероприятий и подтверждений (XLSX)",
    REPORT_ROADMAP: "Реестр пунктов дорожных карт (XLSX)",
    CROSSCHECK_REPORT: "Отчёт об объективности результатов ВПР",
}
