"""Roadmaps: the Zalari demo roadmap, who edits and reads, removal with a reason, change log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from tests.support import login
from tests.webapp.helpers import user
from webapp.extensions import db
from webapp.orgs.models import School
from webapp.roadmaps import services
from webapp.roadmaps.models import Roadmap, RoadmapItem, RoadmapItemLog
from webapp.roadmaps.workflow import ITEMS
from webapp.workflow.service import apply_transition
from workflows.machine import GuardRefused, NotPermitted

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
MUN = "mun.zalari@ekspertiza.local"


def zalari() -> Roadmap:
    return db.session.scalar(select(Roadmap).where(Roadmap.level == "municipality"))


@BOTH
def test_demo_loads_the_zalari_roadmap_from_the_report(app, demo):
    roadmap = zalari()
    assert roadmap.owner_name == "Заларинский район" and roadmap.confirmed_at is not None
    items = roadmap.items
    assert len(items) == 46
    first = items[0]
    assert first.event.startswith("Разработка и утверждение муниципальной дорожной карты")
    assert (first.planned, first.actual, first.actual_value) == (
        "март",
        "17.03.2022",
        "Приказ №49 от 17.03.22",
    )
    assert first.evidence_url == "https://disk.yandex.ru/i/jPOVjdnSX7l5xw"
    assert first.state == "done"
    assert [i.state for i in items].count("planned") == 1
    assert items[-1].state == "planned" and "Индекс благополучия" in items[-1].event
    logs = db.session.scalar(select(func.count(RoadmapItemLog.id)))
    assert logs == 46 + 45  # every item added, 45 completed


def item_data(event="Семинар для заместителей директоров") -> services.ItemInput:
    return services.ItemInput(event=event, planned="декабрь", indicator="Приняли участие")


@BOTH
def test_remove_needs_a_reason_and_shows_in_the_change_log(app, demo, client):
    roadmap = zalari()
    item = roadmap.items[-1]
    login(client, MUN)
    form = {"trigger": "remove", "lock_version": item.lock_version, "comment": "  "}
    response = client.post(f"/roadmap-items/{item.id}/transitions", data=form)
    assert response.status_code == 422
    assert "Укажите причину" in response.get_data(as_text=True)
    form["comment"] = "Сессия перенесена организатором на 2023 год"
    response = client.post(f"/roadmap-items/{item.id}/transitions", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RoadmapItem, item.id).state == "removed"
    page = client.get(f"/roadmaps/{roadmap.id}").get_data(as_text=True)
    assert f'data-item-id="{item.id}" data-state="removed"' in page
    log = services.change_log(roadmap)[0]
    assert (log.event, log.item_id, log.from_state, log.to_state) == (
        "remove",
        item.id,
        "planned",
        "removed",
    )
    assert log.comment == "Сессия перенесена организатором на 2023 год"
    assert log.actor_id == user(MUN).id
    assert "Сессия перенесена организатором на 2023 год" in page


@BOTH
def test_an_addition_to_a_confirmed_roadmap_needs_a_reason(app, demo, client):
    roadmap = zalari()
    login(client, MUN)
    data = {"event": "Семинар для заместителей", "planned": "декабрь", "reason": ""}
    response = client.post(f"/roadmaps/{roadmap.id}/items", data=data)
    assert response.status_code == 422
    assert "укажите причину добавления" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RoadmapItem.id))) == 46
    data["reason"] = "Поручение министерства от 01.12.2022"
    assert client.post(f"/roadmaps/{roadmap.id}/items", data=data).status_code == 302
    log = services.change_log(roadmap)[0]
    assert (log.event, log.comment) == ("add", "Поручение министерства от 01.12.2022")
    assert log.item.event == "Семинар для заместителей" and log.item.state == "planned"


def test_an_unconfirmed_roadmap_takes_items_without_reason_then_confirms(app, demo, client):
    login(client, "school.38-ver@ekspertiza.local")
    ver = db.session.scalar(select(School).where(School.code == "38-VER"))
    data = {"owner": f"school:{ver.id}", "title": "Дорожная карта Веренской СОШ"}
    response = client.post("/roadmaps", data=data)
    assert response.status_code == 302
    roadmap = db.session.scalar(select(Roadmap).where(Roadmap.school_id == ver.id))
    item = {"event": "Педсовет по итогам ВПР", "planned": "январь"}
    assert client.post(f"/roadmaps/{roadmap.id}/items", data=item).status_code == 302
    assert client.post(f"/roadmaps/{roadmap.id}/confirm").status_code == 302
    db.session.expire_all()
    assert roadmap.confirmed_at is not None
    assert client.post(f"/roadmaps/{roadmap.id}/items", data=item).status_code == 422


def test_school_cannot_create_a_roadmap_for_another_owner(app, demo, client):
    login(client, "school.38-ver@ekspertiza.local")
    troi = db.session.scalar(select(School).where(School.code == "38-TROI"))
    response = client.post("/roadmaps", data={"owner": f"school:{troi.id}", "title": "Чужая"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Roadmap.id))) == 1


@pytest.mark.parametrize(
    "email, reads, edits",
    [
        (MUN, True, True),
        ("admin@ekspertiza.local", True, True),
        ("coord.38@ekspertiza.local", True, False),
        ("coord.08@ekspertiza.local", False, False),
        ("curator2@ekspertiza.local", False, False),
        ("school.38-ver@ekspertiza.local", False, False),
    ],
)
def test_who_reads_and_who_edits_the_municipal_roadmap(app, demo, client, email, reads, edits):
    roadmap = zalari()
    item = roadmap.items[-1]
    login(client, email)
    assert client.get(f"/roadmaps/{roadmap.id}").status_code == (200 if reads else 404)
    listing = client.get("/roadmaps").get_data(as_text=True)
    assert (f'data-roadmap-id="{roadmap.id}"' in listing) is reads
    form = {"trigger": "remove", "lock_version": item.lock_version, "comment": "Отменено"}
    status = client.post(f"/roadmap-items/{item.id}/transitions", data=form).status_code
    assert status == (302 if edits else 403 if reads else 404)
    status = client.post(f"/roadmaps/{roadmap.id}/items", data={"event": "x", "reason": "y"})
    assert status.status_code == (302 if edits else 403 if reads else 404)


def test_curators_read_their_schools_roadmaps_only(app, demo):
    ver = db.session.scalar(select(School).where(School.code == "38-VER"))
    roadmap = services.create_roadmap(user("school.38-ver@ekspertiza.local"), "school", ver.id, "К")
    db.session.commit()
    curator_ids = {r.id for r in services.visible_roadmaps(user("curator2@ekspertiza.local"))}
    assert roadmap.id in curator_ids
    assert roadmap.id not in {
        r.id for r in services.visible_roadmaps(user("curator1@ekspertiza.local"))
    }
    with pytest.raises(NotPermitted):
        services.add_item(roadmap, item_data(), actor=user("curator2@ekspertiza.local"))


def test_limits_and_link_scheme_are_checked_by_the_service(app, demo):
    roadmap = zalari()
    mun = user(MUN)
    for data, message in [
        (services.ItemInput(event="я" * 1001), "Мероприятие"),
        (services.ItemInput(event="x", planned="я" * 61), "Плановый срок"),
        (services.ItemInput(event="x", indicator="я" * 1001), "Показатель"),
        (services.ItemInput(event="x", evidence_url="javascript:alert(1)"), "https://"),
        (services.ItemInput(event="  "), "Укажите мероприятие"),
    ]:
        with pytest.raises(services.RoadmapRefused, match=message):
            services.add_item(roadmap, data, actor=mun, reason="r")


def test_stale_view_is_refused(app, demo):
    item = zalari().items[-1]
    with pytest.raises(GuardRefused):
        apply_transition(ITEMS, item.id, "remove", actor=user(MUN), comment="")
    db.session.rollback()
    from workflows.machine import StateConflict

    with pytest.raises(StateConflict):
        apply_transition(
            ITEMS, item.id, "complete", actor=user(MUN), expected_version=item.lock_version + 5
        )


@BOTH
def test_change_log_is_append_only_in_the_database(app, demo):
    with pytest.raises(Exception):  # noqa: B017  (the trigger's error differs per database)
        db.session.execute(text("UPDATE roadmap_item_logs SET comment = 'x'"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(Exception):  # noqa: B017
        db.session.execute(text("DELETE FROM roadmap_item_logs"))
        db.session.flush()
    db.session.rollback()


@BOTH
def test_completing_records_actual_date_value_and_link(app, demo, client):
    item = zalari().items[-1]
    login(client, MUN)
    form = {
        "trigger": "complete",
        "lock_version": item.lock_version,
        "actual": "09.12.2022",
        "actual_value": "Приняли участие 3 школы",
        "evidence_url": "https://example.org/protocol",
    }
    assert client.post(f"/roadmap-items/{item.id}/transitions", data=form).status_code == 302
    db.session.expire_all()
    done = db.session.get(RoadmapItem, item.id)
    assert (done.state, done.actual, done.actual_value, done.evidence_url) == (
        "done",
        "09.12.2022",
        "Приняли участие 3 школы",
        "https://example.org/protocol",
    )
    assert done.done_at is not None
    assert services.change_log(zalari())[0].event == "complete"


def test_completing_refuses_a_bad_link_or_a_long_value_and_keeps_the_item_open(app, demo, client):
    item = zalari().items[-1]
    login(client, MUN)
    for extra, message in [
        ({"evidence_url": "javascript:alert(1)"}, "https://"),
        ({"actual_value": "я" * 501}, "Достигнутое значение: не длиннее 500 символов."),
    ]:
        form = {"trigger": "complete", "lock_version": item.lock_version, **extra}
        response = client.post(f"/roadmap-items/{item.id}/transitions", data=form)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RoadmapItem, item.id).state == "planned"


def test_a_reader_cannot_complete_and_values_stay_untouched(app, demo, client):
    item = zalari().items[-1]
    login(client, "coord.38@ekspertiza.local")
    form = {"trigger": "complete", "lock_version": item.lock_version, "actual_value": "x"}
    assert client.post(f"/roadmap-items/{item.id}/transitions", data=form).status_code == 403
    db.session.expire_all()
    fresh = db.session.get(RoadmapItem, item.id)
    assert (fresh.state, fresh.actual_value) == ("planned", "")


@BOTH
def test_completing_with_an_evidence_file_through_the_upload_rules(app, demo, client):
    import io

    from tests.support import PDF

    item = zalari().items[-1]
    login(client, MUN)
    refused = {
        "trigger": "complete",
        "lock_version": item.lock_version,
        "evidence_file": (io.BytesIO(b"#!/bin/sh\necho hi\n"), "протокол.pdf"),
    }
    response = client.post(f"/roadmap-items/{item.id}/transitions", data=refused)
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(RoadmapItem, item.id).state == "planned"

    form = {
        "trigger": "complete",
        "lock_version": item.lock_version,
        "evidence_file": (io.BytesIO(PDF), "протокол.pdf"),
    }
    assert client.post(f"/roadmap-items/{item.id}/transitions", data=form).status_code == 302
    db.session.expire_all()
    done = db.session.get(RoadmapItem, item.id)
    assert done.state == "done" and done.evidence_file_name == "протокол.pdf"
    assert "/" in done.evidence_file and "протокол" not in done.evidence_file
    with client.get(f"/roadmap-items/{item.id}/evidence") as response:
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    client.post("/logout")
    login(client, "coord.08@ekspertiza.local")  # another region
    assert client.get(f"/roadmap-items/{item.id}/evidence").status_code == 404
    client.post("/logout")
    login(client, "coord.38@ekspertiza.local")  # reads the Zalari roadmap
    with client.get(f"/roadmap-items/{item.id}/evidence") as response:
        assert response.status_code == 200
