"""The set-up journey in Chromium: the admin invites a regional coordinator (the e-mail is caught
by the test's SMTP server), who sets a password, invites a curator and assigns it to a school,
and sets the stage deadline of its region (the admin the federal one); the school chooses its
risks and its programmes follow."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import app_config
from tests.e2e.conftest import DEMO_PASSWORD
from tests.integration.conftest import Mailbox, free_port
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.e2e

ADMIN = "admin@ekspertiza.local"
SCHOOL = "school.08-umc@ekspertiza.local"
NEW_COORD = "new.coord.08@example.org"
NEW_CURATOR = "new.curator.08@example.org"
PASSWORD = "coordinator-pass-2026"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def world(sqlite_template: Path, tmp_path_factory) -> Iterator[dict]:
    """The demo world served over HTTP with real SMTP delivery to an aiosmtpd mailbox."""
    from webapp.demo.services import load_demo

    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    folder = tmp_path_factory.mktemp("e2e-setup")
    database = folder / "e2e.db"
    shutil.copyfile(sqlite_template, database)
    config = app_config(
        f"sqlite:///{database}",
        folder / "uploads",
        WTF_CSRF_ENABLED=True,
        MAIL_SUPPRESS_SEND=False,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        CELERY_BROKER_URL="memory://",
        PASSWORD_RESET_MIN_SECONDS=0,
    )
    app = create_app(config)
    with app.app_context():
        load_demo(DEMO_PASSWORD)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"base": base, "app": app, "mailbox": mailbox}
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        smtp.stop()
        with app.app_context():
            db.engine.dispose()


def deliver_outbox(app) -> None:
    """What the worker's sweep does: send every pending outbox row over SMTP."""
    from webapp.notifications.mailer import deliver
    from webapp.notifications.models import Notification

    with app.app_context():
        ids = db.session.scalars(
            select(Notification.id).where(Notification.email_state == "pending")
        ).all()
        for notification_id in ids:
            deliver(notification_id)
        db.session.remove()


def sign_in(page: Page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.locator("#login-submit").click()
    expect(page.locator("form[action='/logout']")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Выйти").click()


def test_setup_journey(world, browser: Browser) -> None:
    base, mailbox = world["base"], world["mailbox"]
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    # The admin invites a regional coordinator of Kalmykia.
    sign_in(page, base, ADMIN)
    page.locator("#nav-setup").click()
    page.get_by_role("link", name="Пользователи и роли").click()
    page.locator("#invite-form").get_by_label("Электронная почта").fill(NEW_COORD)
    page.locator("#invite-form").get_by_label("Имя (ФИО или должность)").fill(
        "Новый координатор Калмыкии"
    )
    page.locator("#invite-form").get_by_label("Роль").select_option("regional_coordinator")
    page.locator("#invite-form").get_by_label("Регион").select_option(
        label="08 Республика Калмыкия"
    )
    page.locator("#invite-submit").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Приглашение отправлено на {NEW_COORD}")
    sign_out(page)

    # The e-mail reaches the SMTP server; its link sets the password.
    deliver_outbox(world["app"])
    letters = mailbox.to(NEW_COORD)
    assert len(letters) == 1
    body = letters[0].get_content()
    link = re.search(r"(http://\S+/password/set/invite/\S+)", body).group(1)
    assert link.startswith(base)
    page.goto(link)
    page.get_by_label("Новый пароль").fill(PASSWORD)
    page.get_by_label("Пароль ещё раз").fill(PASSWORD)
    page.locator("#set-password-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Пароль сохранён")
    page.goto(link)  # single use
    expect(page.locator("#link-problem")).to_contain_text("уже использована")

    # The coordinator signs in, invites a curator of its region and assigns it to a school.
    sign_in(page, base, NEW_COORD, PASSWORD)
    page.locator("#nav-setup").click()
    page.get_by_role("link", name="Пользователи и роли").click()
    roles = page.locator("#invite-form").get_by_label("Роль").locator("option").all_inner_texts()
    assert "Федеральный оператор" not in roles
    page.locator("#invite-form").get_by_label("Электронная почта").fill(NEW_CURATOR)
    page.locator("#invite-form").get_by_label("Имя (ФИО или должность)").fill("Новый куратор")
    page.locator("#invite-form").get_by_label("Роль").select_option("curator")
    page.locator("#invite-form").get_by_label("Регион").select_option(
        label="08 Республика Калмыкия"
    )
    page.locator("#invite-submit").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Приглашение отправлено на {NEW_CURATOR}")
    page.goto(f"{base}/setup/curators")
    row = page.locator("tr[data-school-code='08-UMC']")
    row.get_by_role("combobox").select_option(label=f"Новый куратор ({NEW_CURATOR})")
    row.get_by_role("button", name="Закрепить").click()
    expect(page.get_by_role("alert")).to_contain_text("Новый куратор закреплён(а) за школой")
    expect(page.locator("tr[data-school-code='08-UMC']")).to_contain_text("Новый куратор")
    assert page.locator("tr[data-school-code='38-VER']").count() == 0
    # The coordinator sets the documents stage deadline of its region (the federal calendar
    # itself is the admin's: no form for it here).
    page.goto(f"{base}/setup/campaign")
    assert page.locator("form[id^='stage-']").count() == 0
    regional = (date.today() + timedelta(days=30)).isoformat()
    form = page.locator("tr[data-stage='documents'] form[data-region='08']")
    form.locator("input[type=date]").fill(regional)
    form.get_by_role("button", name="Задать срок региона").click()
    expect(page.get_by_role("alert")).to_contain_text(f"срок в регионе — {regional}")
    expect(page.locator("tr[data-stage='documents'] .region-deadlines")).to_contain_text(regional)
    sign_out(page)

    # The admin moves the federal deadline of the stage.
    federal = (date.today() + timedelta(days=200)).isoformat()
    sign_in(page, base, ADMIN)
    page.goto(f"{base}/setup/campaign")
    stage = page.locator("tr[data-stage='documents']")
    stage.get_by_label("Срок (последний день)").fill(federal)
    stage.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("alert")).to_contain_text(f"срок — {federal}")
    sign_out(page)

    # The school chooses three other risk directions; its programmes follow.
    sign_in(page, base, SCHOOL)
    page.get_by_role("link", name="Кабинет школы").click()
    page.locator("#risks-link").click()
    boxes = page.locator("#risk-form input[type=checkbox]")
    checked = [i for i in range(boxes.count()) if boxes.nth(i).is_checked()]
    assert len(checked) == 3
    free = [i for i in range(boxes.count()) if i not in checked][:3]
    labels = [
        page.locator(f"label[for='{boxes.nth(i).get_attribute('id')}']").inner_text() for i in free
    ]
    for i in checked:
        boxes.nth(i).uncheck()
    for i in free:
        boxes.nth(i).check()
    page.locator("#risk-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Рисковые направления сохранены")
    table = page.locator("#school-documents")
    for label in labels:
        name = label.split(". ", 1)[1]
        expect(table).to_contain_text(f"Антирисковая программа: {name}")
    context.close()
