"""National scale (issue 9 §8): the federal operator runs the assignment of every region at once.

A season run = one assignment job per chosen region-wide campaign (the same ``crosscheck.assign``
job a coordinator starts), tagged with a season key in the job's params, and published after the
commit as one Celery ``group``, so the workers take the regions in parallel. The season page reads
each region's job (state, percent, stage) from the jobs table and refreshes itself.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from webapp.auth.models import RoleCode, User
from webapp.crosscheck.assignment import start_assignment
from webapp.crosscheck.models import CrossCheckCampaign
from webapp.crosscheck.workflow import build_campaign_context
from webapp.extensions import db
from webapp.jobs.dispatch import enqueue_group_after_commit
from webapp.jobs.kinds import CROSSCHECK_ASSIGN, TASK_FOR_KIND
from webapp.jobs.models import Job
from workflows.crosscheck_campaign import ASSIGN_STATES, CampaignTrigger
from workflows.machine import GuardRefused, NotPermitted


def can_run_season(user: User) -> bool:
    return user.has_role(RoleCode.ADMIN)


def ready_campaigns(user: User) -> list[CrossCheckCampaign]:
    """Region-wide campaigns whose assignment may run now (the machine's ``assign`` check)."""
    stmt = select(CrossCheckCampaign).where(
        CrossCheckCampaign.municipality_id.is_(None),
        CrossCheckCampaign.state.in_([str(s) for s in ASSIGN_STATES]),
    )
    out = []
    for campaign in db.session.scalars(stmt.order_by(CrossCheckCampaign.region_id)):
        ctx = build_campaign_context(campaign, user)
        if campaign.can_fire(CampaignTrigger.ASSIGN, ctx=ctx):
            out.append(campaign)
    return out


def start_season(user: User, campaign_ids: list[int]) -> tuple[str, list[Job]]:
    """One job per campaign, tagged with a new season key; one group published after commit."""
    if not can_run_season(user):
        raise NotPermitted(
            "Сезон по всем регионам запускает федеральный оператор.", trigger="season"
        )
    ready = {c.id for c in ready_campaigns(user)}
    chosen = [i for i in dict.fromkeys(campaign_ids) if i in ready]
    if not chosen:
        raise GuardRefused("Нет кампаний, готовых к распределению.", trigger="season")
    key = uuid.uuid4().hex[:12]
    jobs = []
    for campaign_id in chosen:
        job = start_assignment(campaign_id, user)
        job.params = {**job.params, "season": key}
        jobs.append(job)
    db.session.flush()
    enqueue_group_after_commit(TASK_FOR_KIND[CROSSCHECK_ASSIGN], [j.id for j in jobs])
    return key, jobs


def season_rows(key: str) -> list[dict]:
    """Each region's job of the season: region, campaign, state, percent, stage, error."""
    stmt = select(Job).where(Job.kind == CROSSCHECK_ASSIGN).order_by(Job.id.desc()).limit(2_000)
    rows = []
    for job in db.session.scalars(stmt):
        if (job.params or {}).get("season") != key:
            continue
        campaign = db.session.get(CrossCheckCampaign, job.params["campaign_id"])
        rows.append(
            {
                "job": job,
                "campaign": campaign,
                "region": campaign.region.name if campaign else "",
            }
        )
    rows.sort(key=lambda r: r["region"])
    return rows
