"""Deadlines end with the day in the school's zone (expected instants worked out by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import workflows.machine
from tests.workflows.plain import PlainDocument
from tests.workflows.test_peer_assignment_workflow import PlainAssignment, ctx
from workflows.deadlines import deadline_after, end_of_day, local_day
from workflows.document import Context as DocumentContext

# 21:02 UTC on 27 November is already the 28th in Moscow (00:02) and Kamchatka (09:02),
# still the 27th in Kaliningrad (23:02).
NOW = datetime(2026, 11, 27, 21, 2, 19, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW

    monkeypatch.setattr(workflows.machine, "datetime", Clock)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Kaliningrad", date(2026, 12, 7), datetime(2026, 12, 7, 21, 59, 59, tzinfo=UTC)),
        ("Europe/Moscow", date(2026, 12, 7), datetime(2026, 12, 7, 20, 59, 59, tzinfo=UTC)),
        ("Asia/Kamchatka", date(2026, 12, 7), datetime(2026, 12, 7, 11, 59, 59, tzinfo=UTC)),
        ("", date(2026, 12, 7), datetime(2026, 12, 7, 20, 59, 59, tzinfo=UTC)),
    ],
)
def test_end_of_day_is_local_midnight(zone, day, expected):
    assert end_of_day(day, zone) == expected


@pytest.mark.parametrize(
    ("zone", "expected_day"),
    [
        ("Europe/Kaliningrad", date(2026, 11, 27)),
        ("Europe/Moscow", date(2026, 11, 28)),
        ("Asia/Kamchatka", date(2026, 11, 28)),
    ],
)
def test_local_day_of_an_instant(zone, expected_day):
    assert local_day(NOW, zone) == expected_day


def test_deadline_counts_days_from_the_local_day():
    # Kaliningrad: the 27th + 10 days = 7 December, 23:59:59 UTC+2.
    assert deadline_after(NOW, 10, "Europe/Kaliningrad") == datetime(
        2026, 12, 7, 21, 59, 59, tzinfo=UTC
    )
    # Kamchatka: the 28th + 10 days = 8 December, 23:59:59 UTC+12.
    assert deadline_after(NOW, 10, "Asia/Kamchatka") == datetime(
        2026, 12, 8, 11, 59, 59, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Kaliningrad", datetime(2026, 12, 7, 21, 59, 59, tzinfo=UTC)),
        ("Asia/Kamchatka", datetime(2026, 12, 8, 11, 59, 59, tzinfo=UTC)),
    ],
)
def test_submission_due_at_ends_the_schools_day(frozen, zone, expected):
    document = PlainDocument("draft")
    facts = DocumentContext(
        actor_id=1,
        actor_name="Школа",
        roles=frozenset({"school"}),
        has_file=True,
        review_days=10,
        time_zone=zone,
    )
    document.fire("submit", ctx=facts)
    assert document.submitted_at == NOW
    assert document.due_at == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Kaliningrad", datetime(2026, 12, 4, 21, 59, 59, tzinfo=UTC)),
        ("Asia/Kamchatka", datetime(2026, 12, 5, 11, 59, 59, tzinfo=UTC)),
    ],
)
def test_peer_review_deadline_ends_the_reviewers_day(frozen, zone, expected):
    item = PlainAssignment("assigned")
    item.fire("accept", ctx=ctx("reviewer", document_ready=True, review_days=7, time_zone=zone))
    assert item.accepted_at == NOW
    assert item.due_at == expected
