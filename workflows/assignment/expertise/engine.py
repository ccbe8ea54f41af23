"""The public entry point: pair schools for mutual expertise."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from workflows.assignment.expertise.alternates import all_alternates
from workflows.assignment.expertise.bound import ClassBounds, class_bounds
from workflows.assignment.expertise.instance import Instance, build_instance
from workflows.assignment.expertise.model import (
    HistoryPair,
    PairingOptions,
    PairingResult,
    Review,
    School,
    Status,
)
from workflows.assignment.expertise.pairing import Pairing
from workflows.assignment.expertise.precheck import precheck
from workflows.assignment.expertise.regions import guided_arcs, region_class_flow
from workflows.assignment.expertise.solve import (
    ReciprocityReport,
    Relaxation,
    enforce_reciprocity,
    relax,
)
from workflows.assignment.expertise.stats import alternates_stats, bounds_of, pairing_stats
from workflows.assignment.expertise.timing import Laps
from workflows.assignment.expertise.weights import make_weights

CLASS_INFEASIBLE = (
    "Даже без учёта истории и запрета взаимных пар школам с редкими наборами рисков не хватает "
    "рецензентов: ограничения по регионам не выполнимы (проверено на классах рисков)."
)
FLOW_INFEASIBLE = (
    "Точная проверка (поток по всем допустимым парам) показала: распределения, в котором каждая "
    "школа даёт и получает ровно {k} рецензий от школ {k} разных других регионов без пар из "
    "истории, не существует."
)
REGION_INFEASIBLE = (
    "Даже без учёта истории и запрета взаимных пар рецензий не хватает: школам с одинаковыми "
    "наборами рисков, собранным в немногих регионах, не набрать рецензентов из других регионов "
    "(проверено потоком по классам «регион × набор рисков × тип поселения»)."
)
PRUNED_FAILED = (
    "Среди отобранных кандидатов распределение не найдено; невозможность не доказана. "
    "Попробуйте увеличить --candidates."
)
RECIPROCAL_INFEASIBLE = (
    "Распределение без пар из истории существует, но точная модель CP-SAT доказала: без "
    "взаимных пар (A проверяет B и B проверяет A) его построить нельзя."
)
RECIPROCAL_LEFT = (
    "Не удалось устранить все взаимные пары за отведённое время; невозможность не доказана."
)


def pair_schools(
    schools: Sequence[School],
    history: Iterable[HistoryPair] = (),
    k: int = 2,
    no_reciprocal: bool = False,
    options: PairingOptions | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> PairingResult:
    """Pair every school with k reviewers and k reviewees; see docs/expertise-pairing.md.

    ``progress(step, fraction)`` is called as the engine's steps close (fraction 0–1, rising).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    opts = options or PairingOptions()
    laps = Laps(progress)
    inst = build_instance(schools, history)
    reason = precheck(inst, k, no_reciprocal)
    laps.lap("input_and_prechecks")
    if reason:
        return _failed(Status.INFEASIBLE, reason, inst, k, laps)
    w = make_weights(inst, inst.n * k)
    by_class = class_bounds(inst, w, k, no_reciprocal)
    laps.lap("class_bounds")
    if by_class.infeasible:
        return _failed(Status.INFEASIBLE, CLASS_INFEASIBLE, inst, k, laps)
    by_region = region_class_flow(inst, w, k)
    laps.lap("region_class_flow")
    if by_region.value is None and not by_region.skipped:
        return _failed(Status.INFEASIBLE, REGION_INFEASIBLE, inst, k, laps)
    if by_region.value is not None:
        by_class.values["region_class_flow"] = by_region.value
    guided = None
    if inst.n > opts.full_graph_max and opts.region_guided:
        guided = guided_arcs(inst, by_region, k, opts.seed)
    rel = relax(inst, w, k, opts, laps, min(by_class.values.values(), default=None), guided)
    if rel.pairing is None:
        status = Status.INFEASIBLE if rel.full else Status.NOT_FOUND
        reason = FLOW_INFEASIBLE.format(k=k) if rel.full else PRUNED_FAILED
        return _failed(status, reason, inst, k, laps)
    return _finish(inst, w, k, no_reciprocal, opts, rel, by_class, laps)


def _finish(
    inst, w, k, no_reciprocal, opts, rel: Relaxation, by_class: ClassBounds, laps: Laps
) -> PairingResult:
    report = ReciprocityReport()
    p: Pairing | None = rel.pairing
    if no_reciprocal:
        bound = min(rel.scan.in_bound, rel.scan.out_bound, *by_class.values.values())
        p, report = enforce_reciprocity(inst, w, k, rel, opts, bound)
        laps.lap("reciprocity")
    if p is None:
        return _failed(Status.INFEASIBLE, RECIPROCAL_INFEASIBLE, inst, k, laps)
    if report.pairs_left:
        return _failed(Status.NOT_FOUND, RECIPROCAL_LEFT, inst, k, laps)
    optimal = report.proven_optimal or (rel.full and not no_reciprocal)
    alt = all_alternates(inst, w, p.revs, p.outs, k, no_reciprocal, opts.alternates, opts.seed)
    laps.lap("alternates")
    bounds = bounds_of(rel, by_class, optimal, p, inst, w)
    stats = pairing_stats(inst, w, k, p, bounds, rel, report)
    stats["alternates"] = alternates_stats(alt, opts.alternates)
    stats["seconds"] = laps.total()
    stats["seconds_by_step"] = laps.laps
    status = Status.OPTIMAL if optimal else Status.FEASIBLE
    stats["status"] = str(status)
    return PairingResult(status, None, _reviews(inst, p), _alternates(inst, alt), stats)


def _reviews(inst: Instance, p: Pairing) -> list[Review]:
    order = sorted(range(len(p.reviewer)), key=lambda i: (p.reviewed[i], p.reviewer[i]))
    ids = inst.ids
    return [Review(ids[p.reviewed[i]], ids[p.reviewer[i]]) for i in order]


def _alternates(inst: Instance, alt) -> dict[str, list[str]]:
    ids = inst.ids
    return {ids[v]: [ids[c] for c in row if c >= 0] for v, row in enumerate(alt.tolist())}


def _failed(status: Status, reason: str, inst: Instance, k: int, laps: Laps) -> PairingResult:
    stats = {
        "status": str(status),
        "reason": reason,
        "schools": inst.n,
        "regions": inst.n_regions,
        "k": k,
        "seconds": laps.total(),
        "seconds_by_step": laps.laps,
    }
    return PairingResult(status, reason, [], {}, stats)
