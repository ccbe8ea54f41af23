"""Bulk insert of list rows and score sheets: COPY on PostgreSQL, executemany elsewhere.

A region's list has about 300 000 rows; row-by-row INSERTs (psycopg's executemany pipeline)
take a minute, COPY a few seconds. Runs on the session's own connection, so it is part of the
caller's transaction (all or nothing).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import JSON, Table, insert

from webapp.extensions import db

CHUNK = 20_000


def bulk_insert(table: Table, rows: Sequence[dict]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(table), list(rows[start : start + CHUNK]))
        return
    columns = list(rows[0])
    as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
    names = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if c in as_json and row[c] is not None else row[c]
                    for c in columns
                ]
            )
