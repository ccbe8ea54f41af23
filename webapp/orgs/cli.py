"""Command line for organisations and users (import from CSV/XLSX)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from webapp.extensions import db
from webapp.orgs.org_import import OrgSummary, import_orgs
from webapp.orgs.services import ORG_COLUMNS, ORG_REQUIRED, USER_COLUMNS, USER_REQUIRED
from webapp.orgs.user_import import UserSummary, import_users
from webapp.tabular import TabularRejected, read_table, write_csv_to

orgs_cli = AppGroup("orgs", help="Организации и пользователи")

EXIT_FAILED = 1
EXIT_INVALID = 2
T = TypeVar("T")

_FILE = click.Path(path_type=Path, dir_okay=False)
_DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Только проверить файл и показать итог, ничего не записывая."
)


@orgs_cli.command("import-orgs")
@click.argument("file", type=_FILE)
@_DRY_RUN
def import_orgs_command(file: Path, dry_run: bool) -> None:
    """Импорт регионов, муниципалитетов и школ из CSV или XLSX (формат: docs/import.md)."""
    summary = _run(file, lambda: import_orgs(read_table(file, ORG_COLUMNS, ORG_REQUIRED)), dry_run)
    _echo_header(file, dry_run)
    click.echo(f"  регионы: создано {summary.regions_created}, обновлено {summary.regions_updated}")
    click.echo(f"  муниципалитеты: создано {summary.municipalities_created}")
    click.echo(_schools_line(summary))


@orgs_cli.command("import-users")
@click.argument("file", type=_FILE)
@click.option(
    "--credentials-out",
    type=_FILE,
    help="Записать созданные пароли в этот новый CSV-файл (доступ только владельцу) "
    "вместо вывода на экран.",
)
@_DRY_RUN
def import_users_command(file: Path, credentials_out: Path | None, dry_run: bool) -> None:
    """Импорт пользователей и их ролей из CSV или XLSX (формат: docs/import.md)."""
    if credentials_out is not None and credentials_out.exists():
        _fail(f"файл для паролей «{credentials_out}» уже существует: укажите новый", EXIT_INVALID)
    summary = _run(
        file,
        lambda: import_users(read_table(file, USER_COLUMNS, USER_REQUIRED)),
        dry_run,
        before_commit=lambda s: _save_credentials(credentials_out, s),
    )
    _echo_header(file, dry_run)
    click.echo(_users_line(summary))
    click.echo(
        f"  роли: добавлено {summary.memberships_added}, "
        f"закрепления кураторов: добавлено {summary.curator_links_added}"
    )
    if not dry_run:
        _echo_credentials(summary, credentials_out)


def _run(
    file: Path,
    work: Callable[[], T],
    dry_run: bool,
    before_commit: Callable[[T], Path | None] | None = None,
) -> T:
    """Run an import in one transaction: commit all of it, or report and write nothing."""
    written: Path | None = None
    try:
        result = work()
        if dry_run:
            db.session.rollback()
            return result
        written = before_commit(result) if before_commit else None
        db.session.commit()
        return result
    except TabularRejected as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(error.render(file.name), err=True)
        _fail(f"ошибок: {len(exc.errors)}; ничего не записано", EXIT_INVALID)
    except SQLAlchemyError:
        _abandon(written)
        _fail("ошибка базы данных (данные изменились одновременно?); ничего не записано")
    except Exception as exc:  # the user sees a message, never a traceback
        _abandon(written)
        _fail(f"внутренняя ошибка ({type(exc).__name__}); ничего не записано")


def _abandon(written: Path | None) -> None:
    """Roll back, and remove a credentials file that now describes nothing."""
    db.session.rollback()
    if written is not None:
        written.unlink(missing_ok=True)


def _fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print the reason in Russian and exit with ``code``."""
    click.echo(f"Импорт не выполнен: {message}.", err=True)
    raise click.exceptions.Exit(code)


def _save_credentials(path: Path | None, summary: UserSummary) -> Path | None:
    """Write generated logins to a new owner-only CSV (UTF-8 with BOM, ``;``) before commit."""
    if path is None or not summary.generated:
        return None
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            write_csv_to(fh, ["email", "full_name", "password"], summary.generated, delimiter=";")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _echo_header(file: Path, dry_run: bool) -> None:
    if dry_run:
        click.echo(f"{file.name}: ошибок нет; проверка без записи (--dry-run), было бы:")
    else:
        click.echo(f"{file.name}: импорт выполнен.")


def _schools_line(summary: OrgSummary) -> str:
    return (
        f"  школы: создано {summary.schools_created}, обновлено {summary.schools_updated}, "
        f"без изменений {summary.schools_unchanged}"
    )


def _users_line(summary: UserSummary) -> str:
    return (
        f"  пользователи: создано {summary.users_created}, обновлено {summary.users_updated}, "
        f"без изменений {summary.users_unchanged}"
    )


def _echo_credentials(summary: UserSummary, path: Path | None) -> None:
    """Say where the generated passwords are, or show them once if no file was asked for."""
    if not summary.generated:
        return
    if path is not None:
        click.echo(f"Пароли новых пользователей ({len(summary.generated)}) записаны в {path}.")
        return
    click.echo("Пароли новых пользователей (показаны один раз, нигде не сохранены):")
    width = max(len(email) for email, _, _ in summary.generated)
    for email, _, password in summary.generated:
        click.echo(f"  {email:<{width}}  {password}")
