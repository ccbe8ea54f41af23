"""Benchmark of the busiest screens on a PostgreSQL database of realistic size.

Seeds a private database (3,000 schools, 30,000 documents, 100,000 versions, ~125,000
transition log rows with notifications and checklist reviews) by COPY straight into the
migrated tables, then drives the real Flask app through ``app.test_client()``:

* the coordinator overview (``/overview``, regional coordinator and admin, with and without
  ``?state=submitted``),
* the curator queue (``/queue``, a curator of 3 schools and one of 50),
* the review screen (``/documents/<id>/review``) and the document page (``/documents/<id>``).

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_screens [--schools 3000 --documents 30000
        --versions 100000 --requests 200] [--keep] [--reuse] [--explain]

The private database is dropped at the end unless ``--keep`` is given; ``--reuse`` measures
an existing (kept) database without seeding it again. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import event, text
from werkzeug.security import generate_password_hash

from tests import pg_admin
from webapp.demo import data as demo_data
from workflows.document import STATE_LABELS, DocumentState

PASSWORD = "bench-pass"
DOMAIN = "bench.local"
HASH_METHOD = "pbkdf2:sha256:1000"
RISKS_PER_SCHOOL = 3
OTHER_REGIONS = 20
SCHOOLS_PER_MUNICIPALITY = 25
CURATOR_GROUP = 3
HEAVY_CURATOR_SCHOOLS = 50
REVIEW_DAYS = 10

# Column order of every seeded table; the dict order is a foreign-key safe COPY order.
TABLES: dict[str, str] = {
    "regions": "id code name",
    "municipalities": "id region_id name",
    "schools": (
        "id code municipality_id name short_name settlement pupils is_low_results is_500plus "
        "objectivity_control"
    ),
    "users": "id email full_name password_hash active session_version created_at",
    "memberships": "id user_id role region_id municipality_id school_id",
    "curator_schools": "id curator_id school_id",
    "campaigns": "id year name is_open risks_per_school",
    "stages": "id campaign_id code name starts_on ends_on",
    "risk_factors": "id campaign_id code name is_active",
    "school_risks": "id school_id risk_factor_id",
    "document_types": "id code name per_risk position",
    "campaign_document_types": "id campaign_id document_type_id needs_peer_review review_days",
    "checklist_templates": "id document_type_id version is_current created_at created_by_id",
    "criteria": "id template_id position text",
    "documents": (
        "id campaign_id school_id document_type_id risk_factor_id title state lock_version "
        "latest_version_number revision_base_version approved_version_number submitted_at "
        "due_at state_changed_at state_changed_by"
    ),
    "document_versions": (
        "id document_id number stored_name sha256 size mime kind original_name uploaded_by_id "
        "uploaded_by_name uploaded_at"
    ),
    "transition_logs": (
        "id document_id from_state to_state event actor_id actor_name comment version_number at"
    ),
    "reviews": (
        "id document_id version_number reviewer_id role template_id verdict comment "
        "created_at finished_at"
    ),
    "review_answers": "id review_id criterion_id status comment",
    "notifications": (
        "id user_id document_id transition_log_id dedupe_key subject body created_at read_at "
        "email_state email_attempts emailed_at"
    ),
}


def columns(table: str) -> list[str]:
    """The seeded columns of ``table``, in COPY order."""
    return TABLES[table].split()


# Document types: the demo ones plus three more, so that a school has 10 documents.
DOC_TYPES = [
    ("concept", "Концепция развития", False),
    ("midterm", "Среднесрочная программа развития", False),
    ("antirisk", "Антирисковая программа", True),
    ("roadmap", "Дорожная карта реализации", False),
    ("selfdiag", "Отчёт о самодиагностике", False),
    ("measures", "План мероприятий по рисковому направлению", True),
]
GENERIC_CRITERIA = [
    "Документ соответствует утверждённому шаблону",
    "Цели измеримы",
    "У каждого мероприятия есть срок, ответственный и показатель",
    "Ресурсы и сроки реалистичны",
]

# Mid-campaign spread of final states and of revision rounds before the final segment.
STATE_WEIGHTS = {
    "draft": 15,
    "submitted": 14,
    "curator_review": 11,
    "revision_requested": 14,
    "curator_accepted": 6,
    "approved": 36,
    "withdrawn": 4,
}
CYCLE_WEIGHTS = (48, 38, 14)
CYCLE = ("start_review", "request_revision", "upload", "resubmit")
SUFFIX = {
    "submitted": (),
    "curator_review": ("start_review",),
    "revision_requested": ("start_review", "request_revision"),
    "curator_accepted": ("start_review", "accept"),
    "approved": ("start_review", "accept", "approve"),
    "withdrawn": ("withdraw",),
}
DEST = {
    "submit": "submitted",
    "resubmit": "submitted",
    "withdraw": "withdrawn",
    "start_review": "curator_review",
    "request_revision": "revision_requested",
    "accept": "curator_accepted",
    "approve": "approved",
}
SCHOOL_EVENTS = {"upload", "submit", "resubmit", "withdraw"}
TO_CURATORS = {"submit", "resubmit", "withdraw"}
REMARKS = [
    "Цели не измеримы, уточните показатели.",
    "Нет ответственных за мероприятия второго полугодия.",
    "Антирисковая программа не связана с результатами самодиагностики.",
    "Сроки мероприятий нереалистичны, пересмотрите дорожную карту.",
]


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Sizes of the data set, the number of requests and database handling flags."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=3000)
    parser.add_argument("--documents", type=int, default=30000)
    parser.add_argument("--versions", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per screen")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per screen")
    parser.add_argument("--target-ms", type=float, default=150.0, help="p95 target")
    parser.add_argument("--seed", type=int, default=500, help="random seed of the data set")
    parser.add_argument("--database", default="ekspertiza_bench")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query of each screen"
    )
    parser.add_argument(
        "--all-queries", action="store_true", help="list every statement, not the slowest three"
    )
    args = parser.parse_args(argv)
    if args.schools < 3 * (HEAVY_CURATOR_SCHOOLS + CURATOR_GROUP):
        parser.error(f"--schools must be at least {3 * (HEAVY_CURATOR_SCHOOLS + CURATOR_GROUP)}")
    if args.documents < args.schools:
        parser.error("--documents must be at least --schools")
    return args


# ---------------------------------------------------------------------------------------------
# Database lifecycle


def database_url(name: str) -> str:
    """SQLAlchemy URL of the private database, next to the admin database of pg_admin."""
    return (
        pg_admin.ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        + f"/{name}"
    )


def libpq_dsn(url: str) -> str:
    """The psycopg DSN of a ``postgresql+psycopg://`` URL."""
    return "postgresql://" + url.removeprefix("postgresql+psycopg://")


def make_app(url: str, upload_dir: Path):
    """The real app on the private database, configured as the tests do."""
    from webapp import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(upload_dir),
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": HASH_METHOD,
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_SUPPRESS_SEND": True,
        }
    )


def create_and_migrate(name: str, upload_dir: Path) -> str:
    """(Re)create the private database and run the project's migrations into it."""
    import flask_migrate

    from webapp.extensions import db

    pg_admin.drop_database(name)
    url = pg_admin.create_database(name)
    app = make_app(url, upload_dir)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return url


# ---------------------------------------------------------------------------------------------
# Generated rows


class Seed:
    """Rows per table, with ids assigned in insertion order (1, 2, ...)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLES}

    def next_id(self, table: str) -> int:
        return len(self.rows[table]) + 1

    def add(self, table: str, *values: object) -> int:
        """Append a row (without its id) and return the id it gets."""
        rows = self.rows[table]
        new_id = len(rows) + 1
        assert len(values) + 1 == len(columns(table)), table
        rows.append((new_id, *values))
        return new_id


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    region_id: int
    short_name: str
    user_id: int = 0
    user_name: str = ""
    curator_id: int = 0
    curator_name: str = ""


@dataclass(frozen=True)
class DocType:
    id: int
    code: str
    name: str
    per_risk: bool
    template_id: int
    criteria: tuple[int, ...]


@dataclass
class World:
    """What the document generator needs to know about the organisations and the campaign."""

    rng: random.Random
    now: datetime
    seed: Seed = field(default_factory=Seed)
    schools: list[SchoolInfo] = field(default_factory=list)
    types: list[DocType] = field(default_factory=list)
    risks: list[tuple[int, str]] = field(default_factory=list)
    school_risks: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    campaign_id: int = 0
    password_hash: str = ""


def region_sizes(schools: int) -> list[int]:
    """One big region with a third of the schools, the rest spread over the other regions."""
    big = schools // 3
    rest = schools - big
    share, extra = divmod(rest, OTHER_REGIONS)
    return [big] + [share + (i < extra) for i in range(OTHER_REGIONS)]


def build_orgs(world: World, schools: int) -> None:
    """Regions, municipalities (about 25 schools each) and schools, all in the 500+ list."""
    seed, rng = world.seed, world.rng
    number = 0
    for index, size in enumerate(region_sizes(schools), start=1):
        region_id = seed.add("regions", f"{index:02d}", f"Регион № {index}")
        munis = [
            seed.add("municipalities", region_id, f"Муниципальный район {index}-{m:02d}")
            for m in range(1, max(1, math.ceil(size / SCHOOLS_PER_MUNICIPALITY)) + 1)
        ]
        for k in range(size):
            number += 1
            muni = munis[k % len(munis)]
            short = f"СОШ № {number} (р-н {index}-{k % len(munis) + 1:02d})"
            school_id = seed.add(
                "schools",
                f"B-{number:05d}",
                muni,
                f"МБОУ «Средняя общеобразовательная школа № {number}»",
                short,
                "rural" if rng.random() < 0.7 else "urban",
                rng.randint(40, 1400),
                True,
                True,
                rng.random() < 0.1,
            )
            world.schools.append(SchoolInfo(school_id, region_id, short))


def build_campaign(world: World) -> None:
    """The open campaign of this year, its stages and the risk catalogue."""
    seed, today = world.seed, world.now.date()
    world.campaign_id = seed.add(
        "campaigns", today.year, f"Проект «500+» — {today.year}", True, RISKS_PER_SCHOOL
    )
    seed.add(
        "stages",
        world.campaign_id,
        "documents",
        "Разработка и проверка документов",
        today - timedelta(days=60),
        today + timedelta(days=180),
    )
    seed.add(
        "stages",
        world.campaign_id,
        "peer_review",
        "Взаимоэкспертиза",
        today + timedelta(days=30),
        today + timedelta(days=60),
    )
    for code, name in enumerate(demo_data.RISKS, start=1):
        world.risks.append((seed.add("risk_factors", world.campaign_id, code, name, True), name))
    for school in world.schools:
        chosen = world.rng.sample(world.risks, RISKS_PER_SCHOOL)
        world.school_risks[school.id] = chosen
        for risk_id, _ in chosen:
            seed.add("school_risks", school.id, risk_id)


def type_specs(per_school: int) -> list[tuple[str, str, bool]]:
    """The document types, with generic report types added if a school needs more slots."""
    specs = list(DOC_TYPES)
    slots = sum(RISKS_PER_SCHOOL if per_risk else 1 for _, _, per_risk in specs)
    while slots < per_school:
        n = len(specs) - len(DOC_TYPES) + 1
        specs.append((f"report{n}", f"Отчёт о реализации, часть {n}", False))
        slots += 1
    return specs


def build_types(world: World, per_school: int) -> None:
    """Document types with campaign settings and a current checklist each."""
    seed = world.seed
    created = world.now - timedelta(days=90)
    for position, (code, name, per_risk) in enumerate(type_specs(per_school)):
        type_id = seed.add("document_types", code, name, per_risk, position)
        seed.add("campaign_document_types", world.campaign_id, type_id, False, REVIEW_DAYS)
        template_id = seed.add("checklist_templates", type_id, 1, True, created, None)
        texts = demo_data.CHECKLISTS.get(code, GENERIC_CRITERIA)
        criteria = tuple(
            seed.add("criteria", template_id, i, t) for i, t in enumerate(texts, start=1)
        )
        world.types.append(DocType(type_id, code, name, per_risk, template_id, criteria))


def add_user(world: World, email: str, name: str, role: str, **scope: int | None) -> int:
    """A user with one membership; every user shares the benchmark password."""
    created = world.now - timedelta(days=90)
    user_id = world.seed.add("users", email, name, world.password_hash, True, 1, created)
    world.seed.add(
        "memberships",
        user_id,
        role,
        scope.get("region_id"),
        scope.get("municipality_id"),
        scope.get("school_id"),
    )
    return user_id


def curator_groups(world: World) -> list[list[SchoolInfo]]:
    """50 schools of the big region for the heavy curator, then groups of 3 within a region."""
    heavy = world.schools[:HEAVY_CURATOR_SCHOOLS]
    by_region: dict[int, list[SchoolInfo]] = {}
    for school in world.schools[HEAVY_CURATOR_SCHOOLS:]:
        by_region.setdefault(school.region_id, []).append(school)
    groups = [heavy]
    for schools in by_region.values():
        groups += [schools[i : i + CURATOR_GROUP] for i in range(0, len(schools), CURATOR_GROUP)]
    return groups


def build_people(world: World) -> None:
    """Admin, regional coordinators, curators (with their schools) and one user per school."""
    add_user(world, f"admin@{DOMAIN}", "Федеральный оператор", "admin")
    for region_id, code, name in world.seed.rows["regions"]:
        add_user(
            world,
            f"coord.{code}@{DOMAIN}",
            f"Региональный координатор ({name})",
            "regional_coordinator",
            region_id=region_id,
        )
    curators: dict[int, tuple[int, str]] = {}
    for index, group in enumerate(curator_groups(world)):
        label = "heavy" if index == 0 else str(index)
        name = f"Куратор {label}"
        curator_id = add_user(world, f"curator.{label}@{DOMAIN}", name, "curator")
        for school in group:
            world.seed.add("curator_schools", curator_id, school.id)
            curators[school.id] = (curator_id, name)
    enriched = []
    for school in world.schools:
        name = f"Директор: {school.short_name}"
        user_id = add_user(
            world, f"school.{school.id}@{DOMAIN}", name, "school", school_id=school.id
        )
        curator_id, curator_name = curators[school.id]
        enriched.append(
            SchoolInfo(
                school.id,
                school.region_id,
                school.short_name,
                user_id,
                name,
                curator_id,
                curator_name,
            )
        )
    world.schools = enriched


# ---------------------------------------------------------------------------------------------
# Documents and their histories


@dataclass
class Plan:
    """What happened to one document: final state, revision rounds and uploads."""

    school: SchoolInfo
    doc_type: DocType
    risk: tuple[int, str] | None
    state: str
    cycles: int = 0
    first_uploads: int = 1
    trailing_uploads: int = 0

    @property
    def versions(self) -> int:
        return self.first_uploads + self.cycles + self.trailing_uploads


@dataclass
class Track:
    """The document row being built while its actions are replayed."""

    doc_id: int
    plan: Plan
    state: str = "draft"
    version: int = 0
    base: int = 0
    approved: int | None = None
    submitted_at: datetime | None = None
    due_at: datetime | None = None
    changed_at: datetime | None = None
    changed_by: str = ""
    review_started: datetime | None = None
    lock: int = 1


def slots(world: World, school: SchoolInfo) -> list[tuple[DocType, tuple[int, str] | None]]:
    """Every (type, risk) a school may have a document for, in type order."""
    risks = world.school_risks[school.id]
    return [
        (doc_type, risk)
        for doc_type in world.types
        for risk in (risks if doc_type.per_risk else [None])
    ]


def plan_one(world: World, school: SchoolInfo, doc_type: DocType, risk) -> Plan:
    """Draw a final state and a history shape for one document."""
    rng = world.rng
    state = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]
    plan = Plan(school, doc_type, risk, state)
    if state == "draft":
        plan.first_uploads = int(rng.random() < 0.6)
        return plan
    plan.cycles = rng.choices(range(len(CYCLE_WEIGHTS)), weights=CYCLE_WEIGHTS)[0]
    if state in ("revision_requested", "withdrawn"):
        plan.trailing_uploads = int(rng.random() < 0.4)
    return plan


def plan_documents(world: World, documents: int) -> list[Plan]:
    """Spread ``documents`` over the schools (10 each by default) and plan each of them."""
    count = len(world.schools)
    plans = []
    for index, school in enumerate(world.schools):
        wanted = documents // count + (index < documents % count)
        available = slots(world, school)
        if wanted > len(available):
            raise SystemExit(f"school {school.id} has only {len(available)} document slots")
        plans += [plan_one(world, school, t, r) for t, r in available[:wanted]]
    return plans


def spread_versions(world: World, plans: list[Plan], versions: int) -> None:
    """Add (or remove) first-draft uploads until the total number of versions is ``versions``."""
    rng = world.rng
    eligible = [p for p in plans if p.first_uploads > 0]
    extra = versions - sum(p.versions for p in plans)
    for _ in range(max(extra, 0)):
        rng.choice(eligible).first_uploads += 1
    removable = [p for p in plans if p.state == "draft" and p.first_uploads]
    for plan in removable[: max(-extra, 0)]:
        plan.first_uploads = 0


def actions_for(plan: Plan) -> list[str]:
    """Uploads and workflow events in the order they happened."""
    actions = ["upload"] * plan.first_uploads
    if plan.state != "draft":
        actions += ["submit", *(CYCLE * plan.cycles), *SUFFIX[plan.state]]
    return actions + ["upload"] * plan.trailing_uploads


def action_times(world: World, count: int) -> tuple[datetime, list[datetime]]:
    """A creation time within the stage (last 60 days) and sorted times of ``count`` actions."""
    rng, now = world.rng, world.now
    start = now - timedelta(days=rng.uniform(2, 58))
    end = now - timedelta(minutes=rng.uniform(5, 720))
    span = max((end - start).total_seconds(), 60.0)
    return start, sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))


def add_version(world: World, track: Track, at: datetime) -> None:
    """An immutable file version uploaded by the school."""
    track.version += 1
    school, rng = track.plan.school, world.rng
    digest = hashlib.sha256(f"{track.doc_id}:{track.version}".encode()).hexdigest()
    token = f"{world.seed.next_id('document_versions'):08x}{digest[:24]}"
    pdf = rng.random() < 0.7
    world.seed.add(
        "document_versions",
        track.doc_id,
        track.version,
        f"{token[:2]}/{token}",
        digest,
        rng.randint(40_000, 4_000_000),
        "application/pdf"
        if pdf
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf" if pdf else "docx",
        f"{track.plan.doc_type.code}_v{track.version}.{'pdf' if pdf else 'docx'}",
        school.user_id,
        school.user_name,
        at,
    )


def add_review(world: World, track: Track, at: datetime, verdict: str | None, comment: str):
    """A curator checklist of the current version; ``verdict`` None leaves it unfinished."""
    rng, plan = world.rng, track.plan
    review_id = world.seed.add(
        "reviews",
        track.doc_id,
        track.version,
        plan.school.curator_id,
        "curator",
        plan.doc_type.template_id,
        verdict,
        comment,
        track.review_started or at,
        at if verdict else None,
    )
    criteria = plan.doc_type.criteria if verdict else plan.doc_type.criteria[:2]
    failing = rng.choice(criteria) if verdict == "revise" else None
    for criterion_id in criteria:
        status = "not_met" if criterion_id == failing else rng.choice(("met", "met", "remark"))
        note = "" if status == "met" else rng.choice(REMARKS)
        world.seed.add("review_answers", review_id, criterion_id, status, note)


def add_notification(world: World, track: Track, log_id: int, action: str, at: datetime):
    """The outbox row of one transition: curators hear of submissions, schools of decisions."""
    plan, rng = track.plan, world.rng
    school = plan.school
    user_id = school.curator_id if action in TO_CURATORS else school.user_id
    title = plan_title(plan)
    label = STATE_LABELS[DocumentState(track.state)]
    subject = f"{title}: {label}"[:300]
    body = f"{track.changed_by} — «{title}» ({school.short_name}): {label}."
    old = world.now - at > timedelta(days=2)
    read_at = at + timedelta(hours=rng.uniform(1, 40)) if old and rng.random() < 0.85 else None
    world.seed.add(
        "notifications",
        user_id,
        track.doc_id,
        log_id,
        None,
        subject,
        body,
        at,
        read_at,
        "sent",
        1,
        at + timedelta(minutes=2),
    )


def add_transition(world: World, track: Track, action: str, at: datetime) -> None:
    """A transition log row with its side effects on the document, review and outbox."""
    plan, rng = track.plan, world.rng
    school_side = action in SCHOOL_EVENTS
    actor_id = plan.school.user_id if school_side else plan.school.curator_id
    actor = plan.school.user_name if school_side else plan.school.curator_name
    comment = rng.choice(REMARKS) if action == "request_revision" else ""
    source, track.state = track.state, DEST[action]
    log_id = world.seed.add(
        "transition_logs",
        track.doc_id,
        source,
        track.state,
        action,
        actor_id,
        actor,
        comment,
        track.version,
        at,
    )
    track.changed_at, track.changed_by = at, actor
    if action in ("submit", "resubmit"):
        track.submitted_at, track.due_at = at, at + timedelta(days=REVIEW_DAYS)
    elif action == "start_review":
        track.review_started = at
    elif action == "request_revision":
        track.base = track.version
        add_review(world, track, at, "revise", comment)
    elif action == "accept":
        verdict = "approve_with_remarks" if rng.random() < 0.3 else "approve"
        add_review(world, track, at, verdict, rng.choice(REMARKS) if verdict != "approve" else "")
    elif action == "approve":
        track.approved = track.version
    add_notification(world, track, log_id, action, at)


def plan_title(plan: Plan) -> str:
    name = plan.doc_type.name
    return (name if plan.risk is None else f"{name}: {plan.risk[1]}")[:400]


def write_document(world: World, plan: Plan) -> None:
    """Replay one plan into version, log, review, notification and document rows."""
    track = Track(world.seed.next_id("documents"), plan)
    actions = actions_for(plan)
    created, times = action_times(world, len(actions))
    for action, at in zip(actions, times, strict=True):
        if action == "upload":
            add_version(world, track, at)
        else:
            add_transition(world, track, action, at)
        track.lock += 1
    if track.state == "curator_review" and world.rng.random() < 0.5:
        add_review(world, track, track.changed_at or created, None, "")
    world.seed.add(
        "documents",
        world.campaign_id,
        plan.school.id,
        plan.doc_type.id,
        None if plan.risk is None else plan.risk[0],
        plan_title(plan),
        track.state,
        track.lock,
        track.version,
        track.base,
        track.approved,
        track.submitted_at,
        track.due_at,
        track.changed_at or created,
        track.changed_by,
    )


def generate(args: argparse.Namespace, now: datetime) -> Seed:
    """Every row of the data set, deterministic for a given ``--seed``."""
    world = World(rng=random.Random(args.seed), now=now)
    world.password_hash = generate_password_hash(PASSWORD, method=HASH_METHOD)
    per_school = math.ceil(args.documents / args.schools)
    build_orgs(world, args.schools)
    build_campaign(world)
    build_types(world, per_school)
    build_people(world)
    plans = plan_documents(world, args.documents)
    spread_versions(world, plans, args.versions)
    for plan in plans:
        write_document(world, plan)
    return world.seed


# ---------------------------------------------------------------------------------------------
# Loading


def copy_rows(cur: psycopg.Cursor, table: str, rows: Iterable[tuple]) -> None:
    """COPY rows into ``table`` (text format; psycopg adapts dates, booleans and NULLs)."""
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns(table)))
    )
    with cur.copy(stmt) as copy:
        for row in rows:
            copy.write_row(row)


def load(url: str, seed: Seed) -> None:
    """COPY every table in one transaction, then move the id sequences past the seeded ids."""
    with psycopg.connect(libpq_dsn(url)) as conn, conn.cursor() as cur:
        for table, rows in seed.rows.items():
            copy_rows(cur, table, rows)
            cur.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), {}, {})").format(
                    sql.Literal(table), sql.Literal(max(len(rows), 1)), sql.Literal(bool(rows))
                )
            )


def vacuum_analyze(url: str) -> None:
    """Fresh statistics and visibility map, as autovacuum would leave a live database."""
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def seed_database(args: argparse.Namespace, upload_dir: Path) -> tuple[str, dict[str, float]]:
    """Create, migrate, generate, load and analyse; returns the URL and phase timings (s)."""
    phases: dict[str, float] = {}
    started = time.perf_counter()
    url = create_and_migrate(args.database, upload_dir)
    phases["create + migrate"] = time.perf_counter() - started
    mark = time.perf_counter()
    seed = generate(args, datetime.now(UTC))
    phases["generate rows (Python)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    load(url, seed)
    phases[f"COPY {sum(len(r) for r in seed.rows.values()):,} rows"] = time.perf_counter() - mark
    mark = time.perf_counter()
    vacuum_analyze(url)
    phases["VACUUM ANALYZE"] = time.perf_counter() - mark
    phases["total"] = time.perf_counter() - started
    return url, phases


# ---------------------------------------------------------------------------------------------
# Measuring


class SqlRecorder:
    """Counts and times every statement the app sends (cursor execute events on the engine)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.calls: list[tuple[str, object, float]] = []
        self.enabled = True
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        started = conn.info["bench_started"].pop()
        if self.enabled:
            self.calls.append((statement, parameters, (time.perf_counter() - started) * 1000))

    def take(self) -> list[tuple[str, object, float]]:
        calls, self.calls = self.calls, []
        return calls


@dataclass(frozen=True)
class Screen:
    name: str
    email: str
    url: str


@dataclass
class Result:
    """Timings of one screen (wall clock, CPU of this process, time inside cursor.execute);
    ``statements`` maps SQL text to [executions, total ms, last parameters]."""

    screen: Screen
    times: list[float]
    cpu_ms: list[float]
    queries: list[int]
    sql_ms: list[float]
    statements: dict[str, list] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]

    def slowest(self, count: int | None = 3) -> list[tuple[str, list]]:
        return sorted(self.statements.items(), key=lambda kv: kv[1][1], reverse=True)[:count]


def scalar(query: str, **params: object):
    """One value from the benchmark database (inside the app context)."""
    from webapp.extensions import db

    return db.session.execute(text(query), params).scalar_one()


def pick_screens() -> list[Screen]:
    """The users and documents to measure, found in the data (works on a reused database)."""
    big_region = scalar(
        "select m.region_id from schools s join municipalities m on m.id = s.municipality_id "
        "group by m.region_id order by count(*) desc, m.region_id limit 1"
    )
    coordinator = scalar(
        "select u.email from users u join memberships ms on ms.user_id = u.id "
        "where ms.role = 'regional_coordinator' and ms.region_id = :r order by u.id limit 1",
        r=big_region,
    )
    admin = scalar(
        "select u.email from users u join memberships ms on ms.user_id = u.id "
        "where ms.role = 'admin' order by u.id limit 1"
    )
    heavy_id = scalar(
        "select curator_id from curator_schools group by curator_id "
        "order by count(*) desc, curator_id limit 1"
    )
    light_id = scalar(
        "select cs.curator_id from curator_schools cs "
        "join documents d on d.school_id = cs.school_id "
        "group by cs.curator_id having count(distinct cs.school_id) = 3 "
        "order by count(*) filter (where d.state = 'curator_review') > 0 desc, "
        "count(*) filter (where d.state in ('submitted', 'curator_review')) desc, cs.curator_id "
        "limit 1"
    )
    document = scalar(
        "select d.id from documents d join curator_schools cs on cs.school_id = d.school_id "
        "where cs.curator_id = :c and d.state = 'curator_review' "
        "order by (select count(*) from transition_logs t where t.document_id = d.id) "
        "+ d.latest_version_number desc, d.id limit 1",
        c=light_id,
    )
    heavy, light = (
        scalar("select email from users where id = :i", i=user_id)
        for user_id in (heavy_id, light_id)
    )
    return [
        Screen("overview, regional coordinator (1/3 of schools)", coordinator, "/overview"),
        Screen(
            "overview ?state=submitted, regional coordinator",
            coordinator,
            "/overview?state=submitted",
        ),
        Screen("overview, admin (all schools)", admin, "/overview"),
        Screen("overview ?state=submitted, admin", admin, "/overview?state=submitted"),
        Screen("queue, curator of 3 schools", light, "/queue"),
        Screen("queue, curator of 50 schools", heavy, "/queue"),
        Screen("review screen (curator_review document)", light, f"/documents/{document}/review"),
        Screen("document page (same document)", light, f"/documents/{document}"),
    ]


def signed_in(app, email: str):
    """A test client signed in through the real login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"login of {email} failed: HTTP {response.status_code}")
    return client


def get_ok(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {response.status_code} {response.location or ''}")


def timed_get(client, recorder: SqlRecorder, result: Result) -> None:
    """One timed GET of the result's screen, with its statements counted and timed."""
    recorder.take()
    started, cpu = time.perf_counter(), time.process_time()
    get_ok(client, result.screen.url)
    result.times.append((time.perf_counter() - started) * 1000)
    result.cpu_ms.append((time.process_time() - cpu) * 1000)
    calls = recorder.take()
    result.queries.append(len(calls))
    result.sql_ms.append(sum(ms for _, _, ms in calls))
    for statement, params, ms in calls:
        entry = result.statements.setdefault(statement, [0, 0.0, None])
        entry[0] += 1
        entry[1] += ms
        entry[2] = params


def measure(app, recorder: SqlRecorder, screens: list[Screen], args) -> list[Result]:
    """Warm every screen up, then time ``--requests`` rounds of one GET per screen.

    Rounds interleave the screens, so a burst of load from elsewhere on the machine hits all
    of them alike instead of whichever screen happened to be running.
    """
    clients = [signed_in(app, screen.email) for screen in screens]
    for client, screen in zip(clients, screens, strict=True):
        for _ in range(args.warmup):
            get_ok(client, screen.url)
    results = [Result(screen, [], [], [], []) for screen in screens]
    for _ in range(args.requests):
        for client, result in zip(clients, results, strict=True):
            timed_get(client, recorder, result)
    return results


def explain(recorder: SqlRecorder, statement: str, params: object) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one recorded statement, with its recorded parameters."""
    recorder.enabled = False
    try:
        with recorder.engine.connect() as conn:
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            return "\n".join(row[0] for row in rows)
    finally:
        recorder.enabled = True


# ---------------------------------------------------------------------------------------------
# Reporting


def print_counts(url: str) -> None:
    """Row counts and the spread of document states actually in the database."""
    with psycopg.connect(libpq_dsn(url)) as conn:
        counts = {
            table: conn.execute(
                sql.SQL("select count(*) from {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in TABLES
        }
        states = conn.execute(
            "select state, count(*) from documents group by state order by 2 desc"
        ).fetchall()
        overdue = conn.execute(
            "select count(*) from documents where state in ('submitted', 'curator_review') "
            "and due_at < now()"
        ).fetchone()[0]
    print("\nRows:", ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    print("States:", ", ".join(f"{s} {n:,}" for s, n in states), f"(overdue {overdue:,})")


def format_queries(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def print_results(results: list[Result], target: float) -> None:
    """The Markdown table of docs/benchmarks.md."""
    print(
        f"\n| Screen | URL | n | median ms | p95 ms | app CPU ms | SQL ms | queries/request | "
        f"p95 < {target:g} ms |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|:-:|")
    for r in results:
        ok = "yes" if r.p95 < target else "**no**"
        print(
            f"| {r.screen.name} | `{r.screen.url}` | {len(r.times)} | {r.median:.1f} | "
            f"{r.p95:.1f} | {statistics.median(r.cpu_ms):.1f} | "
            f"{statistics.median(r.sql_ms):.1f} | {format_queries(r.queries)} | {ok} |"
        )
    print("\n(app CPU and SQL are medians: CPU of this Python process, time inside execute)")


def print_statements(results: list[Result], recorder: SqlRecorder, args: argparse.Namespace):
    """Slowest statements per screen (or all of them); EXPLAIN ANALYZE of screens over target."""
    for r in results:
        print(f"\n## {r.screen.name}: statements by time (ms per request, executions per request)")
        for statement, (count, total, _) in r.slowest(None if args.all_queries else 3):
            one_line = " ".join(statement.split())
            print(f"  {total / len(r.times):7.2f}  x{count / len(r.times):g}  {one_line[:160]}")
        if args.explain or r.p95 >= args.target_ms:
            statement, (_, _, params) = r.slowest(1)[0]
            print(explain(recorder, statement, params))


# ---------------------------------------------------------------------------------------------
# Entry point


def run(url: str, upload_dir: Path, args: argparse.Namespace) -> list[Result]:
    """Measure every screen through the real app."""
    from webapp.extensions import db

    app = make_app(url, upload_dir)
    with app.app_context():
        recorder = SqlRecorder(db.engine)
        screens = pick_screens()
    # No app context may stay pushed around the requests: each request must get its own
    # context, hence its own SQLAlchemy session and ``g`` (Flask-Login keeps the user there).
    results = measure(app, recorder, screens, args)
    print_results(results, args.target_ms)
    print_statements(results, recorder, args)
    recorder.engine.dispose()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not pg_admin.available():
        print(f"PostgreSQL is not reachable at {pg_admin.ADMIN_URL}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-uploads-") as tmp:
        upload_dir = Path(tmp)
        url = database_url(args.database)
        try:
            if not args.reuse:
                url, phases = seed_database(args, upload_dir)
                print("Seeding:", ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
            print_counts(url)
            results = run(url, upload_dir, args)
        finally:
            if not args.keep:
                pg_admin.drop_database(args.database)
    return 0 if all(r.p95 < args.target_ms for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
