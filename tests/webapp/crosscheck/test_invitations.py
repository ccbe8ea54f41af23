"""Expert accounts from the list: invitation to set a password (single use, time-limited),
the ``expert`` role for an existing account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.webapp.crosscheck import world as w
from webapp.auth.models import User
from webapp.common.time import utcnow
from webapp.crosscheck.expert_models import ExpertInvitation
from webapp.crosscheck.experts import invite_experts, token_hash
from webapp.crosscheck.models import CrossCheckExpert
from webapp.extensions import db
from webapp.notifications.models import Notification

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def listed(demo):
    """The world plus two listed experts: a new teacher, and the director of Веренская СОШ."""
    world = w.build()
    for email, name, code in (
        ("new.teacher@school.test", "Новый Учитель", "38-TYR"),
        ("School.38-VER@ekspertiza.local", "Директор", "38-VER"),
    ):
        db.session.add(
            CrossCheckExpert(
                campaign_id=world.campaign.id,
                school_id=world.schools[code].id,
                full_name=name,
                email=email,
                subjects=["math"],
                grades=[5],
                capacity=5,
            )
        )
    db.session.commit()
    return world


def invitation_link(user_id: int) -> str:
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == user_id, Notification.dedupe_key.like("xc-invite:%")
        )
    )
    return re.search(r"/invite/[\w-]+", note.body).group(0)


def test_new_account_invited_existing_account_gets_the_role(listed):
    result = invite_experts(listed.campaign)
    db.session.commit()
    assert (result.invited, result.role_added, result.linked) == (1, 1, 4)
    new = db.session.scalar(select(User).where(User.email == "new.teacher@school.test"))
    assert new.roles() == {"expert"}
    assert new.memberships[0].school_id == listed.schools["38-TYR"].id
    director = db.session.scalar(select(User).where(User.email == "school.38-ver@ekspertiza.local"))
    assert director.roles() == {"school", "expert"}
    experts = {e.email: e.user_id for e in db.session.scalars(select(CrossCheckExpert))}
    assert experts["new.teacher@school.test"] == new.id
    assert experts["School.38-VER@ekspertiza.local"] == director.id
    # only the new account gets a link; the token is stored hashed
    token = invitation_link(new.id).rsplit("/", 1)[1]
    stored = db.session.scalar(select(ExpertInvitation).where(ExpertInvitation.user_id == new.id))
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    assert (
        db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == director.id, Notification.dedupe_key.like("xc-invite:%")
            )
        )
        is None
    )
    # a second run changes nothing
    again = invite_experts(listed.campaign)
    assert (again.invited, again.role_added, again.linked) == (0, 0, 6)


@BOTH
def test_invitation_sets_the_password_once(client, listed):
    invite_experts(listed.campaign)
    db.session.commit()
    new = db.session.scalar(select(User).where(User.email == "new.teacher@school.test"))
    link = invitation_link(new.id)
    assert client.get(link).status_code == 200
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    mismatch = client.post(link, data={"password": "long-enough-1", "confirm": "long-enough-2"})
    assert mismatch.status_code == 422
    done = client.post(link, data={"password": "long-enough-1", "confirm": "long-enough-1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/expert")
    assert client.get("/expert").status_code == 200  # signed in
    assert client.get(link).status_code == 404  # single use
    assert (
        client.post(
            link, data={"password": "another-pass-1", "confirm": "another-pass-1"}
        ).status_code
        == 404
    )
    w.login(client, "new.teacher@school.test", "long-enough-1")


def test_an_expired_or_unknown_invitation_is_refused(client, listed):
    invite_experts(listed.campaign)
    db.session.commit()
    new = db.session.scalar(select(User).where(User.email == "new.teacher@school.test"))
    link = invitation_link(new.id)
    assert client.get(link).status_code == 200
    invitation = db.session.scalar(
        select(ExpertInvitation).where(ExpertInvitation.user_id == new.id)
    )
    assert invitation.expires_at - utcnow() > timedelta(days=6, hours=23)  # seven days
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 404
    assert client.get("/invite/not-a-token").status_code == 404
    assert client.get("/invite/" + "x" * 300).status_code == 404


def test_coordinator_invites_from_the_page_and_the_api_others_get_404(client, listed):
    api = f"/api/v1/crosschecks/{listed.campaign.id}/experts/invitations"
    other = w.token(client, "coord.08@ekspertiza.local", "demo-pass")
    assert client.post(api, headers=other).status_code == 404
    expert = w.token(client, "expert.38-troi@test")
    assert client.post(api, headers=expert).status_code == 404
    assert db.session.scalar(select(User).where(User.email == "new.teacher@school.test")) is None
    coord = w.token(client, "coord.38@ekspertiza.local", "demo-pass")
    response = client.post(api, headers=coord)
    assert response.status_code == 200
    assert response.json == {"invited": 1, "role_added": 1, "linked": 4}
    w.login(client, "mun.zalari@ekspertiza.local", "demo-pass")  # not the region's campaign owner
    page = f"/crosschecks/{listed.campaign.id}/experts/invite"
    assert client.post(page).status_code == 404
    client.post("/logout")
    w.login(client, "coord.38@ekspertiza.local", "demo-pass")
    assert client.post(page).status_code == 302
