"""Read models of a campaign: list counts, the assignment's result, per-expert and per-school
lists (pages, API and XLSX exports). Column queries only; no machines per row."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckTask,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.crosscheck.permissions import campaign_scope, coordinates_campaign
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.orgs.models import School
from workflows.score_sheet import LIVE_STATES, ROLE_LABELS, SheetRole


def campaign_for(user: User, campaign_id: int) -> CrossCheckCampaign | None:
    """The campaign if the user coordinates it, else None (404: existence is not revealed)."""
    campaign = db.session.get(CrossCheckCampaign, campaign_id)
    if campaign is None or not coordinates_campaign(user, campaign):
        return None
    return campaign


def campaigns_of(user: User) -> list[CrossCheckCampaign]:
    stmt = select(CrossCheckCampaign).where(campaign_scope(user))
    return list(db.session.scalars(stmt.order_by(CrossCheckCampaign.id.desc())))


def list_counts(campaign_id: int) -> dict[str, int]:
    def n(model) -> int:
        stmt = select(func.count()).select_from(model).where(model.campaign_id == campaign_id)
        return db.session.scalar(stmt)

    return {"tasks": n(CrossCheckTask), "works": n(CrossCheckWork), "experts": n(CrossCheckExpert)}


def job_of(campaign: CrossCheckCampaign) -> Job | None:
    return None if campaign.job_id is None else db.session.get(Job, campaign.job_id)


def _live():
    return ScoreSheet.state.in_([str(s) for s in LIVE_STATES])


def expert_loads(campaign_id: int) -> list[dict]:
    """Every expert with its live sheets by role against its capacity, heaviest ratio first."""
    stmt = (
        select(ScoreSheet.expert_id, ScoreSheet.role, func.count())
        .where(ScoreSheet.campaign_id == campaign_id, _live())
        .group_by(ScoreSheet.expert_id, ScoreSheet.role)
    )
    loads: dict[int, dict[str, int]] = {}
    for expert_id, role, n in db.session.execute(stmt):
        loads.setdefault(expert_id, {})[role] = n
    experts = db.session.execute(
        select(
            CrossCheckExpert.id,
            CrossCheckExpert.full_name,
            CrossCheckExpert.email,
            CrossCheckExpert.capacity,
            School.code,
            School.short_name,
        )
        .join(School, School.id == CrossCheckExpert.school_id)
        .where(CrossCheckExpert.campaign_id == campaign_id)
    )
    rows = []
    for expert_id, name, email, capacity, code, school in experts:
        by_role = loads.get(expert_id, {})
        total = sum(by_role.values())
        rows.append(
            {
                "id": expert_id,
                "name": name,
                "email": email,
                "school_code": code,
                "school": school,
                "capacity": capacity,
                "first": by_role.get(SheetRole.FIRST.value, 0),
                "second": by_role.get(SheetRole.SECOND.value, 0),
                "third": by_role.get(SheetRole.THIRD.value, 0),
                "total": total,
                "ratio": (total / capacity) if capacity else (0.0 if not total else float("inf")),
            }
        )
    rows.sort(key=lambda r: (-r["ratio"], r["name"]))
    return rows


def packages(campaign_id: int) -> list[dict]:
    """Per package (school × subject × grade): works and how many experts check them."""
    works = db.session.execute(
        select(
            CrossCheckWork.school_id,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            func.count(),
        )
        .where(CrossCheckWork.campaign_id == campaign_id)
        .group_by(CrossCheckWork.school_id, CrossCheckWork.subject, CrossCheckWork.grade)
    ).all()
    experts = db.session.execute(
        select(
            CrossCheckWork.school_id,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            ScoreSheet.role,
            func.count(func.distinct(ScoreSheet.expert_id)),
        )
        .join(CrossCheckWork, CrossCheckWork.id == ScoreSheet.work_id)
        .where(ScoreSheet.campaign_id == campaign_id, _live())
        .group_by(
            CrossCheckWork.school_id, CrossCheckWork.subject, CrossCheckWork.grade, ScoreSheet.role
        )
    ).all()
    per: dict[tuple, dict[str, int]] = {}
    for school_id, subject, grade, role, n in experts:
        per.setdefault((school_id, subject, grade), {})[role] = n
    names = dict(db.session.execute(select(School.id, School.short_name)).all())
    out = [
        {
            "school": names.get(school_id, ""),
            "subject": subject,
            "grade": grade,
            "works": n,
            "first_experts": per.get((school_id, subject, grade), {}).get("first", 0),
            "second_experts": per.get((school_id, subject, grade), {}).get("second", 0),
        }
        for school_id, subject, grade, n in works
    ]
    out.sort(key=lambda r: (r["school"], r["subject"], r["grade"]))
    return out


EXPERT_LIST_HEADER = [
    "Эксперт",
    "E-mail",
    "Школа эксперта",
    "Проверка",
    "Предмет",
    "Класс",
    "Код участника",
    "Школа работы",
]
SCHOOL_LIST_HEADER = [
    "Школа",
    "Предмет",
    "Класс",
    "Код участника",
    "Проверка",
    "Эксперт",
    "Школа эксперта",
]


def _sheet_rows(campaign_id: int, order):
    expert_school = School.__table__.alias("expert_school")
    work_school = School.__table__.alias("work_school")
    stmt = (
        select(
            CrossCheckExpert.full_name,
            CrossCheckExpert.email,
            expert_school.c.short_name,
            ScoreSheet.role,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            CrossCheckWork.participant_code,
            work_school.c.short_name,
        )
        .join(CrossCheckWork, CrossCheckWork.id == ScoreSheet.work_id)
        .join(CrossCheckExpert, CrossCheckExpert.id == ScoreSheet.expert_id)
        .join(expert_school, expert_school.c.id == CrossCheckExpert.school_id)
        .join(work_school, work_school.c.id == CrossCheckWork.school_id)
        .where(ScoreSheet.campaign_id == campaign_id, _live())
        .order_by(*order(expert_school, work_school))
    )
    return db.session.execute(stmt.execution_options(yield_per=5_000))


def per_expert_rows(campaign_id: int) -> Iterator[list]:
    """One row per live sheet, grouped by expert (the per-expert list)."""
    rows = _sheet_rows(
        campaign_id,
        lambda es, ws: (
            CrossCheckExpert.full_name,
            CrossCheckExpert.id,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            CrossCheckWork.participant_code,
        ),
    )
    for name, email, e_school, role, subject, grade, code, w_school in rows:
        label = ROLE_LABELS[SheetRole(role)]
        yield [name, email, e_school, label, subject, grade, code, w_school]


def per_school_rows(campaign_id: int) -> Iterator[list]:
    """One row per live sheet, grouped by the works' school (the per-school list)."""
    rows = _sheet_rows(
        campaign_id,
        lambda es, ws: (
            ws.c.short_name,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            CrossCheckWork.participant_code,
            ScoreSheet.role,
        ),
    )
    for name, _email, e_school, role, subject, grade, code, w_school in rows:
        label = ROLE_LABELS[SheetRole(role)]
        yield [w_school, subject, grade, code, label, name, e_school]


def campaign_json(campaign: CrossCheckCampaign) -> dict:
    """``GET /api/v1/crosschecks/<id>``: settings, state, lists, summary, unassigned."""
    summary = campaign.summary or {}
    engine = summary.get("engine", {})
    return {
        "id": campaign.id,
        "title": campaign.title,
        "state": campaign.state,
        "region_id": campaign.region_id,
        "municipality_id": campaign.municipality_id,
        "scope": campaign.scope,
        "no_reciprocal": campaign.no_reciprocal,
        "second_share": campaign.second_share,
        "thresholds": [
            {
                "subject": r.subject,
                "grade": r.grade,
                "threshold": r.threshold,
                "scale": r.mark_scale,
            }
            for r in campaign.rules
        ],
        "lists": list_counts(campaign.id),
        "job_id": campaign.job_id,
        "summary": {
            "run": summary.get("run", 0),
            "works": summary.get("works", 0),
            "sheets": summary.get("sheets", 0),
            "kept_works": summary.get("kept_works", 0),
            "withdrawn": summary.get("withdrawn", 0),
            "load": engine.get("load"),
            "totals": engine.get("totals"),
            "experts_per_package": engine.get("experts_per_package"),
        },
        "unassigned": summary.get("unassigned", []),
    }
