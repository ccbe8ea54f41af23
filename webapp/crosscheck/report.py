"""The objectivity report of a campaign read from the database, and who may see which level.

Levels: a school (its members, and coordinators whose scope holds it), a municipality (its
municipal coordinator, and the campaign's coordinators), the whole campaign (the campaign's
coordinators: the admin, the regional coordinator of its region, the municipal coordinator of a
municipal campaign). Anyone else, or a school outside the campaign: nothing (404).
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict

from sqlalchemy import Text, cast, func, select

from webapp.auth.models import RoleCode, User
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckSubjectRule,
    CrossCheckTask,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.crosscheck.objectivity import (
    MarkScale,
    Work,
    build_report,
    campaign_reference,
    final_points,
)
from webapp.crosscheck.permissions import coordinates_campaign
from webapp.extensions import db
from webapp.jobs.progress import Progress
from webapp.orgs.models import Municipality, School
from workflows.score_sheet import SheetState

SIGN_TEXTS = {
    "peak_3": "пик сразу над границей отметки «3»",
    "peak_4": "пик сразу над границей отметки «4»",
    "peak_5": "пик сразу над границей отметки «5»",
    "easy_hard": "лёгкие задания выполнены хуже трудных",
    "max_share": "высокая доля максимальных баллов",
}
DIRECTION_TEXTS = {
    "school_higher": "баллы школы выше перепроверки",
    "school_lower": "баллы школы ниже перепроверки",
    "none": "выраженного направления нет",
}
CAVEAT = (
    "Признаки — повод для анализа вместе со школой, а не доказательство необъективности. "
    "Результаты ВПР не используются для наказания учителей."
)


def campaign_school_ids(campaign_id: int) -> set[int]:
    stmt = select(CrossCheckWork.school_id).where(CrossCheckWork.campaign_id == campaign_id)
    return set(db.session.scalars(stmt.distinct()))


def may_see(
    user: User,
    campaign: CrossCheckCampaign,
    *,
    school_id: int | None = None,
    municipality_id: int | None = None,
) -> bool:
    """May the user open this level of this campaign's report?"""
    if coordinates_campaign(user, campaign):
        return True
    if school_id is not None:
        school = db.session.get(School, school_id)
        if school is None or school_id not in campaign_school_ids(campaign.id):
            return False
        return any(
            (m.role == RoleCode.SCHOOL and m.school_id == school_id)
            or (
                m.role == RoleCode.MUNICIPAL_COORDINATOR
                and m.municipality_id == school.municipality_id
                and school.municipality.region_id == campaign.region_id
            )
            for m in user.memberships
        )
    if municipality_id is not None:
        muni = db.session.get(Municipality, municipality_id)
        if campaign.municipality_id not in (None, municipality_id):
            return False
        if not _has_works(campaign.id, municipality_id):
            return False
        return muni is not None and any(
            m.role == RoleCode.MUNICIPAL_COORDINATOR
            and m.municipality_id == municipality_id
            and muni.region_id == campaign.region_id
            for m in user.memberships
        )
    return False


def _has_works(campaign_id: int, municipality_id: int) -> bool:
    stmt = (
        select(CrossCheckWork.id)
        .join(School, School.id == CrossCheckWork.school_id)
        .where(CrossCheckWork.campaign_id == campaign_id, School.municipality_id == municipality_id)
        .limit(1)
    )
    return db.session.scalars(stmt).first() is not None


def default_level(user: User, campaign: CrossCheckCampaign) -> dict:
    """The widest level the user may open: campaign, else its municipality, else its school."""
    if coordinates_campaign(user, campaign):
        return {}
    for m in user.memberships:
        if m.role == RoleCode.MUNICIPAL_COORDINATOR and may_see(
            user, campaign, municipality_id=m.municipality_id
        ):
            return {"municipality_id": m.municipality_id}
    for m in user.memberships:
        if m.role == RoleCode.SCHOOL and may_see(user, campaign, school_id=m.school_id):
            return {"school_id": m.school_id}
    return None


def _quiet(stage: str, fraction: float) -> None:
    """No progress to report (a page computing a small level inline)."""


def works_in_scope(
    campaign_id: int, school_id: int | None = None, municipality_id: int | None = None
) -> int:
    """How many works the level has (decides between computing inline and a job)."""
    stmt = (
        select(func.count(CrossCheckWork.id))
        .join(School, School.id == CrossCheckWork.school_id)
        .where(CrossCheckWork.campaign_id == campaign_id)
    )
    return db.session.scalar(_in_scope(stmt, school_id, municipality_id)) or 0


def _in_scope(stmt, school_id: int | None, municipality_id: int | None):
    if school_id is not None:
        return stmt.where(CrossCheckWork.school_id == school_id)
    if municipality_id is not None:
        return stmt.where(School.municipality_id == municipality_id)
    return stmt


def _rows_with_points(stmt) -> tuple[list, list]:
    """Rows of ``stmt`` (its last column a JSON list cast to text) and their points, decoded
    with one ``json.loads`` of the whole column: one C call instead of one per row, which was
    most of a region report's time (≈ 730 000 JSON values)."""
    rows = db.session.execute(stmt).all()
    points = json.loads("[" + ",".join(r[-1] or "null" for r in rows) + "]")
    return rows, points


def load_works(
    campaign_id: int,
    school_id: int | None = None,
    municipality_id: int | None = None,
    progress: Progress = _quiet,
) -> list[Work]:
    """The works in scope with their final re-check points, as plain data."""
    progress("load", 0.05)
    finals: dict[int, dict[str, list[int]]] = defaultdict(dict)
    sheets = (
        select(ScoreSheet.work_id, ScoreSheet.role, cast(ScoreSheet.points, Text))
        .join(CrossCheckWork, CrossCheckWork.id == ScoreSheet.work_id)
        .join(School, School.id == CrossCheckWork.school_id)
        .where(ScoreSheet.campaign_id == campaign_id, ScoreSheet.state == SheetState.SUBMITTED)
    )
    rows, points = _rows_with_points(_in_scope(sheets, school_id, municipality_id))
    for (work_id, role, _text), p in zip(rows, points, strict=True):
        finals[work_id][role] = p
    stmt = (
        select(
            CrossCheckWork.id,
            CrossCheckWork.school_id,
            School.municipality_id,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            cast(CrossCheckWork.school_points, Text),
        )
        .join(School, School.id == CrossCheckWork.school_id)
        .where(CrossCheckWork.campaign_id == campaign_id)
    )
    progress("load", 0.3)
    rows, points = _rows_with_points(_in_scope(stmt, school_id, municipality_id))
    progress("load", 0.45)
    works = []
    for (wid, sid, muni_id, subject, grade, _text), own in zip(rows, points, strict=True):
        f = finals.get(wid)
        again = final_points(f.get("first"), f.get("second"), f.get("third")) if f else None
        works.append(Work(wid, sid, muni_id, subject, grade, tuple(own), again))
    return works


def task_maxima(campaign_id: int) -> dict[tuple[str, int], list[int]]:
    maxima: dict[tuple[str, int], list[int]] = defaultdict(list)
    tasks = (
        select(CrossCheckTask.subject, CrossCheckTask.grade, CrossCheckTask.max_points)
        .where(CrossCheckTask.campaign_id == campaign_id)
        .order_by(CrossCheckTask.subject, CrossCheckTask.grade, CrossCheckTask.number)
    )
    for subject, grade, m in db.session.execute(tasks):
        maxima[(subject, grade)].append(m)
    return dict(maxima)


# The campaign-wide reference (task success, maximum totals) depends only on the works list,
# which changes only when it is imported again: computed once per process and list version.
_REFERENCES: dict[int, tuple[tuple, dict]] = {}
_REFERENCES_KEPT = 16


def reference_for(campaign_id: int, maxima: dict) -> dict:
    count, top = db.session.execute(
        select(func.count(CrossCheckWork.id), func.max(CrossCheckWork.id)).where(
            CrossCheckWork.campaign_id == campaign_id
        )
    ).one()
    tasks = tuple(sorted((k, tuple(v)) for k, v in maxima.items()))
    version = (str(db.engine.url), count, top, tasks)
    cached = _REFERENCES.get(campaign_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    rows, points = _rows_with_points(
        select(
            CrossCheckWork.subject, CrossCheckWork.grade, cast(CrossCheckWork.school_points, Text)
        ).where(CrossCheckWork.campaign_id == campaign_id)
    )
    works = (
        Work(0, 0, 0, subject, grade, tuple(own))
        for (subject, grade, _text), own in zip(rows, points, strict=True)
    )
    reference = campaign_reference(works, maxima)
    if len(_REFERENCES) >= _REFERENCES_KEPT:
        _REFERENCES.pop(next(iter(_REFERENCES)))
    _REFERENCES[campaign_id] = (version, reference)
    return reference


def _scales(campaign_id: int) -> dict[tuple[str, int], MarkScale]:
    stmt = select(CrossCheckSubjectRule).where(CrossCheckSubjectRule.campaign_id == campaign_id)
    scales = {}
    for rule in db.session.scalars(stmt):
        try:
            scales[(rule.subject, rule.grade)] = MarkScale(*rule.mark_scale)
        except (TypeError, ValueError):  # no scale, or boundaries that do not grow: no marks
            continue
    return scales


# Finished reports, per process, until the campaign's data changes (a new works list, a sheet
# submitted or reopened): a region-size report reads every work, so it is worth keeping.
_REPORTS: dict[tuple, dict] = {}
_REPORTS_KEPT = 64


def data_version(campaign_id: int) -> tuple:
    """Changes whenever a submitted score or the works list changes."""
    works = db.session.execute(
        select(func.count(CrossCheckWork.id), func.max(CrossCheckWork.id)).where(
            CrossCheckWork.campaign_id == campaign_id
        )
    ).one()
    sheets = db.session.execute(
        select(
            func.count(ScoreSheet.id),
            func.max(ScoreSheet.state_changed_at),
            func.max(ScoreSheet.lock_version),
        ).where(ScoreSheet.campaign_id == campaign_id, ScoreSheet.state == SheetState.SUBMITTED)
    ).one()
    return (str(db.engine.url), *works, *sheets)


def version_key(campaign_id: int) -> str:
    """:func:`data_version` as a short text stored with a computed report (the job's params)."""
    return version_text(data_version(campaign_id))


def version_text(version: tuple) -> str:
    _url, *parts = version
    return "/".join("" if p is None else str(p) for p in parts)


def campaign_report(
    campaign: CrossCheckCampaign,
    *,
    school_id: int | None = None,
    municipality_id: int | None = None,
) -> dict:
    """The report as JSON-ready data, with school and municipality names added (a copy of the
    cached one while the campaign's data has not changed)."""
    key = (campaign.id, school_id, municipality_id, data_version(campaign.id))
    cached = _REPORTS.get(key)
    if cached is None:
        cached = build(campaign, school_id, municipality_id)
        if len(_REPORTS) >= _REPORTS_KEPT:
            _REPORTS.pop(next(iter(_REPORTS)))
        _REPORTS[key] = cached
    return copy.deepcopy(cached)


def build(
    campaign: CrossCheckCampaign,
    school_id: int | None = None,
    municipality_id: int | None = None,
    progress: Progress = _quiet,
) -> dict:
    """Compute the report of one level from the database (no cache); ``progress(stage,
    fraction)`` is told how far it got (the report job's bar)."""
    maxima, scales = task_maxima(campaign.id), _scales(campaign.id)
    works = load_works(campaign.id, school_id, municipality_id, progress)
    progress("report", 0.6)
    # the campaign's level holds every work: its reference is computed from them (None)
    region = school_id is None and municipality_id is None
    reference = None if region else reference_for(campaign.id, maxima)
    progress("report", 0.65)
    report = build_report(
        works,
        maxima,
        scales,
        school_id=school_id,
        municipality_id=municipality_id,
        reference=reference,
    )
    progress("save", 0.95)
    ids = {row["school_id"] for row in report["schools"]}
    names = dict(
        db.session.execute(select(School.id, School.short_name).where(School.id.in_(ids))).all()
    )
    for row in report["schools"] + report["signs"]:
        row["school_name"] = names.get(row["school_id"], "")
    report["campaign_id"] = campaign.id
    report["school_id"] = school_id
    report["municipality_id"] = municipality_id
    report["scales"] = {f"{s}:{g}": list(v.boundaries.values()) for (s, g), v in scales.items()}
    report["caveat"] = CAVEAT
    return report
