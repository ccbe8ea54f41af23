"""Problems found in a tabular file: each names the file, the row and the column it is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext


@dataclass(frozen=True)
class TabularError:
    """One problem; ``row`` counts like a spreadsheet (the header is row 1)."""

    row: int | None
    column: str | None
    message: str
    file: str = ""

    def render(self, filename: str = "") -> str:
        """The problem as one Russian line: «file, строка N, столбец X: message»."""
        where = [name] if (name := self.file or filename) else []
        if self.row is not None:
            where.append(gettext("строка %(row)s", row=self.row))
        if self.column:
            where.append(gettext("столбец %(column)s", column=self.column))
        message = gettext(self.message)  # a catalogue id when the message is a constant
        return f"{', '.join(where)}: {message}" if where else message

    def __str__(self) -> str:
        return self.render()


class TabularRejected(Exception):
    """The file cannot be used as a whole; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[TabularError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(error.render() for error in self.errors))


def reject(
    message: str, row: int | None = None, column: str | None = None, file: str = ""
) -> TabularRejected:
    """A rejection with a single problem."""
    return TabularRejected([TabularError(row, column, message, file)])


def translated_errors(
    errors: Sequence[TabularError], sep: str = "; ", with_row: bool = True
) -> str:
    """The problems as one line in the user's language (for a flash message)."""
    if with_row:
        return sep.join(error.render() for error in errors)
    return sep.join(f"{error.column}: {gettext(error.message)}" for error in errors)


def by_row(error: TabularError) -> int:
    """Sort key (stable): problems in the order of the file's rows, the header's first."""
    return error.row or 0
