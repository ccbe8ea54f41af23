"""Demo ВПР experts: teachers of the Zalari district schools with the ``expert`` role, so the
cross-check journey can be played at once (``flask demo --json`` lists them)."""

from __future__ import annotations

from webapp.auth.models import Membership, RoleCode, User
from webapp.extensions import db
from webapp.orgs.models import School

DOMAIN = "ekspertiza.local"
# Teachers of these Zalari schools (codes of webapp/demo/data.py), with their subjects.
TEACHERS = (
    ("38-VER", "Учитель математики (Веренская СОШ)"),
    ("38-TROI", "Учитель математики (Троицкая СОШ)"),
    ("38-TYR", "Учитель математики (Тыретская СОШ)"),
    ("38-SOLR", "Учитель математики (Солерудниковская гимназия)"),
    ("38-HOLM", "Учитель русского языка (Холмогойская СОШ)"),
    ("38-BABA", "Учитель русского языка (Бабагайская СОШ)"),
)


def teacher_email(code: str) -> str:
    return f"teacher.{code.lower()}@{DOMAIN}"


def create(schools: dict[str, School], password: str) -> list[User]:
    """One demo teacher per listed Zalari school, holding the ``expert`` role."""
    users = []
    for code, name in TEACHERS:
        school = schools.get(code)
        if school is None:
            continue
        user = User(email=teacher_email(code), full_name=name)
        user.set_password(password)
        user.memberships = [Membership(role=RoleCode.EXPERT, school_id=school.id)]
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users
