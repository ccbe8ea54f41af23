"""Ranked replacements for one reviewer who declined or went silent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from workflows.assignment.expertise.alternates import rank_block
from workflows.assignment.expertise.instance import build_instance
from workflows.assignment.expertise.model import HistoryPair, Review, School
from workflows.assignment.expertise.weights import make_weights


def rank_replacements(
    schools: Sequence[School],
    reviews: Iterable[Review],
    reviewed: str,
    replaced: str,
    k: int,
    *,
    history: Iterable[HistoryPair] = (),
    no_reciprocal: bool = False,
    loads: Mapping[str, int] | None = None,
    excluded: Iterable[str] = (),
    limit: int = 5,
    seed: int = 0,
) -> list[str]:
    """Best schools to take over ``replaced``'s review of ``reviewed``, best first.

    A candidate is valid if it is in another region than ``reviewed``; its region differs from
    those of the *remaining* reviewers of ``reviewed`` (the replaced reviewer's region is free);
    it is neither the replaced reviewer nor in ``excluded`` (e.g. earlier decliners); the pair is
    not in the history; with ``no_reciprocal`` ``reviewed`` does not review it; and it currently
    gives at most k reviews (``loads``, by default counted from ``reviews``), so it ends with at
    most k + 1.
    """
    schools = list(schools)
    inst = build_instance(schools, history)
    index = {sid: i for i, sid in enumerate(inst.ids)}
    v = index[reviewed]
    kept = [r for r in reviews if not (r.reviewed == reviewed and r.reviewer == replaced)]
    counted = Counter(r.reviewer for r in kept) if loads is None else loads
    load_arr = np.array([counted.get(sid, 0) for sid in inst.ids], dtype=np.int64)
    others = [index[r.reviewer] for r in kept if r.reviewed == reviewed]
    blocked = np.array([[int(inst.region[o]) for o in others] or [-1]], dtype=np.int64)
    banned = _banned_columns(inst, index, kept, v, replaced, excluded, no_reciprocal)
    w = make_weights(inst, max(1, inst.n * k))
    rows = np.array([v])
    rng = np.random.default_rng(seed)
    top = rank_block(inst, w, rows, blocked, banned, load_arr, k, limit, rng)[0]
    return [inst.ids[c] for c in top if c >= 0]


def _banned_columns(inst, index, kept, v, replaced, excluded, no_reciprocal) -> tuple:
    cols = {index[replaced], *(index[e] for e in excluded if e in index)}
    cols |= {index[r.reviewer] for r in kept if r.reviewed == inst.ids[v]}
    cols |= set(inst.history_in(v).tolist())
    if no_reciprocal:
        cols |= {index[r.reviewed] for r in kept if r.reviewer == inst.ids[v]}
    cols_arr = np.array(sorted(cols), dtype=np.int64)
    return np.zeros(len(cols_arr), dtype=np.int64), cols_arr
