"""Flask CLI commands of the core: demo data."""

from __future__ import annotations

import json
import re
import sys

import click
from flask import Flask

MIN_ADMIN_PASSWORD = 12
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "qwertyuiopas",
        "password1234",
        "passwordpassword",
        "administrator",
        "adminadminadmin",
        "ekspertiza123",
        "ekspertiza2026",
        "йцукенгшщзхъ",
    }
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def password_weakness(password: str, email: str) -> str | None:
    """Why a password is too weak for the first administrator, or None."""
    if len(password) < MIN_ADMIN_PASSWORD:
        return f"Пароль слишком короткий: нужно не меньше {MIN_ADMIN_PASSWORD} символов."
    if len(set(password)) < 5:
        return "Пароль слишком простой: в нём почти одни повторы."
    if password.isdigit():
        return "Пароль не должен состоять из одних цифр."
    lowered = password.casefold()
    if lowered in COMMON_PASSWORDS or email.split("@")[0].casefold() in lowered:
        return "Пароль слишком простой: это распространённый пароль или часть адреса почты."
    return None


@click.command("create-admin")
@click.option("--email", required=True, help="Адрес электронной почты администратора")
@click.option("--name", required=True, help="Имя, как его увидят пользователи")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Прочитать пароль из первой строки стандартного ввода (иначе он запрашивается)",
)
def create_admin_command(email: str, name: str, password_stdin: bool) -> None:
    """Создать первого администратора (федерального оператора)."""
    from webapp.auth.models import Membership, RoleCode, User
    from webapp.auth.services import find_user_by_email
    from webapp.extensions import db

    email, name = email.strip(), name.strip()
    if not EMAIL.match(email) or len(email) > 254:
        raise click.ClickException("Неверный адрес электронной почты.")
    if not name or len(name) > 200:
        raise click.ClickException("Укажите имя длиной от 1 до 200 символов.")
    existing = find_user_by_email(email)
    if existing is not None:
        if existing.has_role(RoleCode.ADMIN):
            click.echo(f"Администратор {existing.email} уже есть; ничего не изменено.")
            return
        raise click.ClickException(
            f"Пользователь {existing.email} уже есть и не является администратором; "
            "ничего не изменено."
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Пароль", hide_input=True, confirmation_prompt=True)
    weakness = password_weakness(password, email)
    if weakness:
        raise click.ClickException(weakness)
    user = User(email=email, full_name=name)
    user.set_password(password)
    user.memberships.append(Membership(role=RoleCode.ADMIN))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Администратор {email} создан.")


@click.command("demo")
@click.option(
    "--password", default="demo12345", show_default=True, help="Пароль всех демо-пользователей"
)
@click.option("--json", "as_json", is_flag=True, help="Вывести логины в формате JSON")
@click.option(
    "--without-peer-stage",
    is_flag=True,
    help="Без взаимоэкспертизы: все документы проходят только проверку куратора",
)
def demo_command(password: str, as_json: bool, without_peer_stage: bool) -> None:
    """Загрузить демо-данные (один раз) и показать логины."""
    from webapp.demo.services import load_demo

    logins = load_demo(password, peer_stage=not without_peer_stage)
    from webapp.demo.crosscheck_experts import demo_campaign
    from webapp.extensions import db

    if demo_campaign() is not None:  # the cross-check journey, playable at once
        db.session.commit()
    if as_json:
        click.echo(json.dumps(logins, ensure_ascii=False, indent=2))
        return
    click.echo(f"Демо-пользователи (пароль для всех: {password}):")
    for login in logins:
        roles = ", ".join(r["role"] for r in login["roles"])
        click.echo(f"  {login['email']:<40} {roles}")


def register_cli(app: Flask) -> None:
    from webapp.orgs.cli import orgs_cli

    app.cli.add_command(demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(orgs_cli)
