"""Flask CLI commands of the core: demo data."""

from __future__ import annotations

import json

import click
from flask import Flask


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
    app.cli.add_command(orgs_cli)
