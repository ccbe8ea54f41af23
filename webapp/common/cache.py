"""Short-lived per-process caches of read models, dropped by any ORM change in the process.

Used for figures that many requests read and that may lag a few seconds behind changes made by
other processes (the overview's counts over a whole scope). A change made through the ORM in
this process (flush of a watched class, or a bulk ``update``/``delete`` of one) drops every
entry at once, so a user who acts sees the effect on the next page. The time to live comes from
the app's config (0 turns the cache off). See docs/load.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.extensions import db


class ScopeCache:
    def __init__(self, name: str, watched: Callable[[], tuple[type, ...]], ttl_key: str) -> None:
        self.name = name
        self._watched = watched
        self.ttl_key = ttl_key
        self._generation = 0
        self._lock = threading.Lock()
        self._flag = f"{name}_changed"
        event.listen(Session, "after_flush", self._after_flush)
        event.listen(Session, "after_commit", self._after_commit)
        event.listen(Session, "after_rollback", self._after_rollback)
        event.listen(Session, "do_orm_execute", self._bulk)

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value of ``key`` for this app, or ``compute()`` stored for the TTL."""
        ttl = current_app.config.get(self.ttl_key, 0)
        if not ttl or db.session.info.get(self._flag):
            return compute()  # off, or this transaction changed what the value depends on
        store = current_app.extensions.setdefault(f"cache:{self.name}", {})
        now = time.monotonic()
        entry = store.get(key)
        if entry is not None and entry[0] > now and entry[1] == self._generation:
            return entry[2]
        generation = self._generation
        value = compute()
        if len(store) > 2000:  # many scopes: start again rather than grow
            store.clear()
        store[key] = (now + ttl, generation, value)
        return value

    def _touches(self, objects) -> bool:
        watched = self._watched()
        return any(isinstance(obj, watched) for obj in objects)

    def _after_flush(self, session, flush_context) -> None:
        if any(self._touches(objs) for objs in (session.new, session.dirty, session.deleted)):
            session.info[self._flag] = True
            self.invalidate()

    def _after_commit(self, session) -> None:
        if session.info.pop(self._flag, False):
            self.invalidate()

    def _after_rollback(self, session) -> None:
        if session.info.pop(self._flag, False):
            self.invalidate()

    def _bulk(self, state) -> None:
        if state.is_update or state.is_delete:
            watched = self._watched()
            if any(mapper.class_ in watched for mapper in state.all_mappers):
                state.session.info[self._flag] = True
                self.invalidate()
