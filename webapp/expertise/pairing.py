"""Pairing in the product: start the engine's job, preview its pairs, swap reviewers, confirm.

A ``Pairing`` row owns one ``expertise.pair`` job. Until the admin swaps or confirms, the
preview is the job's result; a swap or the confirmation stores it in ``Pairing.preview``
(keys ``pairs``, ``alternates``, ``bound``, ``unpaired``, ``status``, ``reason``, ``swaps``),
which the replacements read later. Refusals are workflow errors, so the one handler maps them:
``StateConflict`` → 409 (confirmed already, stale view), ``GuardRefused`` → 422 (a broken rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select

from webapp.auth.models import User
from webapp.campaigns.models import RiskFactor, SchoolRisk
from webapp.common.time import utcnow
from webapp.common.web import shown_time
from webapp.expertise import services
from webapp.expertise.models import Pairing, PeerAssignment
from webapp.extensions import db
from webapp.jobs.errors import JobInputError
from webapp.jobs.kinds import PAIR_SCHOOLS
from webapp.jobs.models import Job, JobState
from webapp.jobs.pairing import history_pairs, pairing_params
from webapp.jobs.services import create_job
from webapp.orgs.models import Municipality, Region, School
from workflows.machine import GuardRefused, StateConflict

SWAP = "swap"  # the trigger named in refusals (not a workflow trigger)
CONFIRM = "confirm"


@dataclass(frozen=True)
class SchoolFacts:
    """What the preview shows of one school and what the swap rules look at."""

    id: int
    code: str
    name: str
    region_id: int
    region_code: str
    region_name: str
    settlement: str
    risks: frozenset[int]

    @property
    def label(self) -> str:
        return f"«{self.name}» ({self.code})"


# -- starting ------------------------------------------------------------------------------


def start_pairing(campaign_id: int, k: int, no_reciprocal: bool, *, actor: User) -> Pairing:
    """A pairing row and its queued job; flush (the job is published after the commit)."""
    confirmed = confirmed_pairing(campaign_id)
    if confirmed is not None:
        raise StateConflict(
            gettext(
                "В кампании уже подтверждено распределение №%(number)s: новое не нужно.",
                number=confirmed.id,
            ),
            trigger=PAIR_SCHOOLS,
        )
    try:
        params = pairing_params(campaign_id, k, no_reciprocal)
    except JobInputError as exc:
        raise GuardRefused(str(exc), trigger=PAIR_SCHOOLS) from exc
    pairing = Pairing(
        campaign_id=campaign_id, k=k, no_reciprocal=bool(no_reciprocal), created_by_id=actor.id
    )
    db.session.add(pairing)
    db.session.flush()
    job = create_job(PAIR_SCHOOLS, {**params, "pairing_id": pairing.id}, started_by_id=actor.id)
    pairing.job_id = job.id
    db.session.flush()
    return pairing


def confirmed_pairing(campaign_id: int) -> Pairing | None:
    stmt = select(Pairing).where(
        Pairing.campaign_id == campaign_id, Pairing.confirmed_at.is_not(None)
    )
    return db.session.scalars(stmt).first()


def pairing_job(pairing: Pairing) -> Job | None:
    return None if pairing.job_id is None else db.session.get(Job, pairing.job_id)


# -- the preview -----------------------------------------------------------------------------


def current_preview(pairing: Pairing) -> dict | None:
    """The stored preview, else the succeeded job's result as a preview, else None."""
    if pairing.preview is not None:
        return pairing.preview
    job = pairing_job(pairing)
    if job is None or job.state != JobState.SUCCEEDED or not job.result:
        return None
    return initial_preview(job.result)


def initial_preview(result: dict) -> dict:
    """The keys of the job's result that the preview keeps, with no swaps yet."""
    return {
        "pairs": [
            {"reviewed": int(p["reviewed"]), "reviewer": int(p["reviewer"])}
            for p in result.get("pairs", [])
        ],
        "alternates": {
            str(s): [int(a) for a in ranked] for s, ranked in result.get("alternates", {}).items()
        },
        "bound": result.get("bound"),
        "unpaired": list(result.get("unpaired", [])),
        "status": result.get("status"),
        "reason": result.get("reason", ""),
        "swaps": [],
    }


def school_facts(campaign_id: int, school_ids: set[int]) -> dict[int, SchoolFacts]:
    """Names, regions, settlement and the campaign's risk codes of the given schools."""
    if not school_ids:
        return {}
    ids = sorted(school_ids)
    stmt = (
        select(School.id, School.code, School.short_name)
        .add_columns(Region.id, Region.code, Region.name, School.settlement)
        .join(Municipality, Municipality.id == School.municipality_id)
        .join(Region, Region.id == Municipality.region_id)
        .where(School.id.in_(ids))
    )
    risks = _risk_sets(campaign_id, ids)
    return {
        row[0]: SchoolFacts(*row, risks=frozenset(risks.get(row[0], ())))
        for row in db.session.execute(stmt)
    }


def _risk_sets(campaign_id: int, ids: list[int]) -> dict[int, set[int]]:
    stmt = (
        select(SchoolRisk.school_id, RiskFactor.code)
        .join(RiskFactor, RiskFactor.id == SchoolRisk.risk_factor_id)
        .where(RiskFactor.campaign_id == campaign_id, SchoolRisk.school_id.in_(ids))
    )
    sets: dict[int, set[int]] = {}
    for school_id, code in db.session.execute(stmt):
        sets.setdefault(school_id, set()).add(code)
    return sets


def similarity(a: frozenset, b: frozenset) -> float:
    """The engine's measure: Jaccard similarity of two risk sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def preview_rows(pairing: Pairing, preview: dict) -> list[dict]:
    """Every pair with both schools, their regions, risk similarity and settlement match."""
    pairs = preview.get("pairs", [])
    ids = {p["reviewed"] for p in pairs} | {p["reviewer"] for p in pairs}
    facts = school_facts(pairing.campaign_id, ids)
    return [_row(number, p, facts) for number, p in enumerate(pairs, start=1)]


def _row(number: int, pair: dict, facts: dict[int, SchoolFacts]) -> dict:
    reviewed, reviewer = facts[pair["reviewed"]], facts[pair["reviewer"]]
    return {
        "number": number,
        "reviewed_school_id": reviewed.id,
        "reviewer_school_id": reviewer.id,
        "reviewed": _school_json(reviewed),
        "reviewer": _school_json(reviewer),
        "similarity": round(similarity(reviewed.risks, reviewer.risks), 4),
        "same_settlement": reviewed.settlement == reviewer.settlement,
    }


def _school_json(school: SchoolFacts) -> dict:
    return {
        "id": school.id,
        "code": school.code,
        "name": school.name,
        "region_code": school.region_code,
        "region_name": school.region_name,
        "settlement": school.settlement,
    }


def summary(rows: list[dict], preview: dict) -> dict:
    """Mean similarity and settlement share of the current pairs beside the engine's bound."""
    count = len(rows)
    mean = sum(r["similarity"] for r in rows) / count if count else None
    same = sum(1 for r in rows if r["same_settlement"])
    return {
        "pairs": count,
        "mean_similarity": None if mean is None else round(mean, 4),
        "same_settlement_share": round(same / count, 4) if count else None,
        "swaps": len(preview.get("swaps", [])),
    }


def unpaired_rows(pairing: Pairing, preview: dict) -> list[dict]:
    """Schools the engine could not pair, with their names and the reason."""
    items = preview.get("unpaired", [])
    facts = school_facts(pairing.campaign_id, {int(u["school_id"]) for u in items})
    rows = []
    for item in items:
        school = facts.get(int(item["school_id"]))
        rows.append(
            {
                "school_id": int(item["school_id"]),
                "code": school.code if school else "",
                "name": school.name if school else "",
                "region_code": school.region_code if school else "",
                "reason": item["reason"],
            }
        )
    return rows


# -- swapping reviewers by hand ----------------------------------------------------------------


def swap_reviewers(
    pairing_id: int, first: int, second: int, *, actor: User, expected_version: int | None = None
) -> Pairing:
    """Exchange the reviewers of pairs number ``first`` and ``second`` (1-based); flush.

    Every school still gives and receives exactly k. A swap that breaks a hard rule is refused
    with the rule named (GuardRefused → 422).
    """
    pairing = _locked(pairing_id, expected_version)
    preview = current_preview(pairing)
    if preview is None:
        raise GuardRefused(
            gettext("Распределение ещё не готово: дождитесь завершения задания."), trigger=SWAP
        )
    pairs = [dict(p) for p in preview["pairs"]]
    for number in (first, second):
        if not 1 <= number <= len(pairs):
            raise GuardRefused(
                gettext("Пары №%(number)s нет в распределении.", number=number), trigger=SWAP
            )
    a, b = pairs[first - 1], pairs[second - 1]
    if a["reviewed"] == b["reviewed"] or a["reviewer"] == b["reviewer"]:
        raise GuardRefused(
            gettext(
                "Обмен ничего не меняет: выберите пары с разными школами и разными рецензентами."
            ),
            trigger=SWAP,
        )
    a["reviewer"], b["reviewer"] = b["reviewer"], a["reviewer"]
    problems = broken_rules(pairing, pairs, [a, b])
    if problems:
        raise GuardRefused(
            gettext("Обмен невозможен. %(problems)s", problems=" ".join(problems)), trigger=SWAP
        )
    swap = {"first": first, "second": second, "by": actor.full_name, "at": utcnow().isoformat()}
    pairing.preview = {**preview, "pairs": pairs, "swaps": [*preview.get("swaps", []), swap]}
    db.session.flush()
    return pairing


def broken_rules(pairing: Pairing, pairs: list[dict], changed: list[dict]) -> list[str]:
    """The hard rules the ``changed`` pairs break within ``pairs``, in the current language."""
    ids = {p["reviewed"] for p in pairs} | {p["reviewer"] for p in pairs}
    facts = school_facts(pairing.campaign_id, ids)
    arcs = [(p["reviewer"], p["reviewed"]) for p in pairs]
    history = {(int(h.reviewer), int(h.reviewed)) for h in history_pairs(pairing.campaign_id, ids)}
    problems: list[str] = []
    for pair in changed:
        problems += _pair_problems(pairing, pair, facts, arcs, history)
    return problems


def _pair_problems(pairing, pair, facts, arcs, history) -> list[str]:
    reviewer, reviewed = facts[pair["reviewer"]], facts[pair["reviewed"]]
    who = f"{reviewer.label} → {reviewed.label}"
    if reviewer.id == reviewed.id:
        return [gettext("Школа не может проверять сама себя: %(school)s.", school=reviewer.label)]
    if reviewer.region_id == reviewed.region_id:
        return [
            gettext(
                "Рецензент из того же региона (%(region)s): %(pair)s.",
                region=reviewer.region_name,
                pair=who,
            )
        ]
    if arcs.count((reviewer.id, reviewed.id)) > 1:
        return [
            gettext(
                "Школа %(reviewer)s уже проверяет %(reviewed)s.",
                reviewer=reviewer.label,
                reviewed=reviewed.label,
            )
        ]
    problems = []
    if pairing.no_reciprocal and (reviewed.id, reviewer.id) in arcs:
        problems.append(
            gettext(
                "Взаимная пара запрещена: %(reviewer)s и %(reviewed)s.",
                reviewer=reviewer.label,
                reviewed=reviewed.label,
            )
        )
    if (reviewer.id, reviewed.id) in history:
        problems.append(gettext("Пара из прошлых кампаний: %(pair)s.", pair=who))
    others = [facts[r] for r, v in arcs if v == reviewed.id and r != reviewer.id and r in facts]
    if any(o.region_id == reviewer.region_id for o in others):
        problems.append(
            gettext(
                "У школы %(reviewed)s два рецензента из одного региона (%(region)s).",
                reviewed=reviewed.label,
                region=reviewer.region_name,
            )
        )
    return problems


# -- confirming ------------------------------------------------------------------------------------


def confirm_pairing(
    pairing_id: int, *, actor: User, expected_version: int | None = None
) -> list[PeerAssignment]:
    """Store the preview and create the assignments, exactly once (the row is locked); flush."""
    pairing = _locked(pairing_id, expected_version)
    other = confirmed_pairing(pairing.campaign_id)
    if other is not None:
        raise StateConflict(
            gettext("В кампании уже подтверждено распределение №%(number)s.", number=other.id),
            trigger=CONFIRM,
        )
    preview = current_preview(pairing)
    if preview is None:
        raise GuardRefused(
            gettext("Подтвердить можно только успешно завершённое распределение."),
            trigger=CONFIRM,
        )
    if not preview["pairs"]:
        raise GuardRefused(
            gettext("В распределении нет пар: подтверждать нечего."), trigger=CONFIRM
        )
    pairing.preview = preview
    pairing.confirmed_at = utcnow()
    pairing.confirmed_by_id = actor.id
    db.session.flush()
    pairs = [(p["reviewer"], p["reviewed"]) for p in preview["pairs"]]
    return services.create_assignments(pairing, pairs)


def _locked(pairing_id: int, expected_version: int | None) -> Pairing:
    """The pairing locked for this transaction; refused when confirmed or changed meanwhile."""
    pairing = db.session.get(Pairing, pairing_id, with_for_update=True, populate_existing=True)
    if pairing is None:
        raise LookupError(pairing_id)
    _refuse_if_confirmed(pairing)  # before the version: a second confirmation says so
    if expected_version is not None and expected_version != pairing.lock_version:
        raise StateConflict(
            gettext("Распределение уже изменено другим пользователем. Обновите страницу."),
            trigger=CONFIRM,
        )
    return pairing


def _refuse_if_confirmed(pairing: Pairing) -> None:
    if pairing.confirmed_at is not None:
        who = db.session.get(User, pairing.confirmed_by_id) if pairing.confirmed_by_id else None
        when = shown_time(pairing.confirmed_at)
        name = who.full_name if who else gettext("администратор")
        raise StateConflict(
            gettext(
                "Распределение №%(number)s уже подтверждено (%(who)s, %(when)s): "
                "назначения созданы, повторно подтвердить нельзя.",
                number=pairing.id,
                who=name,
                when=when,
            ),
            trigger=CONFIRM,
        )
