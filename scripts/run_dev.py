"""`make run`: the app with demo data, a real Celery worker and one beat, on the embedded default.

Migrates and loads the demo data, picks a broker (REDIS_URL if it answers; else a private
redis-server on loopback; else kombu's SQLAlchemy transport in instance/), starts a local SMTP
server that prints mail when MAIL_SERVER is unset, then worker, beat and the web server.
Ctrl-C or SIGTERM stops every child.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"
PY = sys.executable
HOST = "127.0.0.1"
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")
STOP_TIMEOUT = 15.0


def say(text: str) -> None:
    print(f"[run] {text}", flush=True)


def warn(text: str) -> None:
    bar = "!" * 78
    print(f"\n{bar}\n[run] ВНИМАНИЕ: {text}\n{bar}\n", file=sys.stderr, flush=True)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def free_port(preferred: int | None = None) -> int:
    if preferred and port_free(preferred):
        return preferred
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False


class Children:
    """The processes we started, stopped in reverse order."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        # Own session: Ctrl-C reaches only us, and we stop the children in order.
        proc = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
        self.procs.append((name, proc))
        return proc

    def exited(self) -> tuple[str, int] | None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def stop_all(self) -> None:
        """SIGTERM each child in reverse start order and wait for it (web first, broker last)."""
        for name, proc in reversed(self.procs):
            if proc.poll() is not None:
                continue
            say(f"останавливаю {name} (pid {proc.pid})")
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                say(f"{name} не остановился за {STOP_TIMEOUT:.0f} с, завершаю принудительно")
                proc.kill()
                proc.wait()


def run_step(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 (our own fixed commands)
        args, cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"[run] шаг не удался: {' '.join(args[2:])}")
    return result.stdout


def prepare_database(env: dict[str, str]) -> list[dict]:
    say("миграции: flask db upgrade")
    run_step([PY, "-m", "flask", "--app", "webapp", "db", "upgrade"], env)
    say("демо-данные: flask demo")
    out = run_step(
        [PY, "-m", "flask", "--app", "webapp", "demo", "--password", DEMO_PASSWORD, "--json"], env
    )
    return json.loads(out)


def pick_broker(env: dict[str, str], children: Children) -> str:
    """REDIS_URL if it answers, else a private redis-server, else SQLAlchemy over SQLite."""
    url = env.get("CELERY_BROKER_URL") or env.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not url.startswith("redis"):
        say(f"брокер: {url} (задан в CELERY_BROKER_URL)")
        return url
    if redis_answers(url):
        say(f"брокер: Redis {url}")
        return url
    binary = shutil.which("redis-server")
    if binary:
        port = free_port()
        args = [binary, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no"]
        log = str(INSTANCE / "redis-server.log")
        children.start("redis-server", [*args, "--loglevel", "warning", "--logfile", log], env)
        url = f"redis://{HOST}:{port}/0"
        for _ in range(100):
            if redis_answers(url):
                say(f"брокер: собственный redis-server {url} (без сохранения на диск)")
                return url
            time.sleep(0.05)
        say("собственный redis-server не ответил")
    url = f"sqla+sqlite:///{INSTANCE / 'celery-broker.sqlite'}"
    warn(
        "Redis недоступен, брокер — SQLite через kombu (" + url + ").\n"
        "[run] Задержка около 1 с, повторной доставки нет, celery inspect/Flower не работают;\n"
        "[run] потерянные письма доставит периодический обход outbox."
    )
    return url


class PrintingHandler:
    """aiosmtpd handler: print each message, decoded, to the console."""

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        print(
            "\n"
            + "=" * 30
            + " ПИСЬМО "
            + "=" * 30
            + f"\nКому: {', '.join(envelope.rcpt_tos)}\nТема: {message['Subject']}\n\n{text}"
            + "=" * 68,
            flush=True,
        )
        return "250 OK"


def start_smtp(env: dict[str, str]):
    """A local SMTP server printing mail, unless MAIL_SERVER points somewhere real."""
    if os.environ.get("MAIL_SERVER"):
        say(f"почта: {os.environ['MAIL_SERVER']}:{os.environ.get('MAIL_PORT', '25')}")
        return None
    from aiosmtpd.controller import Controller

    port = free_port(int(os.environ.get("MAIL_PORT", "8025")))
    controller = Controller(PrintingHandler(), hostname=HOST, port=port)
    controller.start()
    env.update(MAIL_SERVER=HOST, MAIL_PORT=str(port), MAIL_SUPPRESS_SEND="false")
    say(f"почта: локальный SMTP {HOST}:{port}, письма печатаются здесь")
    return controller


def wait_for_web(url: str, proc: subprocess.Popen, stopping: list, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None and not stopping:
        try:
            with urllib.request.urlopen(url + "/login", timeout=2):  # noqa: S310 (our own URL)
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.2)
    return False


def banner(url: str, broker: str, logins: list[dict]) -> None:
    print("\n" + "-" * 78)
    print(f"  Экспертиза работает: {url}")
    print(f"  Брокер: {broker}")
    print(f"  Демо-пользователи (пароль для всех: {DEMO_PASSWORD}):")
    for login in logins:
        roles = ", ".join(r["role"] for r in login["roles"])
        print(f"    {login['email']:<40} {roles}")
    print("  Остановить: Ctrl-C")
    print("-" * 78 + "\n", flush=True)


def hold_instance_lock():
    """One `make run` per instance/ directory, so there is exactly one beat."""
    handle = (INSTANCE / "run_dev.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit("[run] уже запущено для этого каталога instance/ (второй beat недопустим)")
    return handle


def main() -> int:
    from dotenv import load_dotenv

    load_dotenv(ROOT / ".env", override=False)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    lock = hold_instance_lock()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stopping.append(signum))

    children = Children()
    smtp = None
    try:
        logins = prepare_database(env)
        broker = pick_broker(env, children)
        env["CELERY_BROKER_URL"] = broker
        if broker.startswith("redis"):
            env["REDIS_URL"] = broker
        smtp = start_smtp(env)
        celery = [PY, "-m", "celery", "-A", "tasks.celery_app"]
        children.start("worker", [*celery, "worker", "--pool=solo", "--loglevel=INFO"], env)
        schedule = str(INSTANCE / "celerybeat-schedule")
        children.start("beat", [*celery, "beat", "--loglevel=INFO", "--schedule", schedule], env)
        port = free_port(int(os.environ.get("PORT", "5000")))
        url = f"http://{HOST}:{port}"
        flask = [PY, "-m", "flask", "--app", "webapp", "run", "--host", HOST, "--port", str(port)]
        web = children.start("web", flask, env)
        if wait_for_web(url, web, stopping):
            banner(url, broker, logins)
        while not stopping:
            gone = children.exited()
            if gone:
                say(f"{gone[0]} завершился с кодом {gone[1]}; останавливаю остальное")
                return 1
            time.sleep(0.3)
        say("получен сигнал, останавливаю")
        return 0
    finally:
        children.stop_all()
        if smtp is not None:
            smtp.stop()
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
