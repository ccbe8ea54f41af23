"""The school cabinet without a redirect: the menu and the landing page lead to the school page
itself; ``/cabinet`` (old links, bookmarks) still answers with a redirect to it."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import CURATOR, SCHOOL
from webapp.extensions import db
from webapp.orgs.models import School


def _school_url(code: str) -> str:
    return f"/schools/{db.session.scalar(select(School.id).where(School.code == code))}"


def test_menu_links_the_school_page_itself(app, demo, client):
    login(client, SCHOOL)
    response = client.get(_school_url("08-UMC"))
    html = response.get_data(as_text=True)
    assert re.search(r'id="nav-cabinet" href="([^"]+)"', html).group(1) == _school_url("08-UMC")
    assert 'href="/cabinet"' not in html


def test_landing_page_sends_a_school_straight_to_its_page(app, demo, client):
    login(client, SCHOOL)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == _school_url("08-UMC")
    assert client.get(response.headers["Location"]).status_code == 200


def test_old_cabinet_link_still_redirects(app, demo, client):
    login(client, SCHOOL)
    response = client.get("/cabinet")
    assert response.status_code == 302 and response.headers["Location"] == _school_url("08-UMC")


def test_no_cabinet_for_a_user_without_a_school(app, demo, client):
    login(client, CURATOR)
    assert client.get("/cabinet").status_code == 403
    assert 'id="nav-cabinet"' not in client.get("/queue").get_data(as_text=True)
