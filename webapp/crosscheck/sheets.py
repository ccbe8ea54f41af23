"""Score sheets bound to the workflow layer, and the expert's entry of points.

Every change of a sheet goes through ``apply_transition``: the first saved point starts the
sheet (``start``), points are then stored on the locked row while it is in progress, and
``submit`` needs every task scored within its maximum (the machine's ``points_complete``).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.auth.models import User
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckTask,
    ScoreSheet,
)
from webapp.crosscheck.workflow import SCORE_SHEETS, sheet_conflict
from webapp.extensions import db
from webapp.workflow.service import apply_transition, lock
from workflows.crosscheck_campaign import entry_open
from workflows.machine import GuardRefused, StateConflict
from workflows.score_sheet import (
    ENTRY_STATES,
    SheetState,
    SheetTrigger,
)

Points = Sequence[int | None]


def _(text: str) -> str:
    """Mark a catalogue id for extraction; formatted through ``gettext`` where raised."""
    return text


POINTS_INVALID = _("Баллы за задание %(n)s: целое число от 0 до %(m)s.")
# The guard's refusal (workflows/score_sheet.py), translated when shown (``localized``).
ENTRY_CLOSED = _("Ввод баллов сейчас закрыт: этап проверки не идёт.")
POINTS_COUNT = _("Нужно %(n)s значений баллов (по числу заданий), получено %(got)s.")


def max_points(campaign_id: int, subject: str, grade: int) -> list[int]:
    """Maximum points per task, in task order (from the campaign's task table)."""
    stmt = (
        select(CrossCheckTask.max_points)
        .where(
            CrossCheckTask.campaign_id == campaign_id,
            CrossCheckTask.subject == subject,
            CrossCheckTask.grade == grade,
        )
        .order_by(CrossCheckTask.number)
    )
    return list(db.session.scalars(stmt))


SHEETS = SCORE_SHEETS  # the binding of webapp/crosscheck/workflow.py


# --- what an expert sees ---------------------------------------------------------------------


def expert_sheets_query(user: User):
    """The user's live sheets (not withdrawn), as a select of ScoreSheet."""
    mine = select(CrossCheckExpert.id).where(CrossCheckExpert.user_id == user.id)
    return select(ScoreSheet).where(
        ScoreSheet.expert_id.in_(mine), ScoreSheet.state != SheetState.WITHDRAWN
    )


def sheet_for_expert(user: User, sheet_id: int) -> ScoreSheet | None:
    """The sheet if it is one of the user's live sheets; None otherwise (→ 404)."""
    stmt = (
        expert_sheets_query(user)
        .where(ScoreSheet.id == sheet_id)
        .options(joinedload(ScoreSheet.work), joinedload(ScoreSheet.expert))
    )
    return db.session.scalars(stmt).first()


def earlier_scores(sheet: ScoreSheet) -> list[dict]:
    """For a third check only: the school's points and the submitted first/second checks."""
    if sheet.role != "third":
        return []
    work = sheet.work
    rows = [{"role": "school", "points": list(work.school_points)}]
    stmt = (
        select(ScoreSheet.role, ScoreSheet.points)
        .where(
            ScoreSheet.work_id == work.id,
            ScoreSheet.role.in_(("first", "second")),
            ScoreSheet.state == SheetState.SUBMITTED,
        )
        .order_by(ScoreSheet.role)
    )
    rows += [
        {"role": role, "points": list(points or [])} for role, points in db.session.execute(stmt)
    ]
    return rows


# --- entering points -------------------------------------------------------------------------


def validate_points(points: Points, maxima: Sequence[int], *, partial: bool) -> list[str]:
    """Problems with the points in the current language (empty = fine); ``partial`` allows
    blanks (``None``)."""
    if len(points) != len(maxima):
        return [gettext(POINTS_COUNT, n=len(maxima), got=len(points))]
    problems = []
    for n, (p, m) in enumerate(zip(points, maxima, strict=True), start=1):
        if p is None and partial:
            continue
        if not isinstance(p, int) or isinstance(p, bool) or not 0 <= p <= m:
            problems.append(gettext(POINTS_INVALID, n=n, m=m))
    return problems


def save_points(sheet_id: int, points: Points, *, actor: User, expected_version=None) -> ScoreSheet:
    """Store points on the expert's sheet (starting it first); flush, the caller commits.

    Blanks are allowed while saving; values outside 0…max are refused with GuardRefused.
    """
    sheet = lock(SHEETS, sheet_id)
    if expected_version is not None and sheet.lock_version != expected_version:
        raise StateConflict(sheet_conflict(sheet), trigger="save")
    work = sheet.work
    problems = validate_points(
        points, max_points(sheet.campaign_id, work.subject, work.grade), partial=True
    )
    if problems:
        raise GuardRefused(" ".join(problems), trigger="save", reasons=("points_valid",))
    if sheet.state == SheetState.ASSIGNED:
        sheet = apply_transition(SHEETS, sheet_id, SheetTrigger.START, actor=actor)
    if sheet.state not in ENTRY_STATES or sheet.expert.user_id != actor.id:
        # submitted, withdrawn, or not the sheet's expert: the machine's answer for submit
        apply_transition(SHEETS, sheet_id, SheetTrigger.SUBMIT, actor=actor)
    campaign = db.session.get(CrossCheckCampaign, sheet.campaign_id)
    if not entry_open(campaign.state, sheet.role):
        raise GuardRefused(ENTRY_CLOSED, trigger="save", reasons=("entry_open",))
    sheet.points = list(points)
    db.session.flush()
    return sheet


def submit_points(
    sheet_id: int, points: Points | None, *, actor: User, expected_version=None
) -> ScoreSheet:
    """Save (if points are given) then submit; flush, the caller commits."""
    if points is not None:
        save_points(sheet_id, points, actor=actor, expected_version=expected_version)
        expected_version = None
    return apply_transition(
        SHEETS, sheet_id, SheetTrigger.SUBMIT, actor=actor, expected_version=expected_version
    )
