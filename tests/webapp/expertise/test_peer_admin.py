"""The admin reaches the peer stage's settings and pairings from the menu; nobody else sees it."""

from __future__ import annotations

from tests.support import login


def test_the_admin_reaches_the_peer_stage_from_the_menu(app, demo, client):
    login(client, "admin@ekspertiza.local")
    page = client.get("/notifications").get_data(as_text=True)
    assert 'id="nav-peer-admin" href="/admin/peer"' in page
    client.post("/logout")
    login(client, "curator1@ekspertiza.local")
    assert 'id="nav-peer-admin"' not in client.get("/notifications").get_data(as_text=True)
