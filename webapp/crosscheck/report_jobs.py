"""The objectivity report of a large level as a platform job (kind ``crosscheck.objectivity``).

A level with at most ``CROSSCHECK_REPORT_INLINE_WORKS`` works (default 20 000: a school, a
district) is computed in the request (and kept per process, ``report.campaign_report``). A larger
one (a region: 300 000 works) is computed by a job and **stored in the job's result**, labelled
with the campaign's data version (``report.version_key``: the works list and the submitted
scores). So every web process and every coordinator shares one computation, and a new submitted
score (a sheet finished, a third check closed) makes the stored report outdated:

* a finished job of this level and version → the report, at once;
* otherwise a job of this level queued or running → its progress (and the last stored report,
  marked outdated, if there is one);
* otherwise a new job is started (at most one at a time per level), unless the newest job of
  this very version failed: then its error and a button to start it again.

The job only reads; its params are ``{campaign_id, school_id, municipality_id, version}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from webapp.crosscheck import report as reports
from webapp.crosscheck.models import CrossCheckCampaign
from webapp.extensions import db
from webapp.jobs.errors import JobInputError
from webapp.jobs.kinds import CROSSCHECK_REPORT
from webapp.jobs.models import Job, JobState
from webapp.jobs.progress import Progress
from webapp.jobs.services import create_job

INLINE_WORKS = 20_000  # default of CROSSCHECK_REPORT_INLINE_WORKS
RECENT_JOBS = 500  # report jobs looked at when searching a level's latest ones
MSG_GONE = "Кампания удалена."


@dataclass
class ReportView:
    """What the report page shows: the report (``None`` while the first one is computed),
    whether it matches the campaign's current data, and the level's job (running or failed)."""

    data: dict | None
    fresh: bool
    job: Job | None = None
    computed_at: object = None  # when the shown stored report was finished

    @property
    def waiting(self) -> bool:
        return self.job is not None and not self.job.finished


def inline_limit() -> int:
    return int(current_app.config.get("CROSSCHECK_REPORT_INLINE_WORKS", INLINE_WORKS))


def needs_job(campaign: CrossCheckCampaign, args: dict) -> bool:
    return reports.works_in_scope(campaign.id, **args) > inline_limit()


def level_params(campaign: CrossCheckCampaign, args: dict, version: str) -> dict:
    return {
        "campaign_id": campaign.id,
        "school_id": args.get("school_id"),
        "municipality_id": args.get("municipality_id"),
        "version": version,
    }


def level_jobs(campaign: CrossCheckCampaign, args: dict) -> list[tuple[int, str, dict]]:
    """(id, state, params) of this level's report jobs, newest first (results not loaded)."""
    want = level_params(campaign, args, "")
    stmt = (
        select(Job.id, Job.state, Job.params)
        .where(Job.kind == CROSSCHECK_REPORT)
        .order_by(Job.id.desc())
        .limit(RECENT_JOBS)
    )
    out = []
    for job_id, state, params in db.session.execute(stmt):
        params = params or {}
        if all(params.get(k) == v for k, v in want.items() if k != "version"):
            out.append((job_id, state, params))
    return out


def report_view(
    campaign: CrossCheckCampaign, args: dict, user, *, start: bool = True
) -> ReportView:
    """The report of this level for the page, the export or the API; may start a job (the
    caller commits, so it is published)."""
    if not needs_job(campaign, args):
        return ReportView(reports.campaign_report(campaign, **args), True)
    version = reports.version_key(campaign.id)
    jobs = level_jobs(campaign, args)
    done = next((j for j in jobs if j[1] == JobState.SUCCEEDED), None)
    stored = db.session.get(Job, done[0]) if done else None
    data = stored.result["report"] if stored and stored.result else None
    at = stored.finished_at if stored else None
    if done is not None and done[2].get("version") == version:
        return ReportView(data, True, None, at)
    active = next((j for j in jobs if j[1] in (JobState.QUEUED, JobState.RUNNING)), None)
    if active is not None:
        return ReportView(data, False, db.session.get(Job, active[0]), at)
    newest = jobs[0] if jobs else None
    if newest is not None and newest[1] == JobState.FAILED and newest[2].get("version") == version:
        return ReportView(data, False, db.session.get(Job, newest[0]), at)
    if not start:
        return ReportView(data, False, None, at)
    job = start_report(campaign, args, user, version)
    return ReportView(data, False, job, at)


def start_report(campaign: CrossCheckCampaign, args: dict, user, version: str | None = None):
    """Queue the report job of this level for the campaign's current data."""
    if version is None:
        version = reports.version_key(campaign.id)
    return create_job(
        CROSSCHECK_REPORT,
        level_params(campaign, args, version),
        started_by_id=getattr(user, "id", None),
        cancellable=False,
    )


def run_report(params: dict, progress: Progress) -> dict:
    """The job's work: compute the level's report; it is stored as the job's result."""
    campaign = db.session.get(CrossCheckCampaign, params["campaign_id"])
    if campaign is None:
        raise JobInputError(MSG_GONE)
    data = reports.build(
        campaign,
        school_id=params.get("school_id"),
        municipality_id=params.get("municipality_id"),
        progress=progress,
    )
    return {"version": params["version"], "report": data}
