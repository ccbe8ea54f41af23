"""``flask --app webapp create-admin``: the first administrator of a fresh installation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.webapp.helpers import SCHOOL
from webapp.auth.models import User
from webapp.extensions import db

STRONG = "Ровно-12-знаков-и-ещё"


def run(app, *args: str, stdin: str | None = None):
    runner = app.test_cli_runner()
    return runner.invoke(args=["create-admin", *args], input=stdin)


def admin(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_creates_an_admin_who_can_sign_in(app, client):
    result = run(
        app,
        "--email",
        "op@example.org",
        "--name",
        "Оператор",
        "--password-stdin",
        stdin=STRONG + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Администратор op@example.org создан." in result.output
    user = admin("op@example.org")
    assert user.full_name == "Оператор" and user.roles() == {"admin"}
    assert STRONG not in user.password_hash and user.check_password(STRONG)
    response = client.post("/login", data={"email": "op@example.org", "password": STRONG})
    assert response.status_code == 302
    assert client.get("/overview").status_code == 200  # an admin's screen


def test_password_is_prompted_twice_without_stdin(app):
    result = run(
        app, "--email", "op@example.org", "--name", "Оператор", stdin=f"{STRONG}\n{STRONG}\n"
    )
    assert result.exit_code == 0, result.output
    assert admin("op@example.org").check_password(STRONG)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "слишком короткий"),
        ("190236457812098", "одних цифр"),
        ("aaaaaaaaaaaaaaaaa", "почти одни повторы"),
        ("Password1234", "распространённый"),
        ("op-admin-op@2026", "распространённый пароль или часть адреса"),
    ],
)
def test_weak_passwords_are_refused(app, password, message):
    result = run(
        app,
        "--email",
        "op-admin-op@example.org",
        "--name",
        "Оператор",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert result.exit_code == 1
    assert message in result.output
    assert admin("op-admin-op@example.org") is None


def test_second_run_is_idempotent(app):
    args = ("--email", "op@example.org", "--name", "Оператор", "--password-stdin")
    assert run(app, *args, stdin=STRONG + "\n").exit_code == 0
    again = run(app, *args, stdin="another-strong-pass\n")
    assert again.exit_code == 0
    assert "уже есть; ничего не изменено" in again.output
    assert admin("op@example.org").check_password(STRONG)
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_an_existing_non_admin_is_refused_and_untouched(app, demo):
    before = admin(SCHOOL).password_hash
    result = run(
        app, "--email", SCHOOL.upper(), "--name", "X", "--password-stdin", stdin=STRONG + "\n"
    )
    assert result.exit_code == 1
    assert "не является администратором" in result.output
    db.session.expire_all()
    assert admin(SCHOOL).password_hash == before and admin(SCHOOL).roles() == {"school"}


def test_bad_email_is_refused(app):
    result = run(
        app, "--email", "not-an-email", "--name", "X", "--password-stdin", stdin=STRONG + "\n"
    )
    assert result.exit_code == 1 and "Неверный адрес" in result.output
