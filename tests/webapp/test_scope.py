"""The admin's and the municipal coordinator's scope: what they see and whether they may reopen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import complete_checklist, documents_of, fire, upload, user
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.reviews import services as reviews

ADMIN = "admin@ekspertiza.local"
MUNICIPAL = "mun.zalari@ekspertiza.local"  # Заларинский район, Irkutsk region (38)
REGIONAL_38 = "coord.38@ekspertiza.local"
OWN = ("38-VER", "school.38-ver@ekspertiza.local")  # a school of Заларинский район
FOREIGN = ("08-UMC", "school.08-umc@ekspertiza.local")  # another region


@pytest.fixture
def neighbour(demo) -> Document:
    """A document of a school in a second municipality of the same region (38)."""
    region = db.session.scalar(select(Region).where(Region.code == "38"))
    template = documents_of("38-VER")[0]
    muni = Municipality(region=region, name="Тулунский район (тест)")
    db.session.add(muni)
    school = School(
        code="38-TUL", municipality=muni, name="Тулунская СОШ", short_name="Тулунская СОШ"
    )
    doc = Document(
        campaign_id=template.campaign_id,
        school=school,
        document_type_id=template.document_type_id,
        title="Концепция развития (Тулун)",
    )
    db.session.add_all([school, doc])
    db.session.commit()
    return doc


def curator_of(code: str) -> str:
    school = db.session.scalar(select(School).where(School.code == code))
    link = db.session.scalar(select(CuratorSchool).where(CuratorSchool.school_id == school.id))
    return db.session.get(type(user(MUNICIPAL)), link.curator_id).email


def approved(code: str, school_email: str) -> Document:
    doc = documents_of(code)[0]
    curator = curator_of(code)
    upload(doc, school_email)
    fire(doc, "submit", school_email)
    fire(doc, "start_review", curator)
    review = complete_checklist(doc, curator)
    reviews.finish_review(doc.id, review, "approve", "", actor=user(curator))
    db.session.commit()
    return fire(doc, "approve", curator)


def api(client, email: str):
    token = client.post("/api/v1/auth/token", json={"email": email, "password": "demo-pass"}).json[
        "token"
    ]
    return {"Authorization": f"Bearer {token}"}


def listed(client, headers, school_id: int) -> set[int]:
    response = client.get(f"/api/v1/documents?school_id={school_id}", headers=headers)
    assert response.status_code == 200
    return {item["id"] for item in response.json["items"]}


def state_of(doc: Document) -> str:
    db.session.expire_all()
    return db.session.get(Document, doc.id).state


def test_admin_sees_every_school_of_every_region(app, demo, client, neighbour):
    headers = api(client, ADMIN)
    schools = list(db.session.scalars(select(School)))
    assert len({s.municipality.region_id for s in schools}) >= 3
    for school in schools:
        own = {
            d.id
            for d in db.session.scalars(select(Document).where(Document.school_id == school.id))
        }
        assert listed(client, headers, school.id) == own, school.code
    login(client, ADMIN)
    for code in ("08-UMC", "38-VER"):
        doc = documents_of(code)[0]
        assert client.get(f"/documents/{doc.id}").status_code == 200
        assert client.get(f"/schools/{doc.school_id}").status_code == 200
    assert client.get(f"/documents/{neighbour.id}").status_code == 200


def test_municipal_coordinator_sees_only_its_municipality(app, demo, client, neighbour):
    headers = api(client, MUNICIPAL)
    own = documents_of(OWN[0])
    foreign = documents_of(FOREIGN[0])
    assert listed(client, headers, own[0].school_id) == {d.id for d in own}
    assert listed(client, headers, foreign[0].school_id) == set()
    assert listed(client, headers, neighbour.school_id) == set()
    every = client.get("/api/v1/documents", headers=headers).json["items"]
    assert neighbour.id not in {i["id"] for i in every}
    assert {i["school_id"] for i in every} <= {
        s.id
        for s in db.session.scalars(
            select(School).where(School.municipality_id == own[0].school.municipality_id)
        )
    }
    login(client, MUNICIPAL)
    assert client.get(f"/documents/{own[0].id}").status_code == 200
    assert client.get(f"/schools/{own[0].school_id}").status_code == 200
    for doc in (foreign[0], neighbour):
        assert client.get(f"/documents/{doc.id}").status_code == 404
        assert client.get(f"/schools/{doc.school_id}").status_code == 404
        assert client.get(f"/api/v1/documents/{doc.id}", headers=headers).status_code == 404
        response = client.post(
            f"/documents/{doc.id}/transitions", data={"trigger": "reopen", "comment": "x"}
        )
        assert response.status_code == 404


def test_regional_coordinator_sees_every_municipality_of_its_region(app, demo, client, neighbour):
    login(client, REGIONAL_38)
    assert client.get(f"/documents/{neighbour.id}").status_code == 200
    assert client.get(f"/documents/{documents_of(FOREIGN[0])[0].id}").status_code == 404


def test_municipal_coordinator_reopens_an_approved_document_of_its_municipality(app, demo, client):
    doc = approved(*OWN)
    login(client, MUNICIPAL)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert 'id="trigger-reopen"' in page
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "reopen"})
    assert response.status_code == 422
    assert "комментарий" in response.get_data(as_text=True)
    assert state_of(doc) == "approved"
    response = client.post(
        f"/documents/{doc.id}/transitions",
        data={"trigger": "reopen", "comment": "Ошибка в показателях"},
    )
    assert response.status_code == 302
    assert state_of(doc) == "curator_review"
    assert doc.history[-1].actor_name == user(MUNICIPAL).full_name


def test_municipal_coordinator_cannot_act_as_curator_or_school(app, demo, client):
    doc = documents_of(OWN[0])[0]
    upload(doc, OWN[1])
    login(client, MUNICIPAL)
    for trigger in ("submit", "withdraw"):
        response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": trigger})
        assert response.status_code in (403, 409), trigger
    fire(doc, "submit", OWN[1])
    response = client.post(f"/documents/{doc.id}/transitions", data={"trigger": "start_review"})
    assert response.status_code == 403
    assert client.get(f"/documents/{doc.id}/review").status_code == 403
    assert client.post(f"/documents/{doc.id}/versions").status_code == 403
    assert state_of(doc) == "submitted"


def test_admin_may_reopen_anywhere_but_not_approve(app, demo, client):
    doc = approved(*FOREIGN)
    other = documents_of(OWN[0])[0]
    upload(other, OWN[1])
    fire(other, "submit", OWN[1])
    fire(other, "start_review", curator_of(OWN[0]))
    complete_checklist(other, curator_of(OWN[0]))
    login(client, ADMIN)
    response = client.post(f"/documents/{other.id}/transitions", data={"trigger": "accept"})
    assert response.status_code == 403
    assert state_of(other) == "curator_review"
    response = client.post(
        f"/documents/{doc.id}/transitions",
        data={"trigger": "reopen", "comment": "Повторная проверка"},
    )
    assert response.status_code == 302
    assert state_of(doc) == "curator_review"


def test_school_and_curator_may_not_reopen(app, demo, client):
    doc = approved(*FOREIGN)
    for email in (FOREIGN[1], curator_of(FOREIGN[0])):
        login(client, email)
        response = client.post(
            f"/documents/{doc.id}/transitions", data={"trigger": "reopen", "comment": "x"}
        )
        assert response.status_code == 403, email
        assert "координатор" in response.get_data(as_text=True)
        client.post("/logout")
    assert state_of(doc) == "approved"


def add_user(email: str, role: str, **scope: int):
    from webapp.auth.models import Membership, User

    person = User(email=email, full_name=f"Тест: {role}")
    person.set_password("demo-pass")
    person.memberships.append(Membership(role=role, **scope))
    db.session.add(person)
    db.session.commit()
    return person


def test_observer_reads_its_region_only(app, demo, client, neighbour):
    region = db.session.scalar(select(Region).where(Region.code == "38"))
    add_user("observer.38@ekspertiza.local", "observer", region_id=region.id)
    headers = api(client, "observer.38@ekspertiza.local")
    own = documents_of(OWN[0])
    assert listed(client, headers, own[0].school_id) == {d.id for d in own}
    assert listed(client, headers, neighbour.school_id) == {neighbour.id}
    assert listed(client, headers, documents_of(FOREIGN[0])[0].school_id) == set()
    login(client, "observer.38@ekspertiza.local")
    assert client.get(f"/documents/{neighbour.id}").status_code == 200
    assert client.get(f"/documents/{documents_of(FOREIGN[0])[0].id}").status_code == 404
    response = client.post(
        f"/documents/{own[0].id}/transitions", data={"trigger": "submit", "comment": "x"}
    )
    assert response.status_code == 403


def test_expert_sees_no_documents(app, demo, client):
    add_user("expert.x@ekspertiza.local", "expert")
    headers = api(client, "expert.x@ekspertiza.local")
    assert client.get("/api/v1/documents", headers=headers).json["items"] == []
    login(client, "expert.x@ekspertiza.local")
    assert client.get(f"/documents/{documents_of(OWN[0])[0].id}").status_code == 404


def test_regional_coordinator_and_curator_lists(app, demo, client, neighbour):
    headers = api(client, REGIONAL_38)
    assert listed(client, headers, neighbour.school_id) == {neighbour.id}
    assert listed(client, headers, documents_of(OWN[0])[0].school_id) == {
        d.id for d in documents_of(OWN[0])
    }
    assert listed(client, headers, documents_of(FOREIGN[0])[0].school_id) == set()
    curator = curator_of(FOREIGN[0])
    headers = api(client, curator)
    assert listed(client, headers, documents_of(FOREIGN[0])[0].school_id) == {
        d.id for d in documents_of(FOREIGN[0])
    }
    assert listed(client, headers, documents_of(OWN[0])[0].school_id) == set()
    every = {i["school_id"] for i in client.get("/api/v1/documents", headers=headers).json["items"]}
    curated = set(
        db.session.scalars(
            select(CuratorSchool.school_id).where(CuratorSchool.curator_id == user(curator).id)
        )
    )
    assert every == curated


def test_curator_reaches_queue_and_checklist_of_its_school(app, demo, client):
    from tests.webapp.helpers import CURATOR, bring_to_review

    doc = bring_to_review(documents_of(FOREIGN[0])[0])
    login(client, CURATOR)
    assert client.get("/queue").status_code == 200
    assert client.get(f"/documents/{doc.id}/review").status_code == 200
