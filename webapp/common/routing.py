"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_DATABASE_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """``<int:…>`` limited to what an integer column holds: larger ids are 404, not a 500."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)
