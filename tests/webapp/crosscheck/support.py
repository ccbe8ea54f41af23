"""Builders for the cross-check campaign tests: a Zalari campaign and its three lists."""

from __future__ import annotations

from pathlib import Path

from webapp.crosscheck import services
from webapp.extensions import db
from webapp.tabular import write_csv

MUN = "mun.zalari@ekspertiza.local"  # municipal coordinator of Заларинский район (region 38)
REG38 = "coord.38@ekspertiza.local"
REG08 = "coord.08@ekspertiza.local"  # another region
ADMIN = "admin@ekspertiza.local"
VER_SCHOOL = "school.38-ver@ekspertiza.local"
KALMYK_SCHOOL = "school.08-umc@ekspertiza.local"

SCHOOLS = ["38-ZAL1", "38-ZAL2", "38-VER", "38-TROI", "38-TYR", "38-SOLR"]
TASKS = [("math", 5, 1, 1), ("math", 5, 2, 2), ("math", 5, 3, 2)]


def settings(**over) -> services.Settings:
    base = {
        "title": "Перекрёстная проверка ВПР, осень",
        "scope": "any",
        "no_reciprocal": False,
        "second_share": 0.0,
        "subjects": ("math",),
        "grades": (5,),
    }
    return services.Settings(**{**base, **over})


def tasks_file(folder: Path, rows=TASKS) -> Path:
    return write_csv(folder / "tasks.csv", ["subject", "grade", "task", "max_points"], rows)


def works_rows(per_school: int = 6) -> list[tuple]:
    rows = []
    for s, school in enumerate(SCHOOLS):
        for i in range(per_school):
            rows.append((school, "math", 5, f"{s + 1}{i:04d}", i % 2, 1, 2))
    return rows


def works_file(folder: Path, rows=None) -> Path:
    header = ["school_code", "subject", "grade", "participant_code", "task_1", "task_2", "task_3"]
    return write_csv(folder / "works.csv", header, rows if rows is not None else works_rows())


def experts_rows() -> list[tuple]:
    return [
        (school, f"Учитель {school}", f"t.{school.lower()}@example.ru", "math", "5;6", 10)
        for school in SCHOOLS
    ]


def experts_file(folder: Path, rows=None) -> Path:
    header = ["school_code", "full_name", "email", "subjects", "grades", "capacity"]
    return write_csv(folder / "experts.csv", header, rows if rows is not None else experts_rows())


def loaded_campaign(actor, folder: Path, *, regional: bool = False, **over):
    """A Zalari campaign (or, ``regional``, one of the whole region) with the three lists
    loaded (committed)."""
    from webapp.orgs.models import Municipality

    zalari = db.session.query(Municipality).filter_by(name="Заларинский район").one()
    municipality_id = None if regional else zalari.id
    campaign = services.create_campaign(actor, zalari.region_id, municipality_id, settings(**over))
    db.session.commit()
    for kind, make in (("tasks", tasks_file), ("works", works_file), ("experts", experts_file)):
        services.import_list(campaign.id, kind, make(folder), actor)
        db.session.commit()
    return campaign
