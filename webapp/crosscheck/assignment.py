"""Assignment as a job (kind ``crosscheck.assign``): run the engine, store score sheets.

``start_assignment`` checks with the campaign machine that ``assign`` is allowed now and queues
the job. The job's work (``run_assignment``) builds the engine's packages (the works of one
school, subject and grade) and experts from the database, runs the engine with the job's
progress callback and then, after its last progress report, in one transaction:

* keeps every work that has a begun sheet (in progress or submitted) as it is, with all its live
  sheets; their sheets count against their experts' capacity;
* withdraws (through the sheet machine, audited) every untouched sheet of the other works;
* creates ``first`` and ``second`` sheets for those works from the engine's answer;
* fires ``assign`` on the campaign and stores the summary on it; commits.

The runner rolls the work's session back before recording the outcome; the work has committed
by then, so what it stored stays.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext
from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.crosscheck.bulk import bulk_insert
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckWork,
    ScoreSheet,
)
from webapp.crosscheck.workflow import CAMPAIGNS, build_campaign_context
from webapp.documents.workflow import SYSTEM_NAME
from webapp.extensions import db
from webapp.jobs.engines import (
    CrossCheckExpertIn,
    CrossCheckOptions,
    CrossCheckPackage,
    CrossCheckScope,
    solve_crosscheck,
)
from webapp.jobs.errors import JobInputError
from webapp.jobs.kinds import CROSSCHECK_ASSIGN
from webapp.jobs.models import Job
from webapp.jobs.progress import Progress, band
from webapp.jobs.services import create_job
from webapp.orgs.models import School
from webapp.workflow.service import apply_transition, lock
from workflows.crosscheck_campaign import STATE_LABELS, CampaignState, CampaignTrigger
from workflows.machine import StateConflict
from workflows.score_sheet import (
    BEGUN_STATES,
    LIVE_STATES,
    SheetActor,
    SheetRole,
    SheetState,
    SheetTrigger,
)
from workflows.score_sheet import Context as SheetContext

ENGINE_BAND = (0.1, 0.9)
SCOPES = {
    "any": "any",
    "same_municipality": "same-municipality",
    "other_municipality": "other-municipality",
}
ROLE_OF = {"primary": SheetRole.FIRST.value, "second": SheetRole.SECOND.value}
REASON_RERUN = "Повторное распределение"
ASSIGNED = SheetState.ASSIGNED.value


def start_assignment(campaign_id: int, actor: User) -> Job:
    """Queue the assignment job if the machine allows ``assign`` now; flush."""
    campaign = lock(CAMPAIGNS, campaign_id)
    if campaign is None:
        raise LookupError(campaign_id)
    if not campaign.workflow.transitions_for(CampaignTrigger.ASSIGN, campaign.state):
        label = gettext(STATE_LABELS[CampaignState(campaign.state)])
        raise StateConflict(
            gettext(
                "Кампания в состоянии «%(state)s»: распределять работы сейчас нельзя.",
                state=label,
            ),
            trigger=CampaignTrigger.ASSIGN,
        )
    campaign.check_fire(CampaignTrigger.ASSIGN, ctx=build_campaign_context(campaign, actor))
    running = db.session.get(Job, campaign.job_id) if campaign.job_id else None
    if running is not None and not running.finished:
        raise StateConflict(
            gettext("Распределение этой кампании уже идёт (задание №%(job)s).", job=running.id),
            trigger=CampaignTrigger.ASSIGN,
        )
    job = create_job(CROSSCHECK_ASSIGN, {"campaign_id": campaign.id}, started_by_id=actor.id)
    campaign.job_id = job.id
    db.session.flush()
    return job


def package_key(school_id: int, subject: str, grade: int) -> str:
    return f"{school_id}:{subject}:{grade}"


def run_assignment(params: dict, progress: Progress) -> dict:
    """The job's work: see the module's text."""
    progress("load", 0.0)
    campaign = db.session.get(CrossCheckCampaign, int(params["campaign_id"]))
    if campaign is None:
        raise JobInputError("Кампания не найдена.")
    job = db.session.get(Job, campaign.job_id) if campaign.job_id else None
    actor = db.session.get(User, job.started_by_id) if job and job.started_by_id else None
    campaign.check_fire(
        CampaignTrigger.ASSIGN, ctx=build_campaign_context(campaign, actor, system=True)
    )
    municipality = dict(db.session.execute(select(School.id, School.municipality_id)).all())
    kept_works, kept_load = _kept(campaign.id)
    works = _open_works(campaign.id, kept_works)
    packages = [
        CrossCheckPackage(
            key, str(school_id), str(municipality[school_id]), subject, grade, len(ids)
        )
        for key, (school_id, subject, grade, ids) in works.items()
    ]
    experts = _experts(campaign.id, municipality, kept_load)
    options = CrossCheckOptions(
        scope=CrossCheckScope(SCOPES[campaign.scope]),
        no_reciprocal=campaign.no_reciprocal,
        second_check=campaign.second_share,
    )
    progress("assign", ENGINE_BAND[0])
    if packages and experts:
        result = solve_crosscheck(packages, experts, options, progress=band(progress, *ENGINE_BAND))
        assignments, unassigned, summary = result.assignments, result.unassigned, result.summary
    else:
        assignments, summary = [], {}
        unassigned = _nothing_possible(packages, experts, campaign.second_share)
    progress("save", 0.95)
    # No progress report after this point: on SQLite the work must not hold writes while it
    # reports (the reporter writes on its own connection).
    withdrawn = _withdraw_untouched(campaign, kept_works, actor)
    run = campaign.run + 1
    created = _store(campaign.id, run, works, assignments)
    campaign = apply_transition(
        CAMPAIGNS, campaign.id, CampaignTrigger.ASSIGN, actor=actor, system=True
    )
    campaign.run = run
    campaign.summary = _summary(campaign, summary, unassigned, works, created, kept_works)
    campaign.summary["withdrawn"] = withdrawn
    db.session.commit()
    return {
        "campaign_id": campaign.id,
        "sheets": created,
        "kept_works": len(kept_works),
        "withdrawn": withdrawn,
        "unassigned_works": sum(u.works for u in unassigned if u.role == "primary"),
    }


def _kept(campaign_id: int) -> tuple[set[int], dict[int, int]]:
    """Works with a begun sheet, and the live sheets of those works per expert."""
    begun = select(ScoreSheet.work_id).where(
        ScoreSheet.campaign_id == campaign_id, ScoreSheet.state.in_(list(BEGUN_STATES))
    )
    kept_works = set(db.session.scalars(begun.distinct()))
    load: dict[int, int] = defaultdict(int)
    if kept_works:
        stmt = (
            select(ScoreSheet.expert_id, func.count())
            .where(
                ScoreSheet.campaign_id == campaign_id,
                ScoreSheet.state.in_(list(LIVE_STATES)),
                ScoreSheet.work_id.in_(begun),
            )
            .group_by(ScoreSheet.expert_id)
        )
        load.update(dict(db.session.execute(stmt).all()))
    return kept_works, load


def _open_works(campaign_id: int, kept: set[int]) -> dict[str, tuple[int, str, int, list[int]]]:
    """The works to place, by package, each package's works in participant-code order."""
    stmt = (
        select(
            CrossCheckWork.id,
            CrossCheckWork.school_id,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
        )
        .where(CrossCheckWork.campaign_id == campaign_id)
        .order_by(
            CrossCheckWork.school_id,
            CrossCheckWork.subject,
            CrossCheckWork.grade,
            CrossCheckWork.participant_code,
        )
    )
    out: dict[str, tuple[int, str, int, list[int]]] = {}
    for work_id, school_id, subject, grade in db.session.execute(stmt):
        if work_id in kept:
            continue
        key = package_key(school_id, subject, grade)
        if key not in out:
            out[key] = (school_id, subject, grade, [])
        out[key][3].append(work_id)
    return out


def _experts(campaign_id: int, municipality: dict[int, int], kept_load: dict[int, int]) -> list:
    stmt = select(
        CrossCheckExpert.id,
        CrossCheckExpert.school_id,
        CrossCheckExpert.subjects,
        CrossCheckExpert.grades,
        CrossCheckExpert.capacity,
    ).where(CrossCheckExpert.campaign_id == campaign_id)
    return [
        CrossCheckExpertIn(
            str(expert_id),
            str(school_id),
            str(municipality[school_id]),
            frozenset(subjects),
            frozenset(int(g) for g in grades),
            max(0, capacity - kept_load.get(expert_id, 0)),
        )
        for expert_id, school_id, subjects, grades, capacity in db.session.execute(
            stmt.order_by(CrossCheckExpert.id)
        )
    ]


def _nothing_possible(packages, experts, share) -> list:
    from webapp.jobs.engines import CrossCheckUnassigned

    reason = "Нет ни одного эксперта." if not experts else "Нет работ для распределения."
    return [CrossCheckUnassigned(p.package_id, p.works, "primary", reason) for p in packages]


def _withdraw_untouched(campaign: CrossCheckCampaign, kept: set[int], actor: User | None) -> int:
    """Withdraw every untouched sheet of the works that go to the engine again (audited)."""
    count = 0
    last_id = 0
    # One context for all: the system withdraws, nothing else is looked at.
    ctx = SheetContext(
        actor_id=None if actor is None else actor.id,
        actor_name=SYSTEM_NAME if actor is None else actor.full_name,
        roles=frozenset({SheetActor.SYSTEM.value}),
        comment=REASON_RERUN,
        campaign_state=campaign.state,
    )
    while True:
        stmt = (
            select(ScoreSheet)
            .where(
                ScoreSheet.campaign_id == campaign.id,
                ScoreSheet.state == SheetState.ASSIGNED,
                ScoreSheet.id > last_id,
            )
            .order_by(ScoreSheet.id)
            .limit(2_000)
        )
        sheets = list(db.session.scalars(stmt))
        if not sheets:
            return count
        for sheet in sheets:
            last_id = sheet.id
            if sheet.work_id in kept:
                continue
            sheet.fire(SheetTrigger.WITHDRAW, ctx=ctx)
            count += 1
        db.session.flush()


def _store(campaign_id: int, run: int, works, assignments) -> int:
    """Create the sheets: first checks take consecutive works of the package, second checks
    the package's first-checked works in the same order (their school is barred by the engine
    from every first checker's school, so any of them may go)."""
    by_package: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for a in assignments:
        by_package[a.package_id][str(a.role)].append((int(a.expert_id), a.works))
    now = utcnow()
    rows: list[dict] = []
    for key, roles in by_package.items():
        ids = works[key][3]
        cursor = 0
        for expert_id, n in roles.get("primary", []):
            rows.extend(
                _sheet(campaign_id, w, expert_id, "first", run, now)
                for w in ids[cursor : cursor + n]
            )
            cursor += n
        first_checked = ids[:cursor]
        second_cursor = 0
        for expert_id, n in roles.get("second", []):
            chosen = first_checked[second_cursor : second_cursor + n]
            rows.extend(_sheet(campaign_id, w, expert_id, "second", run, now) for w in chosen)
            second_cursor += n
    bulk_insert(ScoreSheet.__table__, rows)
    return len(rows)


def _sheet(campaign_id: int, work_id: int, expert_id: int, role: str, run: int, now) -> dict:
    return {
        "campaign_id": campaign_id,
        "work_id": work_id,
        "expert_id": expert_id,
        "role": role,
        "points": None,
        "run": run,
        "state": ASSIGNED,
        "lock_version": 1,
        "created_at": now,
        "state_changed_at": now,
        "state_changed_by": "",
    }


def _summary(campaign, summary: dict, unassigned, works, created: int, kept: set[int]) -> dict:
    """What the result page and the API show: the engine's figures and every unplaced part."""
    schools = dict(db.session.execute(select(School.id, School.short_name)).all())
    parts = []
    for u in unassigned:
        school_id, subject, grade, _ = works[u.package_id]
        parts.append(
            {
                "school_id": school_id,
                "school": schools.get(school_id, ""),
                "subject": subject,
                "grade": grade,
                "works": u.works,
                "role": ROLE_OF.get(str(u.role), str(u.role)),
                "reason": u.reason,
            }
        )
    return {
        "run": campaign.run,
        "sheets": created,
        "kept_works": len(kept),
        "works": sum(len(w[3]) for w in works.values()),
        "packages": len(works),
        "unassigned": parts,
        "engine": summary,
    }
