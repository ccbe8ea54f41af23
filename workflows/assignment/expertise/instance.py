"""Schools and history as numpy arrays indexed 0..n-1."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from workflows.assignment.expertise.model import HistoryPair, School

# Size buckets double: <100, 100-199, 200-399, 400-799, 800-1599, 1600+ pupils.
SIZE_THRESHOLDS = (100, 200, 400, 800, 1600)


@dataclass
class Instance:
    """Arrays describing one pairing problem."""

    ids: list[str]
    region_ids: list[str]
    region: np.ndarray  # int32 region index per school
    rural: np.ndarray  # int8, 1 for rural
    bucket: np.ndarray  # int8 size bucket
    words: np.ndarray  # uint64 (n, W) risk bitsets
    risk_size: np.ndarray  # int16 number of risks
    risk_class: np.ndarray  # int32 index of the distinct risk set
    hist_u: np.ndarray  # int64 reviewer index of each distinct history pair
    hist_v: np.ndarray  # int64 reviewed index
    hist_codes: np.ndarray  # sorted int64 codes u * n + v

    @property
    def n(self) -> int:
        """Number of schools."""
        return len(self.ids)

    @property
    def n_regions(self) -> int:
        """Number of regions that hold schools."""
        return len(self.region_ids)

    def history_in(self, v: int) -> np.ndarray:
        """Reviewers that reviewed ``v`` before."""
        return self.hist_u[self.hist_v == v]


def size_bucket(pupils: int) -> int:
    """Bucket of a school size; neighbouring buckets differ by a factor of two."""
    return bisect_right(SIZE_THRESHOLDS, pupils)


def build_instance(schools: Sequence[School], history: Iterable[HistoryPair] = ()) -> Instance:
    """Index schools and history; duplicate ids or unknown history schools raise ValueError."""
    ids = [s.school_id for s in schools]
    index = {sid: i for i, sid in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError("school ids must be unique")
    region_ids = sorted({s.region_id for s in schools})
    region_index = {r: i for i, r in enumerate(region_ids)}
    words, sizes, classes = _risk_arrays(schools)
    hist_u, hist_v = _history_arrays(history, index)
    n = len(ids)
    return Instance(
        ids=ids,
        region_ids=region_ids,
        region=np.array([region_index[s.region_id] for s in schools], dtype=np.int32),
        rural=np.array([s.settlement == "rural" for s in schools], dtype=np.int8),
        bucket=np.array([size_bucket(s.pupils) for s in schools], dtype=np.int8),
        words=words,
        risk_size=sizes,
        risk_class=classes,
        hist_u=hist_u,
        hist_v=hist_v,
        hist_codes=np.sort(hist_u * n + hist_v),
    )


def _risk_arrays(schools: Sequence[School]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    codes = sorted({code for s in schools for code in s.risks})
    bit = {code: i for i, code in enumerate(codes)}
    width = max(1, -(-len(codes) // 64))
    words = np.zeros((len(schools), width), dtype=np.uint64)
    class_of: dict[frozenset[str], int] = {}
    classes = np.zeros(len(schools), dtype=np.int32)
    for i, school in enumerate(schools):
        for code in school.risks:
            words[i, bit[code] // 64] |= np.uint64(1) << np.uint64(bit[code] % 64)
        classes[i] = class_of.setdefault(school.risks, len(class_of))
    sizes = np.array([len(s.risks) for s in schools], dtype=np.int16)
    return words, sizes, classes


def _history_arrays(
    history: Iterable[HistoryPair], index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    history = list(history)
    unknown = {sid for h in history for sid in (h.reviewer, h.reviewed) if sid not in index}
    if unknown:
        raise ValueError(f"history names unknown schools: {sorted(unknown)[:5]}")
    pairs = {(index[h.reviewer], index[h.reviewed]) for h in history}
    pairs = sorted(p for p in pairs if p[0] != p[1])
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    arr = np.array(pairs, dtype=np.int64)
    return arr[:, 0].copy(), arr[:, 1].copy()
