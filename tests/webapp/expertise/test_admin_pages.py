"""The admin's peer pages: stage settings, start a pairing, preview, swap, confirm; access."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tasks import jobs as job_tasks
from tests.support import login
from tests.webapp.expertise.peer_support import enable_peer_stage
from webapp.campaigns.models import DocumentType
from webapp.campaigns.services import current_campaign
from webapp.expertise.models import Pairing, PeerAssignment
from webapp.expertise.workflow import stage_of
from webapp.extensions import db

ADMIN = "admin@ekspertiza.local"
OTHERS = [
    "school.08-umc@ekspertiza.local",
    "curator1@ekspertiza.local",
    "coord.08@ekspertiza.local",
    "mun.zalari@ekspertiza.local",
]
ROUTES = [
    ("get", "/admin/peer"),
    ("post", "/admin/peer"),
    ("get", "/admin/peer/pairings"),
    ("post", "/admin/peer/pairings"),
    ("get", "/admin/peer/pairings/{id}"),
    ("post", "/admin/peer/pairings/{id}/swap"),
    ("post", "/admin/peer/pairings/{id}/confirm"),
]
STAGE = {
    "reviews_per_school": "2",
    "no_reciprocal": "y",
    "accept_days": "4",
    "review_days": "10",
    "reminder_days": "3",
    "max_replacements": "1",
}


def peer_type_ids() -> list[int]:
    codes = ("concept", "midterm")
    return list(db.session.scalars(select(DocumentType.id).where(DocumentType.code.in_(codes))))


@pytest.mark.parametrize("email", [None, *OTHERS])
def test_only_the_admin_reaches_the_peer_pages(app, demo, client, email):
    pairing = Pairing(campaign_id=current_campaign().id, k=1, no_reciprocal=True)
    db.session.add(pairing)
    db.session.commit()
    if email:
        login(client, email)
    for method, path in ROUTES:
        response = getattr(client, method)(path.format(id=pairing.id))
        if email is None:
            assert response.status_code == 302 and "/login" in response.location, path
        else:
            assert response.status_code == 403, (email, path)


def test_the_stage_settings_are_saved_and_validated_in_russian(app, demo, client):
    enable_peer_stage()
    login(client, ADMIN)
    page = client.get("/admin/peer").get_data(as_text=True)
    assert "Взаимоэкспертиза: настройки этапа" in page and "checked" in page
    concept = peer_type_ids()[:1]
    saved = client.post("/admin/peer", data={**STAGE, "peer_types": concept})
    assert saved.status_code == 302
    db.session.expire_all()
    stage = stage_of(current_campaign().id)
    assert (stage.reviews_per_school, stage.accept_days, stage.reveal_reviewer) == (2, 4, False)
    campaign = current_campaign()
    peer = {t for t in peer_type_ids() if campaign.setting_for(t).needs_peer_review}
    assert peer == set(concept)
    late = client.post("/admin/peer", data={**STAGE, "reminder_days": "10"})
    assert "Напоминание должно приходить раньше срока" in late.get_data(as_text=True)
    wrong = client.post("/admin/peer", data={**STAGE, "accept_days": "0"})
    assert "«Дней на принятие назначения»: целое число от 1 до 60." in wrong.get_data(as_text=True)


def test_a_type_without_a_peer_checklist_cannot_go_to_the_peer_stage(app, demo, client):
    login(client, ADMIN)  # the plain demo has no peer checklists
    response = client.post("/admin/peer", data={**STAGE, "peer_types": peer_type_ids()})
    assert "Нет чек-листа взаимоэкспертизы" in response.get_data(as_text=True)


def test_the_admin_runs_previews_swaps_and_confirms_a_pairing(app, demo, client):
    enable_peer_stage()
    login(client, ADMIN)
    started = client.post("/admin/peer/pairings", data={"k": "1", "no_reciprocal": "y"})
    assert started.status_code == 302 and "/jobs/" in started.location
    pairing = db.session.scalar(select(Pairing))
    job_page = client.get(started.location).get_data(as_text=True)
    assert 'id="job-bar"' in job_page and f"/admin/peer/pairings/{pairing.id}" in job_page
    waiting = client.get(f"/admin/peer/pairings/{pairing.id}").get_data(as_text=True)
    assert 'id="pairing-waiting"' in waiting and "/static/js/poll." in waiting
    assert f'data-poll-url="/jobs/{pairing.job_id}/progress"' in waiting
    job_tasks.pair_schools.run(job_id=pairing.job_id)
    page = client.get(f"/admin/peer/pairings/{pairing.id}").get_data(as_text=True)
    assert page.count('id="pair-') == 11 and 'id="summary-bound"' in page
    version = str(pairing.lock_version)
    assert f'name="lock_version" type="hidden" value="{version}"' in page.replace(
        'id="lock_version" ', ""
    )
    refused = client.post(
        f"/admin/peer/pairings/{pairing.id}/swap",
        data={"first": "1", "second": "99", "lock_version": version},
    )
    assert refused.status_code == 422 and "Пары №99 нет" in refused.get_data(as_text=True)
    confirmed = client.post(
        f"/admin/peer/pairings/{pairing.id}/confirm", data={"lock_version": version}
    )
    assert confirmed.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PeerAssignment)) == 22
    again = client.post(
        f"/admin/peer/pairings/{pairing.id}/confirm", data={"lock_version": version}
    )
    assert again.status_code == 409 and "уже подтверждено" in again.get_data(as_text=True)
    listing = client.get("/admin/peer/pairings").get_data(as_text=True)
    assert f'id="pairing-{pairing.id}"' in listing
