"""Users and roles: invitations by e-mail, grant rules by scope, deactivation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import user
from webapp.auth.models import Membership
from webapp.extensions import db
from webapp.notifications.models import Notification
from webapp.orgs.models import Municipality, Region, School

ADMIN = "admin@ekspertiza.local"
COORD_08 = "coord.08@ekspertiza.local"  # Kalmykia
COORD_38 = "coord.38@ekspertiza.local"  # Irkutsk
MUN_ZALARI = "mun.zalari@ekspertiza.local"  # Zalari district, Irkutsk
CURATOR = "curator1@ekspertiza.local"
SCHOOL = "school.08-umc@ekspertiza.local"


def region(code: str) -> Region:
    return db.session.scalar(select(Region).where(Region.code == code))


def zalari() -> Municipality:
    return db.session.scalar(select(School).where(School.code == "38-VER")).municipality


def invite(client, email: str, role: str, **scope) -> object:
    data = {"email": email, "full_name": "Новый человек", "role": role, **scope}
    return client.post("/setup/users/invite", data=data)


def link_of(email: str) -> str:
    target = user(email)
    note = db.session.scalars(
        select(Notification).where(Notification.user_id == target.id).order_by(Notification.id)
    ).all()[-1]
    return re.search(r"(/password/set/invite/\S+)", note.body).group(1)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_admin_invites_a_regional_coordinator_who_sets_a_password(app, demo, client):
    login(client, ADMIN)
    response = invite(
        client, "new.coord@example.org", "regional_coordinator", region_id=region("08").id
    )
    assert response.status_code == 302
    created = user("new.coord@example.org")
    assert [(m.role, m.region_id) for m in created.memberships] == [
        ("regional_coordinator", region("08").id)
    ]
    # Cannot sign in before setting a password.
    client.post("/logout")
    assert (
        client.post("/login", data={"email": "new.coord@example.org", "password": ""}).status_code
        == 200
    )
    path = link_of("new.coord@example.org")
    assert path.startswith("/password/set/invite/")
    page = client.get(path)
    assert page.status_code == 200 and "new.coord@example.org" in page.get_data(as_text=True)
    done = client.post(path, data={"password": "a-good-password", "confirm": "a-good-password"})
    assert done.status_code == 302
    login(client, "new.coord@example.org", "a-good-password")
    # The link is single-use.
    client.post("/logout")
    assert client.get(path).status_code == 410


@pytest.mark.parametrize(
    ("actor", "role", "scope_key", "allowed"),
    [
        (COORD_08, "municipal_coordinator", "muni_08", True),
        (COORD_08, "school", "school_08", True),
        (COORD_08, "curator", "region_08", True),
        (COORD_08, "regional_coordinator", "region_08", True),
        (COORD_08, "admin", None, False),
        (COORD_08, "regional_coordinator", "region_38", False),
        (COORD_08, "municipal_coordinator", "muni_38", False),
        (COORD_08, "school", "school_38", False),
        (COORD_08, "curator", "region_38", False),
        (MUN_ZALARI, "school", "school_38", True),
        (MUN_ZALARI, "municipal_coordinator", "muni_38", True),
        (MUN_ZALARI, "regional_coordinator", "region_38", False),
        (MUN_ZALARI, "curator", "region_38", False),
        (MUN_ZALARI, "school", "school_08", False),
        (MUN_ZALARI, "municipal_coordinator", "muni_08", False),
        (MUN_ZALARI, "admin", None, False),
    ],
)
def test_grant_rules(app, demo, client, actor, role, scope_key, allowed):
    muni_08 = db.session.scalar(select(School).where(School.code == "08-UMC")).municipality_id
    scopes = {
        None: {},
        "region_08": {"region_id": region("08").id},
        "region_38": {"region_id": region("38").id},
        "muni_08": {"municipality_id": muni_08},
        "muni_38": {"municipality_id": zalari().id},
        "school_08": {"school_code": "08-UMC"},
        "school_38": {"school_code": "38-VER"},
    }
    login(client, actor)
    # Selects only offer the actor's scope: post the raw values as a forged form would.
    response = invite(client, "someone@example.org", role, **scopes[scope_key])
    created = user("someone@example.org")
    if allowed:
        assert response.status_code == 302
        assert [m.role for m in created.memberships] == [role]
        held = created.memberships[0]
        expected = {
            "region_id": held.region_id,
            "municipality_id": held.municipality_id,
            "school_code": db.session.get(School, held.school_id).code if held.school_id else None,
        }
        assert {k: v for k, v in expected.items() if v is not None} == scopes[scope_key]
    else:
        assert response.status_code in (302, 403)
        assert created is None


def test_invite_form_offers_only_grantable_roles(app, demo, client):
    login(client, COORD_08)
    html = client.get("/setup/users").get_data(as_text=True)
    form = html.split('id="invite-form"')[1].split("</form>")[0]
    assert 'value="admin"' not in form
    assert 'value="school"' in form
    regions = re.findall(r'name="region_id".*?</select>', form, re.S)[0]
    assert str(region("38").id) not in re.findall(r'value="(\d+)"', regions)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_coordinator_lists_and_deactivates_only_its_scope(app, demo, client):
    login(client, COORD_08)
    html = client.get("/setup/users").get_data(as_text=True)
    assert SCHOOL in html
    assert "school.38-ver@ekspertiza.local" not in html
    assert ADMIN not in html
    outsider = user("school.38-ver@ekspertiza.local")
    assert client.post(f"/setup/users/{outsider.id}/deactivate").status_code == 404
    assert client.post(f"/setup/users/{user(ADMIN).id}/deactivate").status_code == 404
    assert user("school.38-ver@ekspertiza.local").active
    target = user(SCHOOL)
    assert client.post(f"/setup/users/{target.id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not user(SCHOOL).active
    client.post("/logout")
    assert client.post("/login", data={"email": SCHOOL, "password": "demo-pass"}).status_code == 200


def test_coordinator_may_not_deactivate_a_peer_of_another_region_or_the_admin(app, demo, client):
    login(client, COORD_38)
    assert client.post(f"/setup/users/{user(COORD_08).id}/deactivate").status_code == 404
    login(client, MUN_ZALARI)
    assert client.post(f"/setup/users/{user(COORD_38).id}/deactivate").status_code == 404
    db.session.expire_all()
    assert user(COORD_08).active and user(COORD_38).active


def test_adding_a_role_to_an_existing_user_sends_no_password_link(app, demo, client):
    login(client, COORD_08)
    before = db.session.scalar(select(db.func.count(Notification.id)))
    response = invite(client, "curator1@ekspertiza.local", "school", school_code="08-UMC")
    assert response.status_code == 302
    roles = {m.role for m in user(CURATOR).memberships}
    assert roles == {"curator", "school"}
    assert db.session.scalar(select(db.func.count(Notification.id))) == before


@pytest.mark.parametrize("email", [SCHOOL, CURATOR])
def test_schools_and_curators_get_403_on_setup(app, demo, client, email):
    login(client, email)
    for method, url in [
        ("GET", "/setup/"),
        ("GET", "/setup/users"),
        ("POST", "/setup/users/invite"),
        ("POST", f"/setup/users/{user(ADMIN).id}/deactivate"),
        ("GET", "/setup/orgs"),
        ("POST", "/setup/orgs"),
        ("GET", "/setup/curators"),
        ("POST", "/setup/curators"),
        ("POST", "/setup/curators/1/remove"),
        ("GET", "/setup/campaign"),
        ("POST", "/setup/campaign"),
        ("POST", "/setup/campaign/stages/1"),
        ("POST", "/setup/campaign/types/1"),
    ]:
        assert client.open(url, method=method).status_code == 403, url
    assert (
        db.session.scalar(select(db.func.count(Membership.id)).where(Membership.role == "admin"))
        == 1
    )


def _listed(client) -> str:
    return client.get("/setup/users").get_data(as_text=True).split('id="users"')[1]


def test_regional_coordinator_lists_region_scoped_and_municipal_roles_of_its_region(
    app, demo, client
):
    login(client, COORD_08)
    listed = _listed(client)
    assert CURATOR in listed  # a curator held in region 08
    assert COORD_08 in listed  # its own region membership
    assert "school.08-sol@ekspertiza.local" in listed
    assert COORD_38 not in listed and MUN_ZALARI not in listed
    # A municipal coordinator of a Kalmykia municipality is listed and manageable.
    muni_08 = db.session.scalar(select(School).where(School.code == "08-UMC")).municipality_id
    assert (
        invite(
            client, "mun.08@example.org", "municipal_coordinator", municipality_id=muni_08
        ).status_code
        == 302
    )
    assert "mun.08@example.org" in _listed(client)
    assert (
        client.post(f"/setup/users/{user('mun.08@example.org').id}/deactivate").status_code == 302
    )
    # A region-held curator of its region is manageable too.
    assert client.post(f"/setup/users/{user(CURATOR).id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not user("mun.08@example.org").active and not user(CURATOR).active


def test_municipal_coordinator_lists_its_municipality_only(app, demo, client):
    login(client, MUN_ZALARI)
    assert (
        invite(
            client, "mun.zalari2@example.org", "municipal_coordinator", municipality_id=zalari().id
        ).status_code
        == 302
    )
    listed = _listed(client)
    assert "school.38-ver@ekspertiza.local" in listed
    assert "mun.zalari2@example.org" in listed and MUN_ZALARI in listed
    assert COORD_38 not in listed and CURATOR not in listed and SCHOOL not in listed
    assert (
        client.post(
            f"/setup/users/{user('school.38-ver@ekspertiza.local').id}/deactivate"
        ).status_code
        == 302
    )
    assert client.post(f"/setup/users/{user(SCHOOL).id}/deactivate").status_code == 404


def test_unknown_school_or_municipality_gives_no_area(app, demo):
    from webapp.setup.permissions import grant_in

    assert grant_in("school", school_id=10**9).in_region is None
    assert grant_in("municipal_coordinator", municipality_id=10**9).in_region is None
    known = grant_in(
        "school", school_id=db.session.scalar(select(School.id).where(School.code == "38-VER"))
    )
    assert (known.in_region, known.in_municipality) == (region("38").id, zalari().id)
