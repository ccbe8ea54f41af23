"""An uploaded list saved to a private temporary file for the platform's reader."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext

from webapp.tabular import TabularError, TabularRejected

SUFFIXES = (".csv", ".xlsx")


@contextlib.contextmanager
def saved_upload(stream: BinaryIO, filename: str | None) -> Iterator[Path]:
    """Yield a temporary path holding the upload (a generated name; the user's name is only
    used for its extension); removed afterwards. Anything but CSV or XLSX is refused."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        shown = Path(filename or "").name
        raise TabularRejected([TabularError(None, None, gettext("нужен файл CSV или XLSX"), shown)])
    handle, name = tempfile.mkstemp(prefix="crosscheck-", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
        yield Path(name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def errors_json(exc: TabularRejected) -> list[dict]:
    """The API's shape of a refused file: ``[{"row", "column", "message"}]``."""
    return [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
