"""The pairing service: history fed to the engine, the preview, swaps by hand, one confirmation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from tasks import jobs as job_tasks
from tests.webapp.expertise.peer_support import enable_peer_stage, school_id
from tests.webapp.helpers import user
from webapp.campaigns.models import Campaign, DocumentType, RiskFactor, SchoolRisk
from webapp.campaigns.services import current_campaign
from webapp.documents.models import Document
from webapp.expertise import pairing as pairings
from webapp.expertise.models import Pairing, PeerAssignment
from webapp.extensions import db
from webapp.jobs import pairing as pairing_job
from webapp.jobs.models import Job
from webapp.orgs.models import School
from workflows.machine import GuardRefused, StateConflict

ADMIN = "admin@ekspertiza.local"
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def add_history(pairs: list[tuple[str, str]], state: str = "submitted") -> None:
    """Assignments of an earlier campaign (reviewer code, reviewed code) in ``state``."""
    old = db.session.scalar(select(Campaign).where(Campaign.year == 2000))
    if old is None:
        old = Campaign(year=2000, name="2000", is_open=False)
        db.session.add(old)
        db.session.flush()
    doc_type = db.session.scalar(select(DocumentType.id).order_by(DocumentType.id))
    for reviewer, reviewed in pairs:
        document = Document(
            campaign_id=old.id,
            school_id=school_id(reviewed),
            document_type_id=doc_type,
            title="Концепция 2000",
        )
        db.session.add(document)
        db.session.flush()
        assignment = PeerAssignment(
            campaign_id=old.id,
            document=document,
            reviewer_school_id=school_id(reviewer),
            reviewed_school_id=school_id(reviewed),
        )
        db.session.add(assignment)
        db.session.flush()
        table = PeerAssignment.__table__
        db.session.execute(update(table).where(table.c.id == assignment.id).values(state=state))
    db.session.commit()


def started(k: int = 1, no_reciprocal: bool = True) -> Pairing:
    pairing = pairings.start_pairing(current_campaign().id, k, no_reciprocal, actor=user(ADMIN))
    db.session.commit()
    assert job_tasks.pair_schools.run(job_id=pairing.job_id) == "succeeded"
    db.session.expire_all()
    return db.session.get(Pairing, pairing.id)


def preset(pairs: list[tuple[str, str]], k: int = 1, no_reciprocal: bool = True) -> Pairing:
    """A pairing whose preview holds exactly these (reviewer, reviewed) pairs."""
    preview = pairings.initial_preview(
        {"pairs": [{"reviewer": school_id(a), "reviewed": school_id(b)} for a, b in pairs]}
    )
    pairing = Pairing(
        campaign_id=current_campaign().id, k=k, no_reciprocal=no_reciprocal, preview=preview
    )
    db.session.add(pairing)
    db.session.commit()
    return pairing


def test_history_of_other_campaigns_is_fed_to_the_engine(app, demo, monkeypatch):
    add_history([("56-D01", "08-UMC"), ("22-D01", "14-D01")])
    add_history([("14-D02", "08-SOL")], state="declined")  # never reviewed: not history
    seen = {}
    real = pairing_job.pair_schools

    def spy(schools, history, k, no_reciprocal, **kwargs):
        seen["history"] = {(h.reviewer, h.reviewed, h.year) for h in history}
        return real(schools, history, k, no_reciprocal, **kwargs)

    monkeypatch.setattr(pairing_job, "pair_schools", spy)
    pairing = started()
    umc, d56, d22, d14 = (school_id(c) for c in ("08-UMC", "56-D01", "22-D01", "14-D01"))
    assert seen["history"] == {(str(d56), str(umc), 2000), (str(d22), str(d14), 2000)}
    job = db.session.get(Job, pairing.job_id)
    assert job.params["pairing_id"] == pairing.id and job.result["history"] == 2
    arcs = {(p["reviewer"], p["reviewed"]) for p in job.result["pairs"]}
    assert (d56, umc) not in arcs and (d22, d14) not in arcs


@BOTH
def test_the_preview_shows_every_pair_with_regions_similarity_and_settlement(app, demo):
    pairing = started(k=2)
    preview = pairings.current_preview(pairing)
    rows = pairings.preview_rows(pairing, preview)
    assert pairing.preview is None and len(rows) == 22  # 11 schools, k = 2; nothing stored yet
    risks: dict[int, set[int]] = {}
    stmt = select(SchoolRisk.school_id, SchoolRisk.risk_factor_id).join(RiskFactor)
    for school, risk in db.session.execute(
        stmt.where(RiskFactor.campaign_id == pairing.campaign_id)
    ):
        risks.setdefault(school, set()).add(risk)
    for row in rows:
        reviewed = db.session.get(School, row["reviewed_school_id"])
        reviewer = db.session.get(School, row["reviewer_school_id"])
        a, b = risks[reviewed.id], risks[reviewer.id]
        assert row["similarity"] == pytest.approx(len(a & b) / len(a | b), abs=1e-4)
        assert row["same_settlement"] == (reviewed.settlement == reviewer.settlement)
        assert row["reviewed"]["region_code"] == reviewed.municipality.region.code
        assert row["reviewer"]["region_code"] == reviewer.municipality.region.code
        assert row["reviewer"]["region_code"] != row["reviewed"]["region_code"]
    summary = pairings.summary(rows, preview)
    assert summary["mean_similarity"] == pytest.approx(
        sum(r["similarity"] for r in rows) / 22, abs=1e-4
    )
    bound = preview["bound"]
    assert summary["mean_similarity"] <= bound["upper_bound_mean"] + 1e-4
    assert summary["mean_similarity"] == pytest.approx(bound["mean"], abs=1e-3)


SWAPS = [
    # (pairs as reviewer → reviewed, k, swap numbers, the message)
    ([("56-D01", "08-UMC"), ("08-UMC", "22-D01")], 1, (1, 2), "не может проверять сама себя"),
    ([("56-D01", "08-UMC"), ("08-SOL", "22-D01")], 1, (1, 2), "из того же региона"),
    (
        [("14-D01", "08-UMC"), ("56-D01", "22-D01"), ("08-UMC", "56-D01")],
        1,
        (1, 2),
        "Взаимная пара запрещена",
    ),
    (
        [("56-D01", "08-UMC"), ("22-D01", "08-UMC"), ("22-D02", "14-D01")],
        2,
        (1, 3),
        "два рецензента из одного региона",
    ),
    (
        [("56-D01", "08-UMC"), ("22-D01", "08-UMC"), ("22-D01", "14-D01")],
        2,
        (1, 3),
        "уже проверяет",
    ),
    ([("56-D01", "08-UMC"), ("22-D01", "08-UMC")], 2, (1, 2), "ничего не меняет"),
    ([("56-D01", "08-UMC"), ("22-D01", "14-D01")], 1, (1, 5), "Пары №5 нет"),
]


@pytest.mark.parametrize(("pairs", "k", "numbers", "message"), SWAPS)
def test_a_swap_breaking_a_hard_rule_is_refused_with_the_rule_named(
    app, demo, pairs, k, numbers, message
):
    pairing = preset(pairs, k=k)
    with pytest.raises(GuardRefused, match=message):
        pairings.swap_reviewers(pairing.id, *numbers, actor=user(ADMIN))
    db.session.rollback()
    assert db.session.get(Pairing, pairing.id).preview["swaps"] == []


def test_a_swap_repeating_a_pair_of_an_earlier_campaign_is_refused(app, demo):
    add_history([("56-D01", "08-UMC")])
    pairing = preset([("14-D01", "08-UMC"), ("56-D01", "22-D01")])
    with pytest.raises(GuardRefused, match="Пара из прошлых кампаний"):
        pairings.swap_reviewers(pairing.id, 1, 2, actor=user(ADMIN))


def test_a_reciprocal_swap_is_allowed_when_the_pairing_allows_reciprocal_pairs(app, demo):
    pairs = [("14-D01", "08-UMC"), ("56-D01", "22-D01"), ("08-UMC", "56-D01")]
    pairing = preset(pairs, no_reciprocal=False)
    pairings.swap_reviewers(pairing.id, 1, 2, actor=user(ADMIN))
    db.session.commit()
    assert db.session.get(Pairing, pairing.id).preview["pairs"][0]["reviewer"] == school_id(
        "56-D01"
    )


def test_a_valid_swap_exchanges_reviewers_and_keeps_everyone_at_k(app, demo):
    pairing = started(k=1)
    before = pairings.current_preview(pairing)["pairs"]
    first, second = next(
        (i + 1, j + 1)
        for i, a in enumerate(before)
        for j, b in enumerate(before)
        if i < j
        and not pairings.broken_rules(pairing, _swapped(before, i, j), [])
        and _valid(pairing, before, i, j)
    )
    pairings.swap_reviewers(pairing.id, first, second, actor=user(ADMIN))
    db.session.commit()
    after = db.session.get(Pairing, pairing.id).preview
    assert after["pairs"][first - 1]["reviewer"] == before[second - 1]["reviewer"]
    assert after["pairs"][second - 1]["reviewer"] == before[first - 1]["reviewer"]
    assert sorted(p["reviewer"] for p in after["pairs"]) == sorted(p["reviewer"] for p in before)
    assert after["swaps"][0]["first"] == first and after["alternates"]


def _swapped(pairs, i, j):
    out = [dict(p) for p in pairs]
    out[i]["reviewer"], out[j]["reviewer"] = out[j]["reviewer"], out[i]["reviewer"]
    return out


def _valid(pairing, pairs, i, j) -> bool:
    out = _swapped(pairs, i, j)
    return not pairings.broken_rules(pairing, out, [out[i], out[j]])


@BOTH
def test_confirm_creates_the_assignments_once(app, demo):
    enable_peer_stage()
    pairing = started(k=1)
    created = pairings.confirm_pairing(pairing.id, actor=user(ADMIN))
    db.session.commit()
    assert len(created) == 22  # 11 reviewed schools × concept and programme
    stored = db.session.get(Pairing, pairing.id)
    assert stored.confirmed_at is not None and len(stored.preview["pairs"]) == 11
    with pytest.raises(StateConflict, match="уже подтверждено"):
        pairings.confirm_pairing(pairing.id, actor=user(ADMIN))
    db.session.rollback()
    with pytest.raises(StateConflict, match="уже подтверждено распределение"):
        pairings.start_pairing(pairing.campaign_id, 1, True, actor=user(ADMIN))
    db.session.rollback()
    with pytest.raises(StateConflict):
        pairings.swap_reviewers(pairing.id, 1, 2, actor=user(ADMIN))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PeerAssignment)) == 22


def test_a_pairing_that_is_not_ready_cannot_be_confirmed(app, demo):
    pairing = pairings.start_pairing(current_campaign().id, 1, True, actor=user(ADMIN))
    db.session.commit()
    with pytest.raises(GuardRefused, match="успешно завершённое"):
        pairings.confirm_pairing(pairing.id, actor=user(ADMIN))
    db.session.rollback()
    with pytest.raises(StateConflict, match="изменено"):
        pairings.confirm_pairing(pairing.id, actor=user(ADMIN), expected_version=99)
