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

from webapp.common.cache import ScopeCache
from webapp.crosscheck import report as reports
from webapp.crosscheck.models import CrossCheckCampaign, CrossCheckWork, ScoreSheet
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


def needs_job(campaign: CrossCheckCampaign, args: dict, campaign_works: int) -> bool:
    """Is the level larger than a request should compute? (``campaign_works``: all the
    campaign's works, already counted for the version; a level is never larger.)"""
    limit = inline_limit()
    if campaign_works <= limit:
        return False
    return not args or reports.works_in_scope(campaign.id, **args) > limit


def level_params(campaign: CrossCheckCampaign, args: dict, version: str) -> dict:
    return {
        "campaign_id": campaign.id,
        "school_id": args.get("school_id"),
        "municipality_id": args.get("municipality_id"),
        "version": version,
    }


def level_jobs(campaign: CrossCheckCampaign, args: dict) -> list[tuple]:
    """(id, state, params, finished_at) of this level's report jobs, newest first (results not
    loaded)."""
    want = level_params(campaign, args, "")
    stmt = (
        select(Job.id, Job.state, Job.params, Job.finished_at)
        .where(Job.kind == CROSSCHECK_REPORT)
        .order_by(Job.id.desc())
        .limit(RECENT_JOBS)
    )
    out = []
    for job_id, state, params, finished_at in db.session.execute(stmt):
        params = params or {}
        if all(params.get(k) == v for k, v in want.items() if k != "version"):
            out.append((job_id, state, params, finished_at))
    return out


def report_view(
    campaign: CrossCheckCampaign, args: dict, user, *, start: bool = True
) -> ReportView:
    """The report of this level for the page, the export or the API; may start a job (the
    caller commits, so it is published)."""
    parts = current_version(campaign.id)
    if not needs_job(campaign, args, parts[1]):
        return ReportView(reports.campaign_report(campaign, **args), True)
    version = reports.version_text(parts)
    jobs = level_jobs(campaign, args)
    done = next((j for j in jobs if j[1] == JobState.SUCCEEDED), None)
    data, at = stored_report(done[0], done[3]) if done else (None, None)
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


# The campaign's data version, per process, for CROSSCHECK_REPORT_VERSION_SECONDS (the shared
# ScopeCache; a new score or list saved in this process drops it at once): its two aggregates read
# every submitted sheet and every work (≈ 0.4 s for a region on a loaded machine), so a large
# level's report may lag a score saved by another process by those seconds.
def _version_sources() -> tuple[type, ...]:
    return (ScoreSheet, CrossCheckWork)


_versions = ScopeCache(
    "crosscheck_report_version", _version_sources, "CROSSCHECK_REPORT_VERSION_SECONDS"
)


def current_version(campaign_id: int) -> tuple:
    return _versions.get(campaign_id, lambda: reports.data_version(campaign_id))


# Decoded results of finished report jobs, per process: a succeeded job's result never changes,
# and decoding a region's (≈ 5 MB of JSON) took about a second on a loaded machine.
_STORED: dict[tuple, tuple[dict | None, object]] = {}
_STORED_KEPT = 8


def stored_report(job_id: int, finished_at) -> tuple[dict | None, object]:
    """(the report, when it was finished) of a succeeded report job."""
    key = (str(db.engine.url), job_id, finished_at)  # ids restart in another (test) database
    cached = _STORED.get(key)
    if cached is not None:
        return cached
    result = db.session.scalar(select(Job.result).where(Job.id == job_id))
    cached = ((result or {}).get("report"), finished_at)
    if len(_STORED) >= _STORED_KEPT:
        _STORED.pop(next(iter(_STORED)))
    _STORED[key] = cached
    return cached


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
