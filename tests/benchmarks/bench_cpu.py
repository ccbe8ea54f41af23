"""CPU per request of the load benchmark's screens, with the compose web settings.

Wall time on a shared 2-core machine says little; the CPU a request costs and the statements it
sends do not depend on the neighbours. This harness builds the app exactly as compose's ``web``
service configures it (``scripts/compose_twin.twin_environment``: the same environment, Redis
rate-limit storage, CSRF on) on the ``bench_screens`` database, signs the benchmark's users in
through the login form with its CSRF token, and drives every screen of the locust journeys
(``tests/benchmarks/locustfile.py``) through the Flask test client with the locust client's
``Accept-Encoding``. Per screen it reports:

* the CPU of this process per screen visit (median and mean of ``time.process_time``: the
  request, its template and the response compression; the test client's own share is small),
* the CPU of the PostgreSQL backends serving the database per visit (psutil; each screen is
  measured in one batch so the database's CPU is the screen's),
* SQL statements per visit, HTTP requests per visit (``/cabinet`` answers a redirect that
  locust follows) and the bytes sent (after compression).

The last lines weigh the screens as the locust journeys mix them (shares of the 100-user run in
docs/benchmarks.md): the CPU per locust request (a screen visit, its redirects followed), from
which two cores' capacity follows (2,000 ms of CPU per second / CPU per request).

Run on demand (not collected by pytest)::

    .venv/bin/python -m tests.benchmarks.bench_cpu [--reuse] [--keep] [--requests 60]
        [--database ekspertiza_load] [--save before.json] [--compare before.json]
        [--profile "document page, curator"]

Without ``--reuse`` the database is seeded first (3,000 schools, as ``bench_screens``);
``--keep`` leaves it for the next run and for ``bench_load --reuse``. ``--profile NAME`` runs
that screen under cProfile and prints the 40 most expensive functions (cumulative). See
docs/load.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import itertools
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import brotli
import psycopg

from scripts import compose_twin
from tests import pg_admin
from tests.benchmarks import bench_screens
from tests.benchmarks.bench_load import postgres_cpu

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DOCUMENT = re.compile(r'href="/documents/(\d+)"')
CABINET = re.compile(r'id="nav-cabinet" href="([^"]+)"')
# What locust's FastHttpUser (geventhttpclient) asks for.
ACCEPT_ENCODING = "gzip, deflate, br"
# Share of each screen among the requests of the 100-user locust run (docs/benchmarks.md,
# 2026-11-27 23:15 UTC: 862 document pages, 588 cabinets, 248 queues, 207 overviews, 85 review
# screens). The document page is split between schools and curators as the journeys do (6:3 users,
# a curator opens one document per queue visit).
MIX = {
    "school cabinet": 588,
    "document page, school": 588,
    "queue, curator of 3 schools": 248,  # locust's curators have 3 schools but one
    "queue, curator of 50 schools": 0,
    "document page, curator": 274,
    "review screen": 85,
    "overview, regional coordinator": 157,
    "overview ?state=submitted": 50,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ekspertiza_load")
    parser.add_argument("--requests", type=int, default=60, help="measured visits per screen")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured visits per screen")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--seed", type=int, default=500)
    parser.add_argument("--save", help="write the figures to this JSON file")
    parser.add_argument("--compare", help="print before → after against this JSON file")
    parser.add_argument("--profile", help="cProfile this screen (its name in the table)")
    parser.add_argument("--sql", help="list the statements of one visit of this screen")
    parser.add_argument("--only", help="measure only screens whose name contains this")
    return parser.parse_args(argv)


@dataclass
class Screen:
    name: str
    email: str | None
    urls: list[str]  # visited in turn (e.g. every document of a school)
    method: str = "GET"
    follow: bool = False


@dataclass
class Figures:
    cpu_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    http: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    pg_ms: float = 0.0

    def row(self) -> dict:
        n = len(self.cpu_ms)
        return {
            "visits": n,
            "cpu_median": statistics.median(self.cpu_ms),
            "cpu_mean": statistics.fmean(self.cpu_ms),
            "pg_mean": self.pg_ms / n,
            "statements": statistics.fmean(self.statements),
            "http": statistics.fmean(self.http),
            "kb": statistics.fmean(self.sent) / 1024,
        }


def compose_app(url: str, upload_dir: Path):
    """The app configured by the compose ``web`` environment (pointed at this database)."""
    compose = compose_twin.load_compose()
    env = compose_twin.twin_environment(
        compose,
        database_url=url,
        redis_url=compose_twin.REDIS_BASE,
        queue=f"cpu-{uuid.uuid4().hex[:8]}",
        smtp_port=compose_twin.free_port(),
        upload_dir=upload_dir,
        secret_key=uuid.uuid4().hex,
        extra={
            "LOGIN_RATE_LIMIT": "1000000 per minute",
            "PASSWORD_HASH_METHOD": bench_screens.HASH_METHOD,
        },
    )
    os.environ.update(env)
    from webapp import create_app

    return create_app()


def one(conn, query: str, *params):
    return conn.execute(query, params or None).fetchone()[0]


def pick_screens(url: str) -> list[Screen]:
    """The accounts and documents of the journeys, found in the data (as bench_load's)."""
    with psycopg.connect(bench_screens.libpq_dsn(url)) as conn:
        school_email = one(conn, "select email from users where email like 'school.%' order by id")
        school_id = one(
            conn,
            "select ms.school_id from memberships ms join users u on u.id = ms.user_id "
            "where u.email = %s and ms.role = 'school'",
            school_email,
        )
        school_docs = [
            r[0]
            for r in conn.execute(
                "select d.id from documents d join campaigns c on c.id = d.campaign_id "
                "where c.is_open and d.school_id = %s order by d.id",
                (school_id,),
            )
        ]
        light = one(
            conn,
            "select cs.curator_id from curator_schools cs "
            "join documents d on d.school_id = cs.school_id "
            "group by cs.curator_id having count(distinct cs.school_id) = 3 "
            "order by count(*) filter (where d.state = 'curator_review') > 0 desc, "
            "count(*) filter (where d.state in ('submitted', 'curator_review')) desc, "
            "cs.curator_id limit 1",
        )
        heavy = one(
            conn,
            "select curator_id from curator_schools group by curator_id "
            "order by count(*) desc, curator_id limit 1",
        )
        waiting = conn.execute(
            "select d.id, d.state from documents d join curator_schools cs "
            "on cs.school_id = d.school_id where cs.curator_id = %s "
            "and d.state in ('submitted', 'curator_review') order by d.id",
            (light,),
        ).fetchall()
        light_email, heavy_email = (
            one(conn, "select email from users where id = %s", i) for i in (light, heavy)
        )
        big_region = one(
            conn,
            "select m.region_id from schools s join municipalities m on m.id = s.municipality_id "
            "group by m.region_id order by count(*) desc, m.region_id limit 1",
        )
        coordinator = one(
            conn,
            "select u.email from users u join memberships ms on ms.user_id = u.id "
            "where ms.role = 'regional_coordinator' and ms.region_id = %s order by u.id limit 1",
            big_region,
        )
    in_review = [d for d, state in waiting if state == "curator_review"]
    return [
        Screen("login page", None, ["/login"]),
        Screen("sign in", school_email, ["/login"], method="POST"),
        Screen("school cabinet", school_email, ["/cabinet"], follow=True),
        Screen("document page, school", school_email, [f"/documents/{d}" for d in school_docs]),
        Screen("queue, curator of 3 schools", light_email, ["/queue"]),
        Screen("queue, curator of 50 schools", heavy_email, ["/queue"]),
        Screen("document page, curator", light_email, [f"/documents/{d}" for d, _ in waiting]),
        Screen("review screen", light_email, [f"/documents/{d}/review" for d in in_review]),
        Screen("overview, regional coordinator", coordinator, ["/overview"]),
        Screen("overview ?state=submitted", coordinator, ["/overview?state=submitted"]),
    ]


def sign_in(app, email: str):
    """A client signed in as locust does: the login form, its CSRF token, the POST."""
    client = app.test_client()
    page = client.get("/login")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    response = client.post(
        "/login",
        data={"email": email, "password": bench_screens.PASSWORD, "csrf_token": token},
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in of {email}: HTTP {response.status_code}")
    return client


class Counter:
    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.count = 0
        self.statements: list[str] | None = None  # kept while listing one visit's statements
        event.listen(engine, "after_cursor_execute", self._one)

    def _one(self, conn, cursor, statement, *args) -> None:
        self.count += 1
        if self.statements is not None:
            self.statements.append(" ".join(statement.split()))


def visit(app, client, screen: Screen, url: str) -> tuple[int, int]:
    """One visit of the screen: (HTTP requests, bytes sent). Fails on anything but 200."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    if screen.method == "POST":  # a fresh sign-in, as a locust user's on_start
        client = app.test_client()
        page = client.get("/login", headers=headers)
        token = CSRF.search(page_text(page)).group(1)
        data = {"email": screen.email, "password": bench_screens.PASSWORD, "csrf_token": token}
        response = client.post(url, data=data, headers=headers)
        return (2, len(response.data)) if response.status_code == 302 else _fail(url, response)
    response = client.get(url, headers=headers, follow_redirects=screen.follow)
    if response.status_code != 200:
        _fail(url, response)
    return 1 + len(response.history), len(response.data)


def page_text(response) -> str:
    """The body as text, decompressed as the client asked."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "deflate":
        body = zlib.decompress(body)
    return body.decode()


def _fail(url, response):
    raise SystemExit(f"{url}: HTTP {response.status_code} {response.location or ''}")


def menu_cabinet(client, screen: Screen) -> list[str]:
    """The school cabinet as the menu links it (as locust finds it); ``/cabinet`` before."""
    if screen.urls != ["/cabinet"]:
        return screen.urls
    landing = page_text(client.get("/", follow_redirects=True))
    match = CABINET.search(landing)
    return [match.group(1)] if match else screen.urls


def measure(app, counter: Counter, screen: Screen, args) -> Figures:
    client = sign_in(app, screen.email) if screen.email and screen.method == "GET" else None
    client = client or app.test_client()
    urls = itertools.cycle(menu_cabinet(client, screen))
    for _ in range(args.warmup):
        visit(app, client, screen, next(urls))
    figures = Figures()
    pg_before = postgres_cpu(args.database)
    for _ in range(args.requests):
        url = next(urls)
        counter.count = 0
        cpu = time.process_time()
        http, sent = visit(app, client, screen, url)
        figures.cpu_ms.append((time.process_time() - cpu) * 1000)
        figures.statements.append(counter.count)
        figures.http.append(http)
        figures.sent.append(sent)
    pg_after = postgres_cpu(args.database)
    figures.pg_ms = 1000 * sum(t - pg_before.get(pid, 0.0) for pid, t in pg_after.items())
    return figures


def profile(app, screen: Screen, args) -> None:
    client = sign_in(app, screen.email) if screen.email and screen.method == "GET" else None
    client = client or app.test_client()
    urls = itertools.cycle(screen.urls)
    for _ in range(args.warmup):
        visit(app, client, screen, next(urls))
    profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for PostgreSQL
    profiler.enable()
    for _ in range(args.requests):
        visit(app, client, screen, next(urls))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(80)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    print(out.getvalue())


def mix(rows: dict[str, dict]) -> dict[str, float]:
    """CPU per locust request (a screen visit, redirects followed) of the journey mix."""
    known = {name: weight for name, weight in MIX.items() if name in rows}
    visits = sum(known.values())
    web = sum(w * rows[n]["cpu_mean"] for n, w in known.items())
    pg = sum(w * rows[n]["pg_mean"] for n, w in known.items())
    return {"web": web / visits, "pg": pg / visits, "all": (web + pg) / visits}


def print_table(rows: dict[str, dict], before: dict | None) -> None:
    def cell(name: str, key: str, fmt: str) -> str:
        now = format(rows[name][key], fmt)
        if before and name in before.get("rows", {}):
            return f"{format(before['rows'][name][key], fmt)} → {now}"
        return now

    print(
        "\n| screen | visits | HTTP requests/visit | web CPU ms (median) | web CPU ms (mean) | "
        "PostgreSQL CPU ms | statements/visit | KB sent |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in rows:
        print(
            f"| {name} | {rows[name]['visits']} | {cell(name, 'http', '.0f')} | "
            f"{cell(name, 'cpu_median', '.1f')} | {cell(name, 'cpu_mean', '.1f')} | "
            f"{cell(name, 'pg_mean', '.1f')} | {cell(name, 'statements', '.1f')} | "
            f"{cell(name, 'kb', '.1f')} |"
        )
    now = mix(rows)
    then = mix(before["rows"]) if before else None
    for key, label in (("web", "web"), ("pg", "PostgreSQL"), ("all", "web + PostgreSQL")):
        text = f"{then[key]:.1f} → {now[key]:.1f}" if then else f"{now[key]:.1f}"
        print(f"\nJourney mix, {label} CPU per locust request: {text} ms", end="")
    print()


def main(argv=None) -> int:
    args = parse_args(argv)
    if not pg_admin.available():
        print(f"PostgreSQL is not reachable at {pg_admin.ADMIN_URL}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    url = bench_screens.database_url(args.database)
    if not args.reuse:
        seed_args = bench_screens.parse_args(
            ["--database", args.database, "--seed", str(args.seed)]
        )
        url, phases = bench_screens.seed_database(seed_args, work / "uploads")
        print("Seeding:", ", ".join(f"{k} {v:.1f} s" for k, v in phases.items()))
    try:
        screens = pick_screens(url)
        if args.only:
            screens = [s for s in screens if args.only in s.name]
        app = compose_app(url, work / "uploads")
        from webapp.extensions import db

        with app.app_context():
            counter = Counter(db.engine)
        print(
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average "
            f"{os.getloadavg()[0]:.2f}, {args.requests} visits per screen"
        )
        if args.sql:
            screen = next(s for s in screens if s.name == args.sql)
            client = sign_in(app, screen.email) if screen.email else app.test_client()
            visit(app, client, screen, screen.urls[0])  # warm the per-process caches
            counter.statements = []
            visit(app, client, screen, screen.urls[0])
            for statement in counter.statements:
                print(statement[:400])
            return 0
        if args.profile:
            screen = next(s for s in screens if s.name == args.profile)
            profile(app, screen, args)
            return 0
        rows = {screen.name: measure(app, counter, screen, args).row() for screen in screens}
        before = json.loads(Path(args.compare).read_text()) if args.compare else None
        print_table(rows, before)
        print(f"(load average after: {os.getloadavg()[0]:.2f})")
        if args.save:
            Path(args.save).write_text(json.dumps({"rows": rows}, indent=1))
    finally:
        if not args.keep and not args.reuse:
            pg_admin.drop_database(args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
