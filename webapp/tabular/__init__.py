"""Tabular files in and out: one reader (CSV/XLSX), one writer, one ZIP vetter; no Flask here."""

from webapp.tabular.errors import TabularError, TabularRejected, by_row, reject
from webapp.tabular.reader import (
    DEFAULT_LIMITS,
    MAX_BYTES,
    MAX_ERRORS,
    MAX_ROWS,
    Limits,
    Row,
    Sheet,
    Table,
    read_table,
)
from webapp.tabular.writer import (
    escape_cell,
    write_csv,
    write_csv_to,
    write_json,
    write_xlsx,
)

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_BYTES",
    "MAX_ERRORS",
    "MAX_ROWS",
    "Limits",
    "Row",
    "Sheet",
    "Table",
    "TabularError",
    "TabularRejected",
    "by_row",
    "escape_cell",
    "read_table",
    "reject",
    "write_csv",
    "write_csv_to",
    "write_json",
    "write_xlsx",
]
