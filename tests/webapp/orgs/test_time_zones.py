"""Local time: regions in Kaliningrad (UTC+2) and Kamchatka (UTC+12) see one instant differently,
and a school's deadline ends at midnight of its own zone. Expected texts are written by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import available_timezones

import pytest
from sqlalchemy import select

import workflows.machine
from tests.webapp.expertise.peer_screens import client_for
from tests.webapp.helpers import documents_of, upload, user
from tests.webapp.orgs.test_import import ORG_HEADER, invoke, rejected, write_csv
from webapp.documents import services
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.orgs.models import Region
from webapp.orgs.zones import REGION_ZONES

# 21:02 UTC on 27 November: 23:02 on the 27th in Kaliningrad, 09:02 on the 28th in Kamchatka.
NOW = datetime(2026, 11, 27, 21, 2, 19, tzinfo=UTC)
KALININGRAD_SCHOOL = "school.08-umc@ekspertiza.local"  # region 08 moved to Kaliningrad time
KAMCHATKA_SCHOOL = "school.56-d01@ekspertiza.local"  # region 56 moved to Kamchatka time


def test_every_subject_code_has_a_known_zone():
    assert len(REGION_ZONES) == 85
    assert set(REGION_ZONES.values()) <= available_timezones()
    spot = {"39": "Europe/Kaliningrad", "41": "Asia/Kamchatka", "77": "Europe/Moscow",
            "38": "Asia/Irkutsk", "87": "Asia/Anadyr", "25": "Asia/Vladivostok",
            "56": "Asia/Yekaterinburg", "08": "Europe/Moscow",
            "54": "Asia/Novosibirsk"}  # fmt: skip
    assert {code: REGION_ZONES[code] for code in spot} == spot


def test_demo_regions_get_their_capitals_zone(app, demo):
    zones = dict(db.session.execute(select(Region.code, Region.time_zone)).all())
    assert zones == {
        "08": "Europe/Moscow",
        "38": "Asia/Irkutsk",
        "22": "Asia/Barnaul",
        "56": "Asia/Yekaterinburg",
        "14": "Asia/Yakutsk",
    }


def _org(code, name, zone, school):
    row = [code, name, "Район", school, f"Школа {school}", "", "urban", "100", "", "", ""]
    return [*row, zone]


def test_import_sets_zone_by_column_or_code(app, tmp_path):
    rows = [
        _org("39", "Калининградская область", "", "39-001"),
        _org("41", "Камчатский край", "Asia/Kamchatka", "41-001"),
        _org("99", "Новый регион", "", "99-001"),
    ]
    path = write_csv(tmp_path / "orgs.csv", [*ORG_HEADER, "time_zone"], rows)
    assert invoke(app, "import-orgs", path).exit_code == 0
    zones = dict(db.session.execute(select(Region.code, Region.time_zone)).all())
    assert zones == {"39": "Europe/Kaliningrad", "41": "Asia/Kamchatka", "99": "Europe/Moscow"}
    # a later file may change the zone of an existing region; a blank cell keeps it
    rows = [_org("41", "", "Asia/Magadan", "41-001"), _org("39", "", "", "39-001")]
    path = write_csv(tmp_path / "again.csv", [*ORG_HEADER, "time_zone"], rows)
    assert invoke(app, "import-orgs", path).exit_code == 0
    db.session.expire_all()
    zones = dict(db.session.execute(select(Region.code, Region.time_zone)).all())
    assert zones["41"] == "Asia/Magadan" and zones["39"] == "Europe/Kaliningrad"


def test_import_refuses_an_unknown_zone(app, tmp_path):
    rows = [_org("41", "Камчатский край", "Asia/Kamchatka_City", "41-001")]
    path = write_csv(tmp_path / "orgs.csv", [*ORG_HEADER, "time_zone"], rows)
    rejected(
        invoke(app, "import-orgs", path),
        "orgs.csv, строка 2, столбец time_zone: часовой пояс «Asia/Kamchatka_City» неизвестен: "
        "укажите зону IANA, например Europe/Kaliningrad",
    )


@pytest.fixture
def two_zones(app, demo):
    """Kalmykia (08) on Kaliningrad time, Orenburg (56) on Kamchatka time."""
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    regions["08"].time_zone = "Europe/Kaliningrad"
    regions["56"].time_zone = "Asia/Kamchatka"
    db.session.commit()


@pytest.fixture
def frozen(monkeypatch):
    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW

    monkeypatch.setattr(workflows.machine, "datetime", Clock)


def test_the_same_instant_is_shown_in_each_viewers_zone(app, two_zones):
    for email in (KALININGRAD_SCHOOL, KAMCHATKA_SCHOOL):
        db.session.add(Notification(user_id=user(email).id, subject="Тест", body="Тест",
                                    created_at=NOW, email_state="inapp"))  # fmt: skip
    db.session.commit()
    pages = {}
    for email in (KALININGRAD_SCHOOL, KAMCHATKA_SCHOOL):
        pages[email] = client_for(app, email).get("/notifications").get_data(as_text=True)
    assert "27.11.2026 23:02 (Калининград, UTC+2)" in pages[KALININGRAD_SCHOOL]
    assert "28.11.2026 09:02 (Камчатка, UTC+12)" in pages[KAMCHATKA_SCHOOL]
    assert "UTC+12" not in pages[KALININGRAD_SCHOOL]


def _submit(code: str, email: str) -> Document:
    document = documents_of(code)[0]
    document.campaign.setting_for(document.document_type_id).review_days = 10
    upload(document, email)
    services.apply_transition(document.id, "submit", actor=user(email))
    db.session.commit()
    return db.session.get(Document, document.id)


def test_a_deadline_ends_at_midnight_of_the_schools_zone(app, two_zones, frozen):
    west = _submit("08-UMC", KALININGRAD_SCHOOL)
    east = _submit("56-D01", KAMCHATKA_SCHOOL)
    # Kaliningrad: 27.11 + 10 days → 07.12 23:59:59 UTC+2; Kamchatka: 28.11 + 10 → 08.12 UTC+12
    assert west.due_at == datetime(2026, 12, 7, 21, 59, 59, tzinfo=UTC)
    assert east.due_at == datetime(2026, 12, 8, 11, 59, 59, tzinfo=UTC)
    page = client_for(app, KALININGRAD_SCHOOL).get(f"/documents/{west.id}").get_data(as_text=True)
    assert "07.12.2026 23:59 (Калининград, UTC+2)" in page
    # the admin chose Kamchatka time: the same Kaliningrad deadline, read in the east
    admin = user("admin@ekspertiza.local")
    admin.time_zone = "Asia/Kamchatka"
    db.session.commit()
    page = client_for(app, "admin@ekspertiza.local").get(f"/documents/{west.id}")
    page = page.get_data(as_text=True)
    assert "08.12.2026 09:59 (Камчатка, UTC+12)" in page


def test_viewer_zone_follows_the_organisation(app, two_zones):
    from webapp.orgs.zones import user_zone

    assert user_zone(user(KALININGRAD_SCHOOL)) == "Europe/Kaliningrad"
    assert user_zone(user(KAMCHATKA_SCHOOL)) == "Asia/Kamchatka"
    assert user_zone(user("admin@ekspertiza.local")) == "Europe/Moscow"
    assert user_zone(user("coord.38@ekspertiza.local")) == "Asia/Irkutsk"
