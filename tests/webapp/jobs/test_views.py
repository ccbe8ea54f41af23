"""Job pages: access, the progress fragment, the refresh while unfinished, cancel, start."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.support import csrf_token, login
from tests.webapp.jobs.conftest import ADMIN, CURATOR, OTHER, fetch, new_job, user
from webapp.campaigns.models import Campaign
from webapp.extensions import db
from webapp.jobs.models import Job

# The page keeps itself up to date with a small script polling the progress fragment (a
# <meta refresh> would send screen readers back to the top: axe-core's meta-refresh rule).
REFRESH = "/static/js/poll."


def test_anonymous_users_are_sent_to_sign_in(app, demo, client):
    job_id = new_job(by=user(CURATOR))
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/progress", "/admin/jobs/pairing"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_only_the_starter_and_the_admin_see_a_job(app, demo, client):
    job_id = new_job(by=user(CURATOR))
    login(client, OTHER)
    assert client.get(f"/jobs/{job_id}").status_code == 404
    assert client.get(f"/jobs/{job_id}/progress").status_code == 404
    assert client.post(f"/jobs/{job_id}/cancel").status_code == 404
    for email in (CURATOR, ADMIN):
        client.post("/logout")
        login(client, email)
        assert client.get(f"/jobs/{job_id}").status_code == 200


def test_the_fragment_shows_the_percent_and_stage(app, demo, client):
    job_id = new_job("running", by=user(CURATOR), progress=40, message="Подбор пар школ")
    login(client, CURATOR)
    page = client.get(f"/jobs/{job_id}/progress").get_data(as_text=True)
    assert 'value="40"' in page and 'max="100"' in page
    assert 'id="job-progress-label">Выполнено: 40 %</span>' in page
    assert 'aria-labelledby="job-progress-label"' in page
    assert "Подбор пар школ" in page and "<html" not in page


def test_the_page_refreshes_itself_only_while_unfinished(app, demo, client):
    login(client, CURATOR)
    for state, refreshes in [("queued", True), ("running", True), ("succeeded", False),
                             ("failed", False), ("cancelled", False)]:  # fmt: skip
        job_id = new_job(state, by=user(CURATOR))
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert (REFRESH in page) is refreshes, state
        assert (f'data-poll-url="/jobs/{job_id}/progress"' in page) is refreshes, state
        assert 'http-equiv="refresh"' not in page
        assert 'id="job-progress"' in page


def test_the_starter_cancels_a_queued_job(app, demo, client):
    job_id = new_job(by=user(CURATOR))
    login(client, CURATOR)
    assert 'id="job-cancel"' in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    response = client.post(f"/jobs/{job_id}/cancel")
    assert response.status_code == 302 and response.location.endswith(f"/jobs/{job_id}")
    assert fetch(job_id).state == "cancelled"
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'id="job-cancel"' not in page and REFRESH not in page
    client.post(f"/jobs/{job_id}/cancel")  # a second click is refused politely
    assert fetch(job_id).state == "cancelled"


def test_cancel_needs_the_csrf_token(csrf_app):
    from webapp.demo.services import load_demo

    load_demo("demo-pass")
    db.session.commit()
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"email": CURATOR, "password": "demo-pass", "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    job_id = new_job("running", by=user(CURATOR))
    assert client.post(f"/jobs/{job_id}/cancel").status_code == 400
    assert not fetch(job_id).cancel_requested
    token = csrf_token(client.get(f"/jobs/{job_id}").get_data(as_text=True))
    client.post(f"/jobs/{job_id}/cancel", data={"csrf_token": token})
    assert fetch(job_id).cancel_requested and fetch(job_id).state == "running"


def test_the_admin_starts_a_pairing_job_and_lands_on_its_page(app, demo, client):
    campaign_id = db.session.scalar(select(Campaign.id))
    login(client, ADMIN)
    assert 'id="pairing-form"' in client.get("/admin/jobs/pairing").get_data(as_text=True)
    response = client.post(
        "/admin/jobs/pairing", data={"campaign": campaign_id, "k": 2, "no_reciprocal": "y"}
    )
    job = db.session.scalar(select(Job).order_by(Job.id.desc()))
    assert response.status_code == 302 and response.location.endswith(f"/jobs/{job.id}")
    assert (job.kind, job.state, job.started_by_id) == ("expertise.pair", "queued", user(ADMIN).id)
    assert job.params == {"campaign_id": campaign_id, "k": 2, "no_reciprocal": True}


def test_the_pairing_form_refuses_a_bad_k_and_non_admins(app, demo, client):
    campaign_id = db.session.scalar(select(Campaign.id))
    login(client, ADMIN)
    page = client.post("/admin/jobs/pairing", data={"campaign": campaign_id, "k": 0})
    assert page.status_code == 200 and "k — целое число от 1 до 10." in page.get_data(as_text=True)
    assert db.session.scalar(select(Job.id)) is None
    client.post("/logout")
    login(client, CURATOR)
    assert client.get("/admin/jobs/pairing").status_code == 403
    assert client.post("/admin/jobs/pairing", data={"campaign": campaign_id}).status_code == 403


def test_a_finished_pairing_shows_its_summary(app, demo, client):
    result = {"schools": 11, "pairs": [{"reviewer": 1, "reviewed": 2}] * 22, "unpaired": [],
              "bound": {"mean": 0.4, "upper_bound_mean": 0.4}, "reason": None}  # fmt: skip
    job_id = new_job("succeeded", by=user(ADMIN), progress=100, result=result)
    login(client, ADMIN)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert re.search(r'id="result-pairs">22<', page) and 'id="result-bound">0.4000 / 0.4000' in page


def test_job_labels_are_in_the_catalogue():
    """Stage, state and service messages are shown through _(); each needs a translation."""
    from babel.messages.pofile import read_po

    from tests.webapp.test_i18n import PO
    from webapp.jobs import kinds, progress, services
    from webapp.jobs.forms import PairingJobForm
    from webapp.jobs.models import STATE_LABELS

    texts = {*progress.STAGE_LABELS.values(), progress.STAGE_DEFAULT, *STATE_LABELS.values()}
    texts |= {*kinds.KIND_LABELS.values()}
    texts |= {getattr(services, n) for n in ("MSG_QUEUED", "MSG_STARTED", "MSG_DONE")}
    texts |= {getattr(services, n) for n in ("MSG_FAILED", "MSG_CANCELLED")}
    for field in PairingJobForm.__dict__.values():
        args = getattr(field, "args", ())
        texts |= {a for a in args if isinstance(a, str)}
    with PO.open("rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string}
    assert sorted(texts - translated) == []
