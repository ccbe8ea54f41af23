"""Figures for summary.json: similarity, its proven bound, settlement and size matches."""

from __future__ import annotations

import numpy as np

from workflows.assignment.expertise.bound import ClassBounds
from workflows.assignment.expertise.instance import Instance
from workflows.assignment.expertise.pairing import Pairing
from workflows.assignment.expertise.solve import ReciprocityReport, Relaxation
from workflows.assignment.expertise.weights import Weights, similarity


def bounds_of(
    rel: Relaxation, by_class: ClassBounds, optimal: bool, p: Pairing, inst: Instance, w: Weights
) -> dict[str, int]:
    """Every proven upper bound on the total scaled similarity, by source."""
    bounds = {"per_school_reviewers": rel.scan.in_bound, "per_school_reviewees": rel.scan.out_bound}
    bounds.update(by_class.values)
    if rel.full:
        bounds["flow_on_all_arcs"] = rel.sim
    if optimal:
        bounds["proven_optimum"] = int(similarity(inst, w, p.reviewer, p.reviewed).sum())
    return bounds


def pairing_stats(
    inst: Instance,
    w: Weights,
    k: int,
    p: Pairing,
    bounds: dict[str, int],
    rel: Relaxation,
    report: ReciprocityReport,
) -> dict:
    """Summary figures of a valid pairing."""
    sims = similarity(inst, w, p.reviewer, p.reviewed)
    arcs = len(sims)
    upper = min(bounds.values())
    mean = float(sims.sum()) / w.scale / arcs
    upper_mean = upper / w.scale / arcs
    same = inst.rural[p.reviewer] == inst.rural[p.reviewed]
    size_gap = np.abs(inst.bucket[p.reviewer].astype(int) - inst.bucket[p.reviewed])
    return {
        "schools": inst.n,
        "regions": inst.n_regions,
        "k": k,
        "reviews": arcs,
        "history_pairs": len(inst.hist_u),
        "similarity": {
            "mean": mean,
            "min": float(sims.min()) / w.scale,
            "upper_bound_mean": upper_mean,
            "gap_to_bound": (upper_mean - mean) / upper_mean if upper_mean else 0.0,
            "proven_optimal": bool(int(sims.sum()) >= upper),
            "bound_sources_mean": {k_: v / w.scale / arcs for k_, v in bounds.items()},
            "exact_fractions": w.exact,
        },
        "settlement_match_share": float(same.mean()),
        "size_bucket_mean_difference": float(size_gap.mean()),
        "method": _method(rel, report),
        "flow_similarity_mean": rel.sim / w.scale / arcs,  # before the reciprocity rule
    }


def _method(rel: Relaxation, report: ReciprocityReport) -> dict:
    return {
        "graph": _graph(rel),
        "widened": rel.widened,
        "region_guided_arcs": rel.guided_arcs,
        "candidate_arcs": len(rel.scan.cand_u),
        "reciprocal_pairs_after_flow": report.pairs_after_flow,
        "reciprocity_swaps": report.swaps,
        "cpsat": report.cpsat,
    }


def _graph(rel: Relaxation) -> str:
    if rel.full:
        return "all valid arcs"
    if rel.guided:
        return "region-guided arcs plus random ones"
    extra = ", plus region-guided arcs" if rel.guided_arcs else ""
    return f"pruned, {rel.limit} partners per school{extra}"


def alternates_stats(alt: np.ndarray, wanted: int) -> dict:
    """How full the alternate lists are and how often one school is the first choice."""
    counts = (alt >= 0).sum(axis=1) if alt.size else np.zeros(len(alt), dtype=int)
    first = alt[:, 0][alt[:, 0] >= 0] if alt.size else np.zeros(0, dtype=int)
    return {
        "per_school": wanted,
        "schools_with_full_list": int((counts >= wanted).sum()),
        "schools_with_none": int((counts == 0).sum()) if wanted else 0,
        "max_times_first_choice": int(np.bincount(first).max()) if len(first) else 0,
    }
