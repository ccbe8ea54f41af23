"""Shared data of the monitoring tests: measures of the demo schools."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from tests.webapp.helpers import pdf_named, user
from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.monitoring import services
from webapp.orgs.models import CuratorSchool, Municipality, School

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
SCHOOL = "school.38-ver@ekspertiza.local"  # Веренская СОШ, Заларинский район
OTHER_SCHOOL = "school.38-troi@ekspertiza.local"  # another school of the same district
MUN = "mun.zalari@ekspertiza.local"
FIELDS = {
    "goal": "Повысить учебную мотивацию",
    "task": "Вовлечь учащихся во внеурочную деятельность",
    "title": "Открыть два кружка технического творчества",
    "deadline": date(2027, 5, 31),
    "responsible": "Иванова А. П.",
    "indicator": "Доля учащихся в кружках",
    "target_value": 40,
    "unit": "%",
}


def school_by_code(code: str) -> School:
    return db.session.scalar(select(School).where(School.code == code))


def curator_of(code: str) -> User:
    school = school_by_code(code)
    curator_id = db.session.scalar(
        select(CuratorSchool.curator_id).where(CuratorSchool.school_id == school.id)
    )
    return db.session.get(User, curator_id)


def other_curator(code: str) -> User:
    """A curator who does not curate the school."""
    school = school_by_code(code)
    own = select(CuratorSchool.curator_id).where(CuratorSchool.school_id == school.id)
    stmt = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == RoleCode.CURATOR, User.id.not_in(own))
        .order_by(User.id)
    )
    return db.session.scalars(stmt).first()


@pytest.fixture
def far_mun(demo) -> User:
    """A municipal coordinator of a municipality other than Zalari."""
    zalari = school_by_code("38-VER").municipality_id
    other = db.session.scalars(
        select(Municipality).where(Municipality.id != zalari).order_by(Municipality.id)
    ).first()
    person = User(email="mun.far@ekspertiza.local", full_name="Координатор другого района")
    person.set_password("demo-pass")
    person.memberships = [Membership(role=RoleCode.MUNICIPAL_COORDINATOR, municipality_id=other.id)]
    db.session.add(person)
    db.session.commit()
    return person


def new_measure(code: str = "38-VER", email: str = SCHOOL, **changes):
    measure = services.create_measure(
        school_by_code(code).id, {**FIELDS, **changes}, actor=user(email)
    )
    db.session.commit()
    return measure


def report(measure, email: str = SCHOOL, value: float | None = 35, name: str = "отчёт.pdf"):
    services.save_report(
        measure.check.id,
        actor=user(email),
        actual_value=value,
        stream=io.BytesIO(pdf_named(name)) if name else None,
        filename=name,
    )
    db.session.commit()


def fire(measure, trigger: str, who, comment: str = ""):
    actor = user(who) if isinstance(who, str) else who
    services.apply_transition(measure.check.id, trigger, actor=actor, comment=comment)
    db.session.commit()
