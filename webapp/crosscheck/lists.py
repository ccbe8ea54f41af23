"""The campaign's three lists read from XLSX or CSV (issue 9 §9) and stored all or nothing.

* tasks: ``subject, grade, task, max_points``;
* works: ``school_code, subject, grade, participant_code, task_1 … task_N`` (the school's own
  points per task);
* experts: ``school_code, full_name, email, subjects, grades, capacity`` (``;``-separated lists).

Files go through ``webapp.tabular`` (the platform's reader); every problem names the row and the
column in the user's language (Russian in the CLI), and a file with any problem stores nothing.
Loading a list replaces the previous one (experts: the ones from the list; the schools' own
experts stay).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import delete, select

from webapp.common.time import utcnow
from webapp.crosscheck.bulk import bulk_insert
from webapp.crosscheck.csvio import empty_list, not_integer, repeated, unknown_grade
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckSubjectRule,
    CrossCheckTask,
    CrossCheckWork,
    default_scale,
)
from webapp.crosscheck.permissions import territory_schools
from webapp.extensions import db
from webapp.orgs.importer import parse_email
from webapp.orgs.models import School
from webapp.tabular import Limits, Sheet, TabularError, TabularRejected
from workflows.assignment.crosscheck.model import SCHOOL_GRADES, VPR_GRADES

MAX_ROWS = 500_000  # the engine's limit; a region has about 300 000 works
LIMITS = Limits(max_rows=MAX_ROWS, max_bytes=200 * 1024 * 1024)
MAX_TASKS = 60
MAX_TASK_POINTS = 100
MAX_CAPACITY = 10_000
NAME_LENGTH = 200
SUBJECT_LENGTH = 32
CODE = re.compile(r"[0-9A-Za-z-]{1,32}")
SUBJECT = re.compile(r"[a-z][a-z0-9_]{0,31}")

TASK_COLUMNS = ("subject", "grade", "task", "max_points")
WORK_COLUMNS = ("school_code", "subject", "grade", "participant_code")
POINT_COLUMNS = tuple(f"task_{i}" for i in range(1, MAX_TASKS + 1))
EXPERT_COLUMNS = ("school_code", "full_name", "email", "subjects", "grades", "capacity")

KINDS = ("tasks", "works", "experts")
KIND_LABELS = {"tasks": "Задания", "works": "Работы", "experts": "Эксперты"}
TEMPLATE_HEADERS = {
    "tasks": list(TASK_COLUMNS),
    "works": [*WORK_COLUMNS, "task_1", "task_2", "task_3"],
    "experts": list(EXPERT_COLUMNS),
}
TEMPLATE_EXAMPLES = {
    "tasks": [["math", 5, 1, 1], ["math", 5, 2, 1], ["math", 5, 3, 2]],
    "works": [["SCHOOL-CODE", "math", 5, "50123", 1, 0, 2]],
    "experts": [
        ["SCHOOL-CODE", "Иванова Анна Петровна", "ivanova@example.ru", "math;russian", "5;6", 40]
    ],
}


@dataclass(frozen=True)
class Loaded:
    kind: str
    rows: int


def read_list(campaign: CrossCheckCampaign, kind: str, path: Path) -> list[dict]:
    """Read and check one list for the campaign; raise TabularRejected naming every problem."""
    readers = {"tasks": _read_tasks, "works": _read_works, "experts": _read_experts}
    return readers[kind](campaign, Path(path))


def store_list(campaign: CrossCheckCampaign, kind: str, rows: list[dict]) -> Loaded:
    """Replace the campaign's list with ``rows`` (already checked); flush, no commit."""
    model = {"tasks": CrossCheckTask, "works": CrossCheckWork, "experts": CrossCheckExpert}[kind]
    stmt = delete(model).where(model.campaign_id == campaign.id)
    if kind == "experts":
        stmt = stmt.where(CrossCheckExpert.source == "list")
    db.session.execute(stmt)
    extra: dict = {"campaign_id": campaign.id}
    if kind == "experts":
        extra |= {"created_at": utcnow(), "user_id": None}
    bulk_insert(model.__table__, [{**row, **extra} for row in rows])
    if kind == "tasks":
        _default_scales(campaign, rows)
    db.session.flush()
    return Loaded(kind, len(rows))


def _default_scales(campaign: CrossCheckCampaign, tasks: list[dict]) -> None:
    """Give every rule without a mark scale the documented default for its maximum total."""
    totals: dict[tuple[str, int], int] = defaultdict(int)
    for task in tasks:
        totals[(task["subject"], task["grade"])] += task["max_points"]
    for rule in campaign.rules:
        if not rule.mark_scale and (rule.subject, rule.grade) in totals:
            rule.mark_scale = default_scale(totals[(rule.subject, rule.grade)])


# -- cells -----------------------------------------------------------------------------------


def _int(sheet: Sheet, line: int, row: dict, column: str, low: int, high: int) -> int | None:
    raw = row.get(column, "")
    if raw == "":
        sheet.fail(line, column, gettext("пустое значение"))
        return None
    try:
        value = int(raw)
    except ValueError:
        sheet.fail(line, column, not_integer(raw))
        return None
    if not low <= value <= high:
        message = gettext(
            "число %(value)s вне допустимых пределов %(low)s–%(high)s",
            value=value,
            low=low,
            high=high,
        )
        sheet.fail(line, column, message)
        return None
    return value


def _subject(sheet: Sheet, line: int, raw: str, column: str = "subject") -> str | None:
    value = raw.strip().lower()
    if not SUBJECT.fullmatch(value):
        message = gettext(
            "«%(value)s» — не код предмета (латинские буквы, цифры и «_», до 32 знаков, "
            "например math, russian)",
            value=raw,
        )
        sheet.fail(line, column, message)
        return None
    return value


def _grade(sheet: Sheet, line: int, raw: str, allowed=VPR_GRADES, column="grade") -> int | None:
    try:
        grade = int(raw)
    except ValueError:
        grade = None
    if grade in allowed:
        return grade
    sheet.fail(line, column, unknown_grade(raw, allowed == VPR_GRADES))
    return None


def _rules(campaign: CrossCheckCampaign) -> set[tuple[str, int]]:
    stmt = select(CrossCheckSubjectRule.subject, CrossCheckSubjectRule.grade).where(
        CrossCheckSubjectRule.campaign_id == campaign.id
    )
    return {(s, g) for s, g in db.session.execute(stmt)}


def _schools(campaign: CrossCheckCampaign) -> dict[str, int]:
    stmt = select(School.code, School.id).where(territory_schools(campaign))
    return {code.lower(): sid for code, sid in db.session.execute(stmt)}


def _school(sheet: Sheet, line: int, raw: str, schools: dict[str, int]) -> int | None:
    school_id = schools.get(raw.strip().lower())
    if school_id is None:
        message = gettext("школа с кодом «%(code)s» не найдена в территории кампании", code=raw)
        sheet.fail(line, "school_code", message)
    return school_id


def _tasks_of(campaign_id: int) -> dict[tuple[str, int], list[int]]:
    stmt = (
        select(CrossCheckTask.subject, CrossCheckTask.grade, CrossCheckTask.max_points)
        .where(CrossCheckTask.campaign_id == campaign_id)
        .order_by(CrossCheckTask.subject, CrossCheckTask.grade, CrossCheckTask.number)
    )
    out: dict[tuple[str, int], list[int]] = defaultdict(list)
    for subject, grade, max_points in db.session.execute(stmt):
        out[(subject, grade)].append(max_points)
    return dict(out)


# -- tasks -----------------------------------------------------------------------------------


def _read_tasks(campaign: CrossCheckCampaign, path: Path) -> list[dict]:
    sheet = Sheet(path, TASK_COLUMNS, limits=LIMITS)
    rules = _rules(campaign)
    seen: dict[tuple[str, int, int], int] = {}
    out: list[dict] = []
    for row in sheet.rows():
        line, cells = row.number, row.cells
        subject = _subject(sheet, line, cells["subject"])
        grade = _grade(sheet, line, cells["grade"])
        number = _int(sheet, line, cells, "task", 1, MAX_TASKS)
        max_points = _int(sheet, line, cells, "max_points", 0, MAX_TASK_POINTS)
        if None in (subject, grade, number, max_points):
            continue
        if (subject, grade) not in rules:
            message = gettext(
                "предмет %(subject)s, %(grade)s класс не входит в кампанию",
                subject=subject,
                grade=grade,
            )
            sheet.fail(line, "subject", message)
            continue
        key = (subject, grade, number)
        if key in seen:
            message = gettext(
                "задание %(number)s повторяется (впервые в строке %(first)s)",
                number=number,
                first=seen[key],
            )
            sheet.fail(line, "task", message)
            continue
        seen[key] = line
        out.append({"subject": subject, "grade": grade, "number": number, "max_points": max_points})
    numbers: dict[tuple[str, int], list[int]] = defaultdict(list)
    for key in seen:
        numbers[key[:2]].append(key[2])
    for (subject, grade), got in numbers.items():
        if sorted(got) != list(range(1, len(got) + 1)):
            message = gettext(
                "%(subject)s, %(grade)s класс: задания должны идти подряд с 1",
                subject=subject,
                grade=grade,
            )
            sheet.fail(None, "task", message)
    sheet.check()
    _stored_works_fit(sheet, campaign, out)
    return out


def _stored_works_fit(sheet: Sheet, campaign: CrossCheckCampaign, tasks: list[dict]) -> None:
    """A new task table must fit the works already loaded (else load the works again)."""
    table: dict[tuple[str, int], list[int]] = defaultdict(list)
    for task in sorted(tasks, key=lambda t: t["number"]):
        table[(task["subject"], task["grade"])].append(task["max_points"])
    stmt = select(CrossCheckWork.subject, CrossCheckWork.grade, CrossCheckWork.school_points)
    for subject, grade, points in db.session.execute(
        stmt.where(CrossCheckWork.campaign_id == campaign.id)
    ):
        maxima = table.get((subject, grade))
        if (
            maxima is None
            or len(maxima) != len(points)
            or any(p > m for p, m in zip(points, maxima, strict=True))
        ):
            message = gettext(
                "загруженные работы (%(subject)s, %(grade)s класс) не соответствуют новой таблице "
                "заданий: загрузите работы заново после таблицы",
                subject=subject,
                grade=grade,
            )
            sheet.fail(None, None, message)
            break
    sheet.check()


# -- works -----------------------------------------------------------------------------------


def _read_works(campaign: CrossCheckCampaign, path: Path) -> list[dict]:
    sheet = Sheet(path, WORK_COLUMNS + POINT_COLUMNS, required=WORK_COLUMNS, limits=LIMITS)
    tasks = _tasks_of(campaign.id)
    if not tasks:
        raise TabularRejected(
            [TabularError(None, None, gettext("сначала загрузите таблицу заданий"), sheet.name)]
        )
    schools = _schools(campaign)
    seen: dict[tuple, int] = {}
    out: list[dict] = []
    for row in sheet.rows():
        line, cells = row.number, row.cells
        school_id = _school(sheet, line, cells["school_code"], schools)
        subject = _subject(sheet, line, cells["subject"])
        grade = _grade(sheet, line, cells["grade"])
        code = cells["participant_code"]
        if not CODE.fullmatch(code) or not any(ch.isdigit() for ch in code):
            message = gettext(
                "код участника — до 32 латинских букв, цифр и «-», хотя бы одна цифра "
                "(фамилии и имена не загружаются)"
            )
            sheet.fail(line, "participant_code", message)
            code = None
        if None in (school_id, subject, grade, code):
            continue
        maxima = tasks.get((subject, grade))
        if maxima is None:
            message = gettext(
                "нет таблицы заданий для %(subject)s, %(grade)s класс", subject=subject, grade=grade
            )
            sheet.fail(line, "subject", message)
            continue
        points = _points(sheet, line, cells, maxima)
        if points is None:
            continue
        key = (school_id, subject, grade, code)
        if key in seen:
            message = gettext(
                "работа «%(code)s» повторяется (впервые в строке %(first)s)",
                code=code,
                first=seen[key],
            )
            sheet.fail(line, "participant_code", message)
            continue
        seen[key] = line
        out.append(
            {
                "school_id": school_id,
                "subject": subject,
                "grade": grade,
                "participant_code": code,
                "school_points": points,
            }
        )
    sheet.check()
    return out


def _points(sheet: Sheet, line: int, cells: dict, maxima: list[int]) -> list[int] | None:
    points: list[int] = []
    ok = True
    for column, maximum in zip(POINT_COLUMNS, maxima, strict=False):
        raw = cells.get(column)
        if raw is None:
            sheet.fail(line, column, gettext("нет столбца для этого задания"))
            return None
        if raw.isascii() and raw.isdigit() and int(raw) <= maximum:  # the common case, fast
            points.append(int(raw))
            continue
        value = _int(sheet, line, cells, column, 0, maximum)
        ok = ok and value is not None
        points.append(0 if value is None else value)
    extra = [c for c in POINT_COLUMNS[len(maxima) :] if cells.get(c)]
    for column in extra:
        message = gettext("в этой работе только %(count)s заданий", count=len(maxima))
        sheet.fail(line, column, message)
    return points if ok and not extra else None


# -- experts ---------------------------------------------------------------------------------


def _read_experts(campaign: CrossCheckCampaign, path: Path) -> list[dict]:
    sheet = Sheet(path, EXPERT_COLUMNS, limits=LIMITS)
    schools = _schools(campaign)
    own = {
        email: True
        for email in db.session.scalars(
            select(CrossCheckExpert.email).where(
                CrossCheckExpert.campaign_id == campaign.id, CrossCheckExpert.source == "school"
            )
        )
    }
    seen: dict[str, int] = {}
    out: list[dict] = []
    for row in sheet.rows():
        parsed = parse_expert(sheet, row.number, row.cells, schools)
        if parsed is None:
            continue
        email = parsed["email"]
        if email in seen:
            sheet.fail(row.number, "email", repeated(email, seen[email]))
            continue
        if email in own:
            message = gettext("«%(email)s» уже добавлен школой как эксперт", email=email)
            sheet.fail(row.number, "email", message)
            continue
        seen[email] = row.number
        out.append({**parsed, "source": "list"})
    sheet.check()
    return out


def parse_expert(sheet: Sheet, line: int, cells: dict, schools: dict[str, int]) -> dict | None:
    """One expert row checked (shared by the file and the school's form)."""
    school_id = _school(sheet, line, cells["school_code"], schools)
    name = " ".join(cells["full_name"].split())
    if not name:
        sheet.fail(line, "full_name", gettext("пустое значение"))
    elif len(name) > NAME_LENGTH:
        message = gettext("слишком длинное имя (до %(limit)s знаков)", limit=NAME_LENGTH)
        sheet.fail(line, "full_name", message)
        name = ""
    email = parse_email(cells["email"])
    if email is None:
        message = gettext("«%(value)s» — не адрес электронной почты", value=cells["email"])
        sheet.fail(line, "email", message)
    subjects = [
        _subject(sheet, line, s, "subjects") for s in cells["subjects"].split(";") if s.strip()
    ]
    grades = [
        _grade(sheet, line, g.strip(), SCHOOL_GRADES, "grades")
        for g in cells["grades"].split(";")
        if g.strip()
    ]
    if not subjects:
        sheet.fail(line, "subjects", empty_list())
    if not grades:
        sheet.fail(line, "grades", empty_list())
    capacity = _int(sheet, line, cells, "capacity", 0, MAX_CAPACITY)
    if (
        school_id is None
        or not name
        or email is None
        or not subjects
        or None in subjects
        or not grades
        or None in grades
        or capacity is None
    ):
        return None
    return {
        "school_id": school_id,
        "full_name": name,
        "email": email,
        "subjects": sorted(set(subjects)),
        "grades": sorted(set(grades)),
        "capacity": capacity,
    }
