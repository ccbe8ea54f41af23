"""A Kalmykia year for the reports' tests, played through the real services.

What it does (the expected figures in the tests are counted from this list by hand):
- 08-UMC's concept: uploaded, submitted, checked (criterion 1 «есть замечания» with a comment,
  the others «соответствует»), accepted with remarks and approved; its midterm programme
  uploaded and submitted. The other 13 documents of the 3 Kalmykia schools stay drafts.
- curator1 (the Kalmykia curator) writes 3 diary entries: two visits to 08-UMC, a phone call to
  08-SOL; curator2 writes one visit to 38-VER (Irkutsk region, must not count for Kalmykia).
- 08-UMC enters 2 measures (target 40 and 10); reports 45 on the first with a file; its curator
  accepts it. The second stays unreported.
- 08-UMC's roadmap with 2 items; one is removed with the Kalmykia report's reason.
"""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from tests.webapp.helpers import pdf_named, upload, user
from tests.webapp.monitoring.conftest import FIELDS
from webapp.diary import services as diary
from webapp.documents import services as documents
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.monitoring import services as monitoring
from webapp.orgs.models import School
from webapp.reviews import services as reviews
from webapp.roadmaps import services as roadmaps
from webapp.roadmaps.workflow import ITEMS
from webapp.workflow.service import apply_transition

SCHOOL = "school.08-umc@ekspertiza.local"
CURATOR = "curator1@ekspertiza.local"
OTHER_CURATOR = "curator2@ekspertiza.local"
COORD = "coord.08@ekspertiza.local"
OTHER_COORD = "coord.38@ekspertiza.local"
REMARK = "Цели не связаны с результатами самодиагностики"
REASON = "Школа казённая и финансами не управляет"
MEASURE = FIELDS  # the monitoring tests' measure: target 40 %


def school(code: str) -> School:
    return db.session.scalar(select(School).where(School.code == code))


def document(code: str, type_code: str) -> Document:
    return next(
        d
        for d in db.session.scalars(select(Document).where(Document.school_id == school(code).id))
        if d.document_type.code == type_code
    )


def _fire(doc: Document, trigger: str, email: str, comment: str = "") -> None:
    documents.apply_transition(doc.id, trigger, actor=user(email), comment=comment)
    db.session.commit()


def play_documents() -> Document:
    concept = document("08-UMC", "concept")
    upload(concept, SCHOOL, "концепция.pdf")
    _fire(concept, "submit", SCHOOL)
    _fire(concept, "start_review", CURATOR)
    review, _ = reviews.open_review(concept, user(CURATOR))
    first, *rest = sorted(review.template.criteria, key=lambda c: c.position)
    answers = {first.id: ("remark", REMARK), **{c.id: ("met", "") for c in rest}}
    reviews.save_answers(review, answers)
    db.session.commit()
    reviews.finish_review(
        concept.id,
        review,
        "approve_with_remarks",
        "Доработать цели",
        actor=user(CURATOR),
        approve_now=True,
    )
    db.session.commit()
    midterm = document("08-UMC", "midterm")
    upload(midterm, SCHOOL, "программа.pdf")
    _fire(midterm, "submit", SCHOOL)
    return concept


def play_diary() -> None:
    def entry(code, email, held, fmt):
        data = diary.EntryInput(
            held_on=held,
            format=fmt,
            participants="Директор",
            topics="Антирисковая программа",
            agreements="",
            follow_up_on=None,
        )
        diary.add_entry(school(code), user(email), data)

    entry("08-UMC", CURATOR, date(2026, 10, 1), "visit")
    entry("08-UMC", CURATOR, date(2026, 11, 12), "visit")
    entry("08-SOL", CURATOR, date(2026, 10, 20), "phone")
    entry("38-VER", OTHER_CURATOR, date(2026, 11, 13), "visit")
    db.session.commit()


def play_monitoring() -> None:
    umc = school("08-UMC").id
    first = monitoring.create_measure(umc, MEASURE, actor=user(SCHOOL))
    monitoring.create_measure(
        umc, {**MEASURE, "title": "Школьный театр", "target_value": 10}, actor=user(SCHOOL)
    )
    db.session.commit()
    monitoring.save_report(
        first.check.id,
        actor=user(SCHOOL),
        actual_value=45,
        stream=io.BytesIO(pdf_named("кружки")),
        filename="кружки.pdf",
    )
    db.session.commit()
    monitoring.apply_transition(first.check.id, "submit", actor=user(SCHOOL))
    db.session.commit()
    monitoring.apply_transition(first.check.id, "accept", actor=user(CURATOR))
    db.session.commit()


def play_roadmap() -> None:
    actor = user(SCHOOL)
    roadmap = roadmaps.create_roadmap(actor, "school", school("08-UMC").id, "Дорожная карта УСОШ")
    kept = roadmaps.add_item(
        roadmap, roadmaps.ItemInput(event="Семинар для педагогов"), actor=actor
    )
    gone = roadmaps.add_item(
        roadmap, roadmaps.ItemInput(event="Оснащение школьной библиотеки"), actor=actor
    )
    db.session.commit()
    apply_transition(ITEMS, gone.id, "remove", actor=actor, comment=REASON)
    db.session.commit()
    assert kept.id != gone.id


def play_year() -> Document:
    concept = play_documents()
    play_diary()
    play_monitoring()
    play_roadmap()
    return concept
