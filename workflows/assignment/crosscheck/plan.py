"""The assignment being built: expert loads, pieces and which school checks which."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workflows.assignment.crosscheck.instance import Index
from workflows.assignment.crosscheck.model import Role


@dataclass(frozen=True, slots=True)
class Piece:
    """``works`` works of package row ``package`` go to expert row ``expert``."""

    package: int
    expert: int
    works: int
    role: Role
    greedy: bool


class Plan:
    """Loads and pieces, with the school-to-school checks the no-reciprocal rule needs."""

    def __init__(self, index: Index, caps: np.ndarray) -> None:
        self.index = index
        self.caps = caps.astype(np.int64)
        self.load = np.zeros(len(index.experts), dtype=np.int64)
        self.pieces: list[Piece] = []
        self.checks: dict[tuple[int, int], dict[int, int]] = {}
        self.checkers: dict[int, dict[int, int]] = {}
        self._placed = {role: np.zeros(len(index.packages), dtype=np.int64) for role in Role}
        self._e_school = index.e_school.tolist()
        self._p_school = index.p_school.tolist()
        self._p_subject = index.p_subject.tolist()

    def room(self) -> np.ndarray:
        """Works every expert can still take under the current limit."""
        return np.maximum(self.caps - self.load, 0)

    def placed(self, role: Role) -> np.ndarray:
        """Works placed per package in ``role``."""
        return self._placed[role].copy()

    def add(self, package: int, expert: int, works: int, role: Role, greedy: bool) -> None:
        """Give ``works`` works of ``package`` to ``expert``."""
        if works <= 0:
            return
        self.pieces.append(Piece(package, expert, works, role, greedy))
        self._count(self.pieces[-1], works)

    def remove(self, doomed: set[int]) -> None:
        """Drop the pieces at the given positions of :attr:`pieces`."""
        kept = []
        for i, piece in enumerate(self.pieces):
            if i in doomed:
                self._count(piece, -piece.works)
            else:
                kept.append(piece)
        self.pieces = kept

    def drop(self, rows) -> None:
        """Take out the pieces at ``rows`` but leave holes; call :meth:`compact` after."""
        for i in rows:
            piece = self.pieces[i]
            if piece is not None:
                self._count(piece, -piece.works)
                self.pieces[i] = None

    def compact(self) -> None:
        """Close the holes :meth:`drop` left."""
        self.pieces = [x for x in self.pieces if x is not None]

    def _count(self, piece: Piece, works: int) -> None:
        self.load[piece.expert] += works
        self._placed[piece.role][piece.package] += works
        checker, checked = self._e_school[piece.expert], self._p_school[piece.package]
        self._bump(self.checks, (checker, self._p_subject[piece.package]), checked, works)
        if piece.role == Role.PRIMARY:
            self._bump(self.checkers, piece.package, checker, works)

    @staticmethod
    def _bump(table: dict, row: object, key: int, works: int) -> None:
        counts = table.setdefault(row, {})
        counts[key] = counts.get(key, 0) + works
        if counts[key] <= 0:
            del counts[key]

    def checked_by(self, school: int, subject: int) -> list[int]:
        """Schools whose works in ``subject`` experts of ``school`` check."""
        return list(self.checks.get((school, subject), ()))

    def primary_schools(self, package: int) -> list[int]:
        """Schools of the experts doing the first check of ``package``."""
        return list(self.checkers.get(package, ()))

    def loosen(self) -> None:
        """Let repairs undo every piece placed so far."""
        self.pieces = [
            Piece(x.package, x.expert, x.works, x.role, greedy=True) for x in self.pieces
        ]

    def snapshot(self) -> list[Piece]:
        """The pieces as they are now."""
        return list(self.pieces)

    def restore(self, pieces: list[Piece]) -> None:
        """Go back to a snapshot."""
        self.load[:] = 0
        self.checks.clear()
        self.checkers.clear()
        for placed in self._placed.values():
            placed[:] = 0
        self.pieces = []
        for piece in pieces:
            self.pieces.append(piece)
            self._count(piece, piece.works)
