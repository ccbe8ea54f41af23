"""The on-disk store of partial uploads, as plain objects (no Flask)."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from webapp.uploads.store import PartialStore, TooMuchData, UploadBusy, UploadGone

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


@pytest.fixture
def store(tmp_path: Path) -> PartialStore:
    return PartialStore(tmp_path / "uploads")


def new(store: PartialStore, length: int = 10, expires: datetime = NOW + DAY):
    return store.create(
        user_id=7, document_id=3, length=length, filename="a.pdf", now=NOW, expires_at=expires
    )


def age(path: Path, hours: float) -> None:
    stamp = (NOW - timedelta(hours=hours)).timestamp()
    os.utime(path, (stamp, stamp))


def test_a_session_round_trips_and_lives_under_a_random_name(store):
    session = new(store)
    assert store.get(session.id) == session
    assert sorted(p.name for p in store.root.iterdir()) == [
        f"{session.id}.json",
        f"{session.id}.part",
    ]
    assert len(session.id) == 32 and int(session.id, 16) >= 0
    assert new(store).id != session.id


@pytest.mark.parametrize("bad", ["../" + "a" * 29, "A" * 32, "a" * 31, "", None, "a" * 32 + "/"])
def test_malformed_or_unknown_ids_are_not_found(store, bad):
    new(store)
    assert store.get(bad) is None
    assert store.get("f" * 32) is None


def test_append_counts_bytes_and_refuses_more_than_declared(store):
    session = new(store, length=10)
    with store.locked(session) as part:
        assert store.append(part, io.BytesIO(b"12345"), 10) == 5
    assert store.offset(session) == 5
    with store.locked(session) as part, pytest.raises(TooMuchData):
        store.append(part, io.BytesIO(b"123456"), 5)
    assert store.offset(session) == 5  # nothing of the refused request stays


def test_a_broken_stream_keeps_what_arrived(store):
    class Cut(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise ConnectionResetError
            return b"x" * 3

    session = new(store, length=100)
    with store.locked(session) as part, pytest.raises(ConnectionResetError):
        store.append(part, Cut(), 100)
    assert store.offset(session) == 6


def test_one_holder_at_a_time(store):
    session = new(store)
    with store.locked(session):
        with pytest.raises(UploadBusy), store.locked(session):
            pass
        assert store.sweep(NOW + 2 * DAY, DAY) == 0  # expired but held: skipped
    store.remove(session.id)
    with pytest.raises(UploadGone), store.locked(session):
        pass


def test_sweep_removes_expired_and_stray_files_only(store):
    kept = new(store)
    expired = new(store, expires=NOW - timedelta(seconds=1))
    lonely_part = store.root / ("b" * 32 + ".part")
    lonely_record = store.root / ("c" * 32 + ".json")
    fresh_stray = store.root / ("d" * 32 + ".part")
    temp = store.upload_dir / ".upload-x1.part"
    fresh_temp = store.upload_dir / ".upload-x2.part"
    for path in (lonely_part, lonely_record, fresh_stray, temp, fresh_temp):
        path.write_bytes(b"x")
    for path in (lonely_part, lonely_record, temp):
        age(path, 25)
    for path in (fresh_stray, fresh_temp):
        age(path, 1)

    assert store.sweep(NOW, DAY) == 4
    assert store.get(kept.id) == kept
    assert store.get(expired.id) is None
    assert not any(p.exists() for p in (lonely_part, lonely_record, temp))
    assert fresh_stray.exists() and fresh_temp.exists()
    assert store.sweep(NOW, DAY) == 0


def test_prolong_moves_the_expiry(store):
    session = new(store)
    later = store.prolong(session, NOW + 2 * DAY)
    assert store.get(session.id).expires_at == NOW + 2 * DAY == later.expires_at
