"""A complete pairing (every school gives k and receives k) as index arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Pairing:
    """Arcs reviewer[i] -> reviewed[i] plus per-school views kept in sync."""

    reviewer: np.ndarray
    reviewed: np.ndarray
    revs: np.ndarray  # (n, k): reviewers of each school
    outs: np.ndarray  # (n, k): schools each school reviews

    @classmethod
    def from_arcs(cls, n: int, k: int, reviewer: np.ndarray, reviewed: np.ndarray) -> Pairing:
        """Build from arcs in which every school appears k times on each side."""
        reviewer = reviewer.astype(np.int64)
        reviewed = reviewed.astype(np.int64)
        revs = reviewer[np.argsort(reviewed, kind="stable")].reshape(n, k)
        outs = reviewed[np.argsort(reviewer, kind="stable")].reshape(n, k)
        return cls(reviewer, reviewed, revs, outs)

    def codes(self, n: int) -> np.ndarray:
        """Arc codes reviewer * n + reviewed."""
        return self.reviewer * n + self.reviewed

    def reciprocal(self, n: int) -> np.ndarray:
        """Indices of arcs whose reverse arc is also chosen."""
        return np.flatnonzero(np.isin(self.reviewed * n + self.reviewer, self.codes(n)))

    def swap(self, i: int, j: int) -> None:
        """Turn arcs a->b (i) and c->d (j) into a->d and c->b."""
        a, b = self.reviewer[i], self.reviewed[i]
        c, d = self.reviewer[j], self.reviewed[j]
        self.reviewed[i], self.reviewed[j] = d, b
        _replace(self.revs[b], a, c)
        _replace(self.revs[d], c, a)
        _replace(self.outs[a], b, d)
        _replace(self.outs[c], d, b)


def _replace(row: np.ndarray, old: int, new: int) -> None:
    row[np.flatnonzero(row == old)[0]] = new
