"""The native twin of ``docker-compose.yml``: the compose services' own commands, natively.

Container images cannot be pulled on the project's machines, so this script reads
``docker-compose.yml`` and starts what its services run, with their settings, as local
processes against the local PostgreSQL and Redis:

* ``migrate`` (``flask --app webapp db upgrade``) once, into a fresh database;
* ``web``: gunicorn with the compose arguments (4 sync workers, timeout, forwarded IPs), bound to
  a loopback port instead of ``0.0.0.0:8000``;
* ``worker`` twice (two workers, as a scaled service) and ``beat`` exactly once;
* the ``mail`` service (an SMTP catcher in compose) is an aiosmtpd server on loopback.

The environment is the compose one (``x-app``), with these differences: the database, Redis and
mail hosts point at the local services (Redis on a private db number with a queue and a rate-limit
key prefix of this run, so parallel runs never share messages or counters), uploads go to a
temporary folder, and ``SESSION_COOKIE_SECURE`` is false because the twin serves plain HTTP on
loopback (compose sits behind a TLS proxy).

Run it by hand::

    .venv/bin/python scripts/compose_twin.py            # fresh database, Ctrl+C stops all
    .venv/bin/python scripts/compose_twin.py --demo     # ... with the demo data loaded

``tests/integration/test_compose_twin.py`` starts it and plays the document journey over HTTP;
``tests/benchmarks/bench_load.py`` reuses the web command. See docs/load.md.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
BIN = Path(sys.executable).parent
PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_BASE = os.environ.get("TWIN_REDIS_URL", "redis://127.0.0.1:6379/8")
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


# ---------------------------------------------------------------------------------------------
# Reading docker-compose.yml


def load_compose(path: Path = COMPOSE_FILE) -> dict:
    """The compose file, with its YAML anchors and ``<<`` merges resolved."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def expand(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ``${X}``, ``${X:-default}``, ``${X:?error}``."""

    def replace(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if op in (":?", "?"):
            if not current:
                raise SystemExit(f"compose variable {name} is required: {arg}")
            return current
        return current or ""

    return _VARIABLE.sub(replace, str(value))


def service(compose: dict, name: str) -> dict:
    try:
        return compose["services"][name]
    except KeyError:
        raise SystemExit(f"docker-compose.yml has no service {name!r}") from None


def command(compose: dict, name: str) -> list[str]:
    """The service's command as an argument list."""
    value = service(compose, name)["command"]
    return list(value) if isinstance(value, list) else value.split()


def environment(compose: dict, name: str, variables: dict[str, str]) -> dict[str, str]:
    """The service's environment with compose's substitutions done over ``variables``."""
    env = service(compose, name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: expand(value, variables) for key, value in env.items()}


def native(argv: list[str]) -> list[str]:
    """The command with its program taken from this virtual environment."""
    program = BIN / argv[0]
    return [str(program) if program.exists() else argv[0], *argv[1:]]


def replace_option(argv: list[str], option: str, value: str) -> list[str]:
    """``argv`` with the value after ``option`` replaced (the option must be present)."""
    index = argv.index(option)
    return [*argv[: index + 1], value, *argv[index + 2 :]]


def web_command(compose: dict, port: int) -> list[str]:
    """gunicorn as the ``web`` service runs it, bound to a loopback port."""
    return native(replace_option(command(compose, "web"), "--bind", f"127.0.0.1:{port}"))


# ---------------------------------------------------------------------------------------------
# Local services


def create_database(name: str) -> str:
    """A fresh PostgreSQL database; returns its SQLAlchemy URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# The twin


@dataclass
class Twin:
    """The running processes of one twin and where to reach them."""

    base_url: str
    env: dict[str, str]
    queue: str
    log_dir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def flask(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """A ``flask --app webapp ...`` command with the services' environment (as ``docker
        compose run web flask ...`` would)."""
        return subprocess.run(  # noqa: S603  (our own commands, no shell)
            native(["flask", "--app", "webapp", *args]),
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def twin_environment(
    compose: dict,
    *,
    database_url: str,
    redis_url: str,
    queue: str,
    smtp_port: int,
    upload_dir: Path,
    secret_key: str,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The compose ``web`` environment, pointed at the local services of this run."""
    variables = {**os.environ, "SECRET_KEY": secret_key}
    env = {**os.environ, **environment(compose, "web", variables)}
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_KEY_PREFIX": queue,
            "UPLOAD_DIR": str(upload_dir),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "SESSION_COOKIE_SECURE": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def start(
    *,
    database_url: str,
    smtp_port: int,
    log_dir: Path,
    redis_url: str = REDIS_BASE,
    workers: int = 2,
    web_port: int | None = None,
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 120.0,
) -> Twin:
    """Migrate, then start web, ``workers`` workers and one beat; wait until they answer."""
    compose = load_compose()
    queue = f"twin-{uuid.uuid4().hex[:10]}"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = twin_environment(
        compose,
        database_url=database_url,
        redis_url=redis_url,
        queue=queue,
        smtp_port=smtp_port,
        upload_dir=log_dir / "uploads",
        secret_key=secrets.token_hex(32),
        extra=extra_env,
    )
    port = web_port or free_port()
    twin = Twin(f"http://127.0.0.1:{port}", env, queue, log_dir)
    migrated = subprocess.run(  # noqa: S603  (the compose command, no shell)
        native(command(compose, "migrate")),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    (log_dir / "migrate.log").write_text(migrated.stdout + migrated.stderr)
    if migrated.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{migrated.stderr[-3000:]}")
    commands = {"web": web_command(compose, port)}
    worker = native(command(compose, "worker"))
    for number in range(1, workers + 1):
        commands[f"worker-{number}"] = [*worker, "-n", f"{queue}-{number}@%h"]
    schedule = str(log_dir / "celerybeat-schedule")
    commands["beat"] = native(replace_option(command(compose, "beat"), "--schedule", schedule))
    try:
        for name, argv in commands.items():
            with (log_dir / f"{name}.log").open("wb") as log:
                twin.processes[name] = subprocess.Popen(  # noqa: S603  (compose commands)
                    argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
                )
        _wait_ready(twin, [n for n in commands if n.startswith("worker-")], ready_timeout)
    except BaseException:
        twin.stop()
        raise
    return twin


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310  (loopback URL)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_ready(twin: Twin, workers: list[str], timeout: float) -> None:
    """The web answers ``/login`` (the compose health check) and every worker is ready."""
    deadline = time.monotonic() + timeout
    pending = {"web", *workers}
    while pending and time.monotonic() < deadline:
        for name, process in twin.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{twin.log(name)}")
        if "web" in pending and _answers(f"{twin.base_url}/login"):
            pending.discard("web")
        for name in [w for w in pending if w != "web"]:
            if " ready." in twin.log(name):
                pending.discard(name)
        time.sleep(0.2)
    if pending:
        logs = "\n".join(f"--- {n}\n{twin.log(n)[-2000:]}" for n in sorted(pending))
        raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(pending)}\n{logs}")


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ekspertiza_twin", help="fresh database name")
    parser.add_argument("--port", type=int, default=8000, help="web port on 127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--demo", action="store_true", help="load the demo data")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)

    from aiosmtpd.controller import Controller

    class Printer:
        async def handle_DATA(self, server, session, envelope) -> str:
            print(f"[mail] to {', '.join(envelope.rcpt_tos)}: {len(envelope.content)} bytes")
            return "250 Message accepted for delivery"

    smtp = Controller(Printer(), hostname="127.0.0.1", port=args.smtp_port)
    smtp.start()
    log_dir = Path(tempfile.mkdtemp(prefix="compose-twin-"))
    url = create_database(args.database)
    twin = None
    try:
        twin = start(
            database_url=url, smtp_port=args.smtp_port, log_dir=log_dir, web_port=args.port
        )
        if args.demo:
            print(twin.flask("demo").stdout)
        print(f"Twin up: {twin.base_url} (logs in {log_dir}); Ctrl+C stops it.")
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        if twin is not None:
            twin.stop()
        smtp.stop()
        if not args.keep:
            drop_database(args.database)
        shutil.rmtree(log_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
