"""Admin screens: checklist editing creates versions; the risk catalogue is editable."""

from __future__ import annotations

from sqlalchemy import select

from tests.support import login
from webapp.campaigns.models import ChecklistTemplate, DocumentType, RiskFactor
from webapp.extensions import db

ADMIN = "admin@ekspertiza.local"


def concept_template() -> ChecklistTemplate:
    concept = db.session.scalar(select(DocumentType).where(DocumentType.code == "concept"))
    return db.session.scalar(
        select(ChecklistTemplate).where(
            ChecklistTemplate.document_type_id == concept.id, ChecklistTemplate.is_current
        )
    )


def test_admin_screens_refuse_other_roles(app, demo, client):
    login(client, "coord.08@ekspertiza.local")
    for url in ("/admin/checklists", "/admin/risks"):
        assert client.get(url).status_code == 403
    assert (
        client.post(
            f"/admin/checklists/{concept_template().id}", data={"criteria": "x"}
        ).status_code
        == 403
    )
    assert client.post("/admin/risks", data={"name": "x"}).status_code == 403


def test_admin_revises_checklist_as_new_version(app, demo, client):
    login(client, ADMIN)
    old = concept_template()
    assert "Концепция опирается" in client.get("/admin/checklists").get_data(as_text=True)
    response = client.post(
        f"/admin/checklists/{old.id}",
        data={"criteria": "Первый критерий\n\n Второй критерий \n"},
        follow_redirects=True,
    )
    assert "Сохранена редакция 2" in response.get_data(as_text=True)
    db.session.expire_all()
    new = concept_template()
    assert new.version == 2 and [c.text for c in new.criteria] == [
        "Первый критерий",
        "Второй критерий",
    ]
    assert len(db.session.get(ChecklistTemplate, old.id).criteria) == 4
    empty = client.post(
        f"/admin/checklists/{new.id}", data={"criteria": "  \n"}, follow_redirects=True
    )
    assert "хотя бы один критерий" in empty.get_data(as_text=True)
    assert client.post(f"/admin/checklists/{old.id}", data={"criteria": "x"}).status_code == 404


def test_admin_adds_renames_and_deactivates_risks(app, demo, client):
    login(client, ADMIN)
    client.post("/admin/risks", data={"name": "Низкая мотивация обучающихся"})
    risk = db.session.scalar(select(RiskFactor).where(RiskFactor.code == 11))
    assert risk.name == "Низкая мотивация обучающихся" and risk.is_active
    client.post(
        "/admin/risks", data={"risk_id": risk.id, "name": "Низкая мотивация", "is_active": "0"}
    )
    db.session.expire_all()
    risk = db.session.get(RiskFactor, risk.id)
    assert (risk.name, risk.is_active) == ("Низкая мотивация", False)
    bad = client.post("/admin/risks", data={"name": ""}, follow_redirects=True)
    assert "Название риска обязательно" in bad.get_data(as_text=True)
