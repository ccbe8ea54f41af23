"""The dashboards' charts: the shared inline SVG (``webapp.common.charts``) fed with their rows.

Each chart has its numbers in a table beside it on the page; the SVG is a picture of that table.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup

from webapp.common.charts import progress_svg, stacked_bars_svg
from webapp.dashboards.queries import CrossCheckLine, Row
from workflows import crosscheck_campaign, document, evidence_check, peer_assignment, roadmap_item
from workflows.document import DocumentState as D
from workflows.evidence_check import EvidenceState as E
from workflows.peer_assignment import PeerState as P
from workflows.roadmap_item import ItemState as I

SMALL = 320  # one bar: narrow, so a phone shows it near full size
CHART_ROWS = 20  # bars drawn (the first rows: most overdue curators first); the table holds all

DOCUMENT_COLOURS = {
    D.DRAFT: "#adb5bd",
    D.WITHDRAWN: "#6c757d",
    D.SUBMITTED: "#f0ad4e",
    D.CURATOR_REVIEW: "#d98b1f",
    D.REVISION_REQUESTED: "#c0392b",
    D.CURATOR_ACCEPTED: "#5b9bd5",
    D.PEER_REVIEW: "#2f6fb0",
    D.PEER_REVIEWED: "#1f4e79",
    D.APPROVED: "#2e7d32",
}
EVIDENCE_COLOURS = {
    E.DRAFT: "#adb5bd",
    E.RETURNED: "#c0392b",
    E.SUBMITTED: "#f0ad4e",
    E.ACCEPTED: "#2e7d32",
    E.NOT_DONE: "#6c757d",
}
PEER_COLOURS = {
    P.ASSIGNED: "#f0ad4e",
    P.ACCEPTED: "#2f6fb0",
    P.SUBMITTED: "#2e7d32",
    P.DECLINED: "#c0392b",
    P.EXPIRED: "#8e44ad",
    P.CANCELLED: "#6c757d",
}
ROADMAP_COLOURS = {
    I.PLANNED: "#adb5bd",
    I.IN_PROGRESS: "#2f6fb0",
    I.DONE: "#2e7d32",
    I.REMOVED: "#6c757d",
}


def labels() -> dict[str, dict[str, str]]:
    """State labels of every workflow shown, for the tables (translated in the template)."""
    return {
        "document": {str(k): v for k, v in document.STATE_LABELS.items()},
        "evidence": {str(k): v for k, v in evidence_check.STATE_LABELS.items()},
        "peer": {str(k): v for k, v in peer_assignment.STATE_LABELS.items()},
        "roadmap": {str(k): v for k, v in roadmap_item.STATE_LABELS.items()},
        "crosscheck": {str(k): v for k, v in crosscheck_campaign.STATE_LABELS.items()},
        "level": {"school": "Школа", "municipality": "Муниципалитет", "region": "Регион"},
    }


def _stacked(rows: Sequence[Row], colours: dict, state_labels: dict, title: str) -> Markup | None:
    if not rows:
        return None
    states = [s for s in colours if any(r.counts.get(s) for r in rows)]
    series = [(_(state_labels[s]), colours[s]) for s in states]
    bars = [(r.label, [r.counts.get(s, 0) for s in states]) for r in rows[:CHART_ROWS]]
    return stacked_bars_svg(bars, series, title=title)


def documents_chart(rows: Sequence[Row], *, by_curator: bool = False) -> Markup | None:
    title = _("Документы по кураторам") if by_curator else _("Документы по состояниям")
    return _stacked(rows, DOCUMENT_COLOURS, document.STATE_LABELS, title)


def measures_chart(rows: Sequence[Row]) -> Markup | None:
    if not rows:
        return None
    bars = [(r.label, r.counts.get(E.ACCEPTED, 0), r.total) for r in rows[:CHART_ROWS]]
    return progress_svg(bars, title=_("Мероприятия: принято из запланированных"))


def peer_chart(row: Row) -> Markup | None:
    if not row.total:
        return None
    return _stacked([row], PEER_COLOURS, peer_assignment.STATE_LABELS, _("Взаимоэкспертиза"))


def roadmaps_chart(rows: Sequence[Row]) -> Markup | None:
    level = labels()["level"]
    shown = [Row(r.key, _(level[r.label]), r.counts) for r in rows if r.total]
    return _stacked(shown, ROADMAP_COLOURS, roadmap_item.STATE_LABELS, _("Дорожные карты"))


def crosscheck_chart(lines: Sequence[CrossCheckLine]) -> Markup | None:
    if not lines:
        return None
    bars = [(line.title, line.checked, line.works) for line in lines]
    return progress_svg(bars, title=_("Перекрёстная проверка: проверено работ"))


def done_chart(items, done_state: str) -> Markup | None:
    if not items:
        return None
    done = sum(1 for item in items if item.state == done_state)
    bars = [(_("Документы"), done, len(items))]
    return progress_svg(bars, title=_("Документы утверждены"), width=SMALL)


def counts_progress(counts: dict[str, int]) -> Markup | None:
    total = sum(counts.values())
    if not total:
        return None
    bars = [(_("Мероприятия"), counts.get(E.ACCEPTED, 0), total)]
    return progress_svg(bars, title=_("Мероприятия приняты"), width=SMALL)
