"""Measures from a CSV/XLSX table (through ``webapp.tabular``): all rows or nothing."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext

from webapp.auth.models import User
from webapp.monitoring.models import TEXT_LIMITS
from webapp.monitoring.services import VALUE_LIMIT, create_measure
from webapp.tabular.errors import TabularError, TabularRejected
from webapp.tabular.reader import Limits, Sheet
from webapp.tabular.writer import write_xlsx

# Column (lower-case, as the reader normalises the header) → field.
COLUMNS = {
    "цель": "goal",
    "задача": "task",
    "мероприятие": "title",
    "срок": "deadline",
    "ответственный": "responsible",
    "показатель": "indicator",
    "целевое значение": "target_value",
    "единица измерения": "unit",
}
HEADER = ["Цель", "Задача", "Мероприятие", "Срок", "Ответственный", "Показатель",
          "Целевое значение", "Единица измерения"]  # fmt: skip
EXAMPLE = ["Повысить учебную мотивацию", "Вовлечь учащихся во внеурочную деятельность",
           "Открыть два кружка технического творчества", "31.05.2027", "Иванова А. П.",
           "Доля учащихся в кружках", "40", "%"]  # fmt: skip
LIMITS = Limits(max_rows=500)
SUFFIXES = (".csv", ".xlsx")


def parse_date(text: str) -> date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_number(text: str) -> float | None:
    try:
        value = float(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except ValueError:
        return None
    return value if abs(value) <= VALUE_LIMIT else None


def read_measures(path: Path, name: str) -> list[dict]:
    """Every row's fields; every problem as «file, строка N, столбец X: …» at once."""
    sheet = Sheet(path, list(COLUMNS), limits=LIMITS)
    sheet.name = name
    rows = []
    for row in sheet.rows():
        fields: dict = {}
        for column, field in COLUMNS.items():
            text = row.cells.get(column, "")
            if field == "deadline":
                fields[field] = parse_date(text)
                if fields[field] is None:
                    sheet.fail(row.number, column, gettext("укажите дату в виде ДД.ММ.ГГГГ"))
            elif field == "target_value":
                fields[field] = parse_number(text)
                if fields[field] is None:
                    sheet.fail(row.number, column, gettext("укажите число"))
            else:
                fields[field] = text
                if not text:
                    sheet.fail(row.number, column, gettext("пустое значение"))
                elif len(text) > TEXT_LIMITS[field]:
                    limit = TEXT_LIMITS[field]
                    message = gettext("длиннее %(limit)s символов", limit=limit)
                    sheet.fail(row.number, column, message)
        rows.append(fields)
    sheet.check()
    if not rows:
        message = gettext("в файле нет строк с данными")
        raise TabularRejected([TabularError(None, None, message, name)])
    return rows


@contextlib.contextmanager
def spooled(stream: BinaryIO, filename: str | None) -> Iterator[tuple[Path, str]]:
    """A temporary copy under a generated name (the user's name gives only the extension)."""
    name = Path(filename or "").name[:100] or "file"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        message = gettext("нужен файл CSV или XLSX")
        raise TabularRejected([TabularError(None, None, message, name)])
    handle, tmp = tempfile.mkstemp(prefix="measures-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
        yield Path(tmp), name
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def import_measures(school_id: int, stream: BinaryIO, filename: str | None, *, actor: User) -> int:
    """Create every measure of the table, or raise TabularRejected having created none."""
    with spooled(stream, filename) as (path, name):
        rows = read_measures(path, name)
    for fields in rows:
        create_measure(school_id, fields, actor=actor)
    return len(rows)


def write_template(path: Path) -> Path:
    return write_xlsx(path, HEADER, [EXAMPLE], title="Мероприятия")
