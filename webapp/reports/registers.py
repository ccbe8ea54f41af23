"""The three XLSX registers: documents with per-criterion results, measures, roadmap items.

Each register is a header and a generator of rows, scoped to the user by the permission layer
(``school_scope``: coordinators their region or municipality, curators their schools, a school
itself, the admin everything); the file is written by the platform's writer (formula escaping,
streaming). Rows are read in pages with column queries, never one object per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from webapp.auth.models import User
from webapp.auth.permissions import school_scope
from webapp.campaigns.models import Criterion, DocumentType
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.monitoring.models import EvidenceCheck, EvidenceCheckLog, EvidenceFile, Measure
from webapp.orgs.models import Municipality, Region, School
from webapp.reports import scope
from webapp.reports.regional import OWNERS
from webapp.reviews.models import ANSWER_LABELS, Review, ReviewAnswer
from webapp.roadmaps.models import LEVEL_LABELS, Roadmap, RoadmapItem, RoadmapItemLog
from webapp.tabular import write_xlsx
from workflows.document import STATE_LABELS as DOCUMENT_STATES
from workflows.evidence_check import STATE_LABELS as EVIDENCE_STATES
from workflows.roadmap_item import STATE_LABELS as ITEM_STATES

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Register:
    code: str
    title: str
    header: tuple[str, ...]
    rows: Callable[[User, int | None], Iterator[tuple]]
    count: Callable[[User, int | None], int]


def _school_columns():
    return (Region.name, Municipality.name, School.short_name)


def _school_joins(stmt, school_column):
    return (
        stmt.join(School, School.id == school_column)
        .join(Municipality, Municipality.id == School.municipality_id)
        .join(Region, Region.id == Municipality.region_id)
    )


# --- documents ---------------------------------------------------------------------------------

DOCUMENT_HEADER = (
    "Регион",
    "Муниципалитет",
    "Школа",
    "Тип документа",
    "Документ",
    "Состояние",
    "Версия",
    "Проверенная версия",
    "Вердикт",
    "№ критерия",
    "Критерий",
    "Результат",
    "Комментарий",
)
VERDICTS = {
    "approve": "Согласовано",
    "approve_with_remarks": "Согласовано с замечаниями",
    "revise": "На доработку",
}


def _documents(user: User, campaign_id: int | None):
    stmt = select(Document.id).join(School, School.id == Document.school_id)
    return stmt.where(school_scope(user), Document.campaign_id == campaign_id)


def count_documents(user: User, campaign_id: int | None) -> int:
    return db.session.scalar(
        select(func.count()).select_from(_documents(user, campaign_id).subquery())
    )


def document_rows(user: User, campaign_id: int | None) -> Iterator[tuple]:
    stmt = _school_joins(
        select(
            *_school_columns(),
            DocumentType.name,
            Document.title,
            Document.state,
            Document.latest_version_number,
            Document.id,
        ),
        Document.school_id,
    ).join(DocumentType, DocumentType.id == Document.document_type_id)
    stmt = stmt.where(Document.id.in_(_documents(user, campaign_id)))
    stmt = stmt.order_by(
        Region.name,
        Municipality.name,
        School.short_name,
        DocumentType.position,
        Document.title,
        Document.id,
    )
    for page in _pages(stmt):
        reviews = _last_reviews([row[-1] for row in page])
        for *head, state, version, doc_id in page:
            base = (*head, DOCUMENT_STATES.get(state, state), version)
            review = reviews.get(doc_id)
            if review is None:
                yield (*base, None, "", None, "", "", "")
                continue
            checked, verdict, answers = review
            for position, text, status, comment in answers or [(None, "", "", "")]:
                label = ANSWER_LABELS.get(status, status) if status else ""
                yield (*base, checked, VERDICTS.get(verdict, ""), position, text, label, comment)


def _last_reviews(document_ids: list[int]) -> dict[int, tuple]:
    """The newest finished checklist of each document: (version, verdict, answers)."""
    newest = (
        select(Review.document_id, func.max(Review.id).label("review_id"))
        .where(Review.document_id.in_(document_ids), Review.finished_at.is_not(None))
        .group_by(Review.document_id)
        .subquery()
    )
    reviews = db.session.execute(
        select(Review.id, Review.document_id, Review.version_number, Review.verdict).join(
            newest, newest.c.review_id == Review.id
        )
    ).all()
    answers: dict[int, list] = {}
    rows = db.session.execute(
        select(
            ReviewAnswer.review_id,
            Criterion.position,
            Criterion.text,
            ReviewAnswer.status,
            ReviewAnswer.comment,
        )
        .join(Criterion, Criterion.id == ReviewAnswer.criterion_id)
        .where(ReviewAnswer.review_id.in_([r[0] for r in reviews]))
        .order_by(ReviewAnswer.review_id, Criterion.position)
    )
    for review_id, *answer in rows:
        answers.setdefault(review_id, []).append(tuple(answer))
    return {doc: (version, verdict, answers.get(rid, [])) for rid, doc, version, verdict in reviews}


# --- measures and evidence ---------------------------------------------------------------------

MEASURE_HEADER = (
    "Регион",
    "Муниципалитет",
    "Школа",
    "Цель",
    "Задача",
    "Мероприятие",
    "Срок",
    "Ответственный",
    "Показатель",
    "Целевое значение",
    "Единица",
    "Фактическое значение",
    "Файлов-подтверждений",
    "Проверка",
    "Замечание проверяющего",
)


def _measures(user: User):
    return select(Measure.id).join(School, School.id == Measure.school_id).where(school_scope(user))


def count_measures(user: User, campaign_id: int | None = None) -> int:
    return db.session.scalar(select(func.count()).select_from(_measures(user).subquery()))


def measure_rows(user: User, campaign_id: int | None = None) -> Iterator[tuple]:
    files = (
        select(EvidenceFile.check_id, func.count(EvidenceFile.id).label("n"))
        .group_by(EvidenceFile.check_id)
        .subquery()
    )
    stmt = _school_joins(
        select(
            *_school_columns(),
            Measure.goal,
            Measure.task,
            Measure.title,
            Measure.deadline,
            Measure.responsible,
            Measure.indicator,
            Measure.target_value,
            Measure.unit,
            EvidenceCheck.actual_value,
            func.coalesce(files.c.n, 0),
            EvidenceCheck.state,
            EvidenceCheck.id,
        ),
        Measure.school_id,
    )
    stmt = stmt.join(EvidenceCheck, EvidenceCheck.measure_id == Measure.id)
    stmt = stmt.outerjoin(files, files.c.check_id == EvidenceCheck.id)
    stmt = stmt.where(Measure.id.in_(_measures(user)))
    stmt = stmt.order_by(Region.name, Municipality.name, School.short_name, Measure.id)
    for page in _pages(stmt):
        remarks = _last_comments(EvidenceCheckLog, EvidenceCheckLog.check_id, [r[-1] for r in page])
        for *head, state, check_id in page:
            yield (*head, EVIDENCE_STATES.get(state, state), remarks.get(check_id, ""))


def _last_comments(log, key, ids: list[int], event: str | None = None) -> dict[int, str]:
    """The newest non-empty comment of the audit rows of each object (its remark or reason)."""
    stmt = select(key, log.comment).where(key.in_(ids), log.comment != "")
    if event:
        stmt = stmt.where(log.event == event)
    return {k: comment for k, comment in db.session.execute(stmt.order_by(log.id))}


# --- roadmap items -----------------------------------------------------------------------------

ROADMAP_HEADER = (
    "Уровень",
    "Владелец",
    "Дорожная карта",
    "Мероприятие",
    "Плановый срок",
    "Фактический срок",
    "Показатель",
    "Целевое значение",
    "Достигнутое значение",
    "Подтверждение",
    "Состояние",
    "Причина исключения",
)


def count_roadmap_items(user: User, campaign_id: int | None = None) -> int:
    ids = scope.readable_roadmap_ids(user)
    return db.session.scalar(
        select(func.count(RoadmapItem.id)).where(RoadmapItem.roadmap_id.in_(ids))
    )


def roadmap_rows(user: User, campaign_id: int | None = None) -> Iterator[tuple]:
    readable = select(Roadmap).where(Roadmap.id.in_(scope.readable_roadmap_ids(user)))
    readable = readable.options(*OWNERS)
    roadmaps = {rm.id: rm for rm in db.session.scalars(readable)}
    stmt = (
        select(
            RoadmapItem.roadmap_id,
            RoadmapItem.event,
            RoadmapItem.planned,
            RoadmapItem.actual,
            RoadmapItem.indicator,
            RoadmapItem.target_value,
            RoadmapItem.actual_value,
            RoadmapItem.evidence_url,
            RoadmapItem.evidence,
            RoadmapItem.state,
            RoadmapItem.id,
        )
        .where(RoadmapItem.roadmap_id.in_(list(roadmaps)), RoadmapItem.state != "new")
        .order_by(RoadmapItem.roadmap_id, RoadmapItem.id)
    )
    for page in _pages(stmt):
        ids = [r[-1] for r in page if r[-2] == "removed"]
        reasons = _last_comments(RoadmapItemLog, RoadmapItemLog.item_id, ids, "remove")
        for roadmap_id, event, planned, actual, ind, target, value, url, text, state, item in page:
            rm = roadmaps[roadmap_id]
            evidence = " ".join(v for v in (text, url) if v)
            yield (
                LEVEL_LABELS.get(rm.level, rm.level),
                rm.owner_name,
                rm.title,
                event,
                planned,
                actual,
                ind,
                target,
                value,
                evidence,
                ITEM_STATES.get(state, state),
                reasons.get(item, ""),
            )


# --- the catalogue and the writer ---------------------------------------------------------------

PAGE = 2000


def _pages(stmt) -> Iterator[list]:
    """Rows of ``stmt`` in pages of PAGE (keyset would need a unique order; offsets suffice)."""
    offset = 0
    while True:
        page = db.session.execute(stmt.limit(PAGE).offset(offset)).all()
        if not page:
            return
        yield page
        offset += PAGE


REGISTERS = {
    r.code: r
    for r in (
        Register(
            "documents",
            "Реестр документов с результатами проверки по критериям",
            DOCUMENT_HEADER,
            document_rows,
            count_documents,
        ),
        Register(
            "measures",
            "Реестр мероприятий и подтверждений",
            MEASURE_HEADER,
            measure_rows,
            count_measures,
        ),
        Register(
            "roadmap",
            "Реестр пунктов дорожных карт",
            ROADMAP_HEADER,
            roadmap_rows,
            count_roadmap_items,
        ),
    )
}


def write_register(
    code: str, user: User, campaign_id: int | None, path: Path, progress: Progress
) -> int:
    """Write one register to ``path``; returns the number of data rows."""
    register = REGISTERS[code]
    total = max(1, register.count(user, campaign_id))
    written = 0

    def rows() -> Iterator[tuple]:
        nonlocal written
        for row in register.rows(user, campaign_id):
            written += 1
            if written % 200 == 0:
                progress("report", min(0.95, written / total))
            yield row

    write_xlsx(path, register.header, rows(), title=register.code)
    return written
