"""The ``expertise.pair`` job: pair the campaign's participating schools for mutual expertise.

Participants are the schools that chose risks in the campaign; a 500+ school without chosen
risks is listed as unpaired with its reason. The pairs of earlier campaigns (a reviewer school
that submitted a peer conclusion about a school) are the engine's history: never repeated.
The result (pairs, alternates, bound, unpaired schools) is stored in the job's ``result``; a
pairing (``params["pairing_id"]``, see ``webapp/expertise/pairing.py``) previews and confirms it.
"""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext
from sqlalchemy import select

from webapp.campaigns.models import Campaign, RiskFactor, SchoolRisk
from webapp.expertise.models import PeerAssignment
from webapp.extensions import db
from webapp.jobs.engines import HistoryPair, PairingResult, PairingSchool, pair_schools
from webapp.jobs.errors import JobInputError
from webapp.jobs.progress import Progress, band
from webapp.orgs.models import Municipality, School
from workflows.peer_assignment import PeerState

K_MAX = 10
NO_RISKS = "В кампании у школы не выбраны риски: её не с чем сравнивать."
ENGINE_BAND = (0.1, 0.9)


def pairing_params(
    campaign_id: int, k: int, no_reciprocal: bool, pairing_id: int | None = None
) -> dict:
    """The job's parameters, checked; raises JobInputError with a Russian text."""
    if db.session.get(Campaign, campaign_id) is None:
        raise JobInputError(lazy_gettext("Кампания не найдена."))
    if not 1 <= k <= K_MAX:
        raise JobInputError(lazy_gettext("k — целое число от 1 до %(max)s.", max=K_MAX))
    params = {"campaign_id": campaign_id, "k": k, "no_reciprocal": bool(no_reciprocal)}
    if pairing_id is not None:
        params["pairing_id"] = int(pairing_id)
    return params


def run_pairing(params: dict, progress: Progress) -> dict:
    """Load the participants, run the engine, return the result to store."""
    progress("load", 0.0)
    p = pairing_params(
        int(params["campaign_id"]),
        int(params["k"]),
        params["no_reciprocal"],
        params.get("pairing_id"),
    )
    schools = participants(p["campaign_id"])
    ids = [int(s.school_id) for s in schools]
    history = history_pairs(p["campaign_id"], set(ids))
    progress("pair", ENGINE_BAND[0])
    outcome = _pair(schools, history, p["k"], p["no_reciprocal"], progress)
    progress("save", 0.95)
    result = pairing_result(p, outcome, ids, without_risks(p["campaign_id"]))
    result["history"] = len(history)
    return result


def participants(campaign_id: int) -> list[PairingSchool]:
    """Schools with at least one risk chosen in the campaign, as the engine's plain objects."""
    stmt = (
        select(School.id, Municipality.region_id, School.municipality_id, School.settlement)
        .add_columns(School.pupils, RiskFactor.code)
        .join(Municipality, School.municipality_id == Municipality.id)
        .join(SchoolRisk, SchoolRisk.school_id == School.id)
        .join(RiskFactor, SchoolRisk.risk_factor_id == RiskFactor.id)
        .where(RiskFactor.campaign_id == campaign_id)
        .order_by(School.id)
    )
    facts: dict[int, tuple] = {}
    risks: dict[int, set[str]] = defaultdict(set)
    for school_id, region, municipality, settlement, pupils, risk in db.session.execute(stmt):
        facts[school_id] = (str(region), str(municipality), settlement, pupils)
        risks[school_id].add(str(risk))
    return [PairingSchool(str(s), *facts[s], frozenset(risks[s])) for s in facts]


def history_pairs(campaign_id: int, school_ids: set[int]) -> list[HistoryPair]:
    """Pairs of other campaigns among ``school_ids``: the reviewer submitted a conclusion.

    The same rule as the replacements (``webapp/expertise/replacements.py``): a pair counts as
    history once its reviewer submitted a peer conclusion about the reviewed school. Pairs with
    a school outside the participants are left out (the engine refuses unknown schools).
    """
    stmt = (
        select(PeerAssignment.reviewer_school_id, PeerAssignment.reviewed_school_id, Campaign.year)
        .join(Campaign, Campaign.id == PeerAssignment.campaign_id)
        .where(
            PeerAssignment.campaign_id != campaign_id, PeerAssignment.state == PeerState.SUBMITTED
        )
        .distinct()
        .order_by(PeerAssignment.reviewer_school_id, PeerAssignment.reviewed_school_id)
    )
    seen: set[tuple[int, int]] = set()
    pairs = []
    for reviewer, reviewed, year in db.session.execute(stmt):
        if reviewer in school_ids and reviewed in school_ids and (reviewer, reviewed) not in seen:
            seen.add((reviewer, reviewed))
            pairs.append(HistoryPair(str(reviewer), str(reviewed), int(year)))
    return pairs


def without_risks(campaign_id: int) -> list[int]:
    """500+ schools that chose no risk in the campaign."""
    chosen = (
        select(SchoolRisk.school_id)
        .join(RiskFactor, SchoolRisk.risk_factor_id == RiskFactor.id)
        .where(RiskFactor.campaign_id == campaign_id)
    )
    stmt = select(School.id).where(School.is_500plus, School.id.not_in(chosen)).order_by(School.id)
    return list(db.session.scalars(stmt))


def pairing_result(
    params: dict, outcome: PairingResult, participant_ids: list[int], no_risks: list[int]
) -> dict:
    """The JSON stored in ``jobs.result``: pairs by school id, the bound, unpaired schools."""
    ids = sorted(int(s) for s in outcome.alternates) if outcome.ok else []
    reviews = outcome.reviews
    unpaired = [{"school_id": s, "reason": NO_RISKS} for s in no_risks]
    if not outcome.ok:
        unpaired += [{"school_id": s, "reason": outcome.reason} for s in participant_ids]
    return {
        **params,
        "status": str(outcome.status),
        "reason": outcome.reason,
        "schools": outcome.stats.get("schools", 0),
        "pairs": [{"reviewed": int(r.reviewed), "reviewer": int(r.reviewer)} for r in reviews],
        "alternates": {str(s): [int(a) for a in outcome.alternates[str(s)]] for s in ids},
        "bound": _bound(outcome.stats),
        "unpaired": unpaired,
    }


def _pair(
    schools: list[PairingSchool],
    history: list[HistoryPair],
    k: int,
    no_reciprocal: bool,
    progress: Progress,
):
    return pair_schools(schools, history, k, no_reciprocal, progress=band(progress, *ENGINE_BAND))


def _bound(stats: dict) -> dict | None:
    sim = stats.get("similarity")
    if not sim:
        return None
    keys = ("mean", "min", "upper_bound_mean", "gap_to_bound", "proven_optimal")
    return {key: sim.get(key) for key in keys}
