"""Typed access to the rows of an import file (read by ``webapp.tabular``), with clear problems.

Nothing here touches the database. Every problem names the row as a spreadsheet user sees it
(the header is row 1) and the column, so the whole file can be fixed in one go. Problems are
written in the current language when found (``gettext``: the user's in a request, Russian in the
CLI); the «строка N, столбец X» frame is added when shown (``TabularError.render``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeVar

from flask_babel import gettext

from webapp.tabular import Row, TabularError

T = TypeVar("T")

_TRUE = frozenset({"1", "да", "д", "true", "истина", "yes", "y", "+"})
_FALSE = frozenset({"", "0", "нет", "н", "false", "ложь", "no", "n", "-"})
_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[\w.!#$%&'*+/=?^`{|}~-]{1,64}(?<!\.)@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
)


class Cells:
    """Typed access to one row; every bad value is recorded as a problem and gives None."""

    def __init__(self, row: Row, problems: list[TabularError]) -> None:
        self.row = row
        self.problems = problems

    def fail(self, column: str, message: str) -> None:
        """Record a problem in ``column`` of this row."""
        self.problems.append(TabularError(self.row.number, column, message))

    def has(self, column: str) -> bool:
        """Whether the file has this column at all."""
        return column in self.row.cells

    def text(self, column: str, max_len: int, *, required: bool = False) -> str:
        """The stripped text; empty when absent; too long or missing-but-required fail."""
        value = " ".join(self.row.cells.get(column, "").split())
        if required and not value:
            self.fail(column, gettext("значение не заполнено"))
        elif len(value) > max_len:
            message = gettext(
                "слишком длинное значение (%(length)s символов, можно %(limit)s)",
                length=len(value),
                limit=max_len,
            )
            self.fail(column, message)
        return value

    def parsed(
        self, column: str, parse: Callable[[str], T | None], error: object, **args: object
    ) -> T | None:
        """Apply ``parse`` to the cell; None from it is reported with ``error``: a catalogue id
        (``lazy_gettext``) whose ``%(value)s`` is the cell and whose other placeholders ``args``."""
        raw = self.row.cells.get(column, "")
        value = parse(raw)
        if value is None:
            message = str(error) % {"value": raw, **args} if raw else None
            self.fail(column, message or gettext("значение не заполнено"))
        return value


def parse_flag(raw: str) -> bool | None:
    """1/0, да/нет, true/false (any case); empty is false; anything else None."""
    value = raw.strip().lower()
    return True if value in _TRUE else False if value in _FALSE else None


def parse_count(raw: str, maximum: int) -> int | None:
    """A non-negative integer up to ``maximum`` ("1 250" allowed), else None."""
    value = re.sub(r"\s", "", raw)
    if not value.isdecimal() or not value.isascii() or int(value) > maximum:
        return None
    return int(value)


def parse_email(raw: str) -> str | None:
    """The lower-cased e-mail if it looks valid and fits the column, else None."""
    value = raw.strip().lower()
    return value if len(value) <= 254 and _EMAIL.fullmatch(value) else None


def iter_codes(raw: str) -> Iterator[str]:
    """Codes from a list separated by ``;``, ``,`` or spaces."""
    return (code for code in re.split(r"[;,\s]+", raw) if code)
