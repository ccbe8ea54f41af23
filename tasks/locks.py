"""A lock for periodic scans, so two beats or workers never run the same scan at once."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from webapp.extensions import db


@contextmanager
def scan_lock(name: str) -> Iterator[bool]:
    """Yield True when this process holds the lock ``name`` (a PostgreSQL advisory lock).

    The lock lives on its own connection, so it survives the scan's commits and is released by
    PostgreSQL itself if the worker dies. SQLite has no such lock; there the row claims and the
    unique dedupe keys keep a concurrent scan harmless, and the embedded setup runs one worker.
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(name.encode()) - 2**31  # fits the signed bigint of pg_try_advisory_lock
    with db.engine.connect() as conn:
        acquired = bool(conn.scalar(text("select pg_try_advisory_lock(:k)"), {"k": key}))
        conn.commit()
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(text("select pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
