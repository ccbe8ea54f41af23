"""Integer arrays of one instance: schools, municipalities, skills and the experts' leaves.

A *skill* is a (subject, grade) pair that some package needs. For every skill the schools that
have experts of that skill form the leaves of one segment tree, ordered by municipality, so a
municipality is one contiguous block of leaves and a school is one leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workflows.assignment.crosscheck.model import Expert, Package


@dataclass
class Index:
    """The instance as numpy arrays; row ``i`` of a ``p_*`` array is ``packages[i]``."""

    packages: list[Package]
    experts: list[Expert]
    schools: list[str]
    municipalities: list[str]
    subjects: list[str]
    skills: list[tuple[int, int]]
    p_school: np.ndarray
    p_muni: np.ndarray
    p_skill: np.ndarray
    p_subject: np.ndarray
    p_works: np.ndarray
    e_school: np.ndarray
    e_muni: np.ndarray
    e_cap: np.ndarray
    school_muni: np.ndarray
    skill_experts: list[np.ndarray]
    leaf_key: np.ndarray
    tree_start: np.ndarray
    leaf_expert_rank: np.ndarray
    leaf_expert: np.ndarray

    @property
    def n_skills(self) -> int:
        """Number of skills needed by some package."""
        return len(self.skills)

    @property
    def tree_size(self) -> np.ndarray:
        """Leaves per skill tree."""
        return np.diff(self.tree_start)

    def key(self, skill: np.ndarray, muni: np.ndarray, school: np.ndarray) -> np.ndarray:
        """Sort key of a leaf: skill, then municipality, then school."""
        s, m = len(self.schools), len(self.municipalities)
        return (skill.astype(np.int64) * m + muni) * s + school

    def position(self, skill: np.ndarray, school: np.ndarray) -> np.ndarray:
        """Leaf position of ``school`` in the tree of ``skill``, or -1."""
        muni = self.school_muni[school]
        keys = self.key(skill, muni, school)
        rank = np.searchsorted(self.leaf_key, keys)
        found = rank < len(self.leaf_key)
        found[found] = self.leaf_key[rank[found]] == keys[found]
        return np.where(found, rank - self.tree_start[skill], -1)

    def block(self, skill: np.ndarray, muni: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Leaf range [start, end) of municipality ``muni`` in the tree of ``skill``."""
        zero = np.zeros_like(muni)
        lo = np.searchsorted(self.leaf_key, self.key(skill, muni, zero))
        hi = np.searchsorted(self.leaf_key, self.key(skill, muni + 1, zero))
        start = self.tree_start[skill]
        return lo - start, hi - start


def _ids(values: list[str]) -> tuple[list[str], dict[str, int]]:
    names = sorted(set(values))
    return names, {name: i for i, name in enumerate(names)}


def _school_municipalities(packages: list[Package], experts: list[Expert]) -> dict[str, str]:
    seen: dict[str, str] = {}
    for row in [*packages, *experts]:
        known = seen.setdefault(row.school_id, row.municipality_id)
        if known != row.municipality_id:
            raise ValueError(
                f"школа {row.school_id} указана в двух муниципалитетах: "
                f"{known} и {row.municipality_id}"
            )
    return seen


def _expert_skills(
    experts: list[Expert], skill_of: dict[tuple[str, int], int]
) -> tuple[np.ndarray, np.ndarray]:
    rows, skills = [], []
    for i, expert in enumerate(experts):
        if expert.capacity <= 0:
            continue
        for subject in sorted(expert.subjects):
            for grade in sorted(expert.grades):
                k = skill_of.get((subject, grade))
                if k is not None:
                    rows.append(i)
                    skills.append(k)
    return np.array(rows, dtype=np.int64), np.array(skills, dtype=np.int64)


def build_index(packages: list[Package], experts: list[Expert]) -> Index:
    """Turn packages and experts into the arrays the solver works on."""
    school_muni = _school_municipalities(packages, experts)
    schools, school_of = _ids(list(school_muni))
    munis, muni_of = _ids(list(school_muni.values()))
    subjects, subject_of = _ids([p.subject for p in packages])
    skill_list = sorted({(subject_of[p.subject], p.grade) for p in packages})
    skill_of = {(subjects[s], g): k for k, (s, g) in enumerate(skill_list)}
    index = Index(
        packages=packages,
        experts=experts,
        schools=schools,
        municipalities=munis,
        subjects=subjects,
        skills=skill_list,
        p_school=np.array([school_of[p.school_id] for p in packages], dtype=np.int64),
        p_muni=np.array([muni_of[p.municipality_id] for p in packages], dtype=np.int64),
        p_skill=np.array([skill_of[(p.subject, p.grade)] for p in packages], dtype=np.int64),
        p_subject=np.array([subject_of[p.subject] for p in packages], dtype=np.int64),
        p_works=np.array([p.works for p in packages], dtype=np.int64),
        e_school=np.array([school_of[e.school_id] for e in experts], dtype=np.int64),
        e_muni=np.array([muni_of[e.municipality_id] for e in experts], dtype=np.int64),
        e_cap=np.array([e.capacity for e in experts], dtype=np.int64),
        school_muni=np.array([muni_of[school_muni[s]] for s in schools], dtype=np.int64),
        skill_experts=[],
        leaf_key=np.zeros(0, dtype=np.int64),
        tree_start=np.zeros(len(skill_list) + 1, dtype=np.int64),
        leaf_expert_rank=np.zeros(0, dtype=np.int64),
        leaf_expert=np.zeros(0, dtype=np.int64),
    )
    _add_leaves(index, *_expert_skills(experts, skill_of))
    return index


def _add_leaves(index: Index, rows: np.ndarray, skills: np.ndarray) -> None:
    keys = index.key(skills, index.e_muni[rows], index.e_school[rows])
    leaf_key = np.unique(keys)
    index.leaf_key = leaf_key
    per_skill = leaf_key // (len(index.schools) * len(index.municipalities))
    index.tree_start = np.searchsorted(per_skill, np.arange(index.n_skills + 1))
    index.leaf_expert_rank = np.searchsorted(leaf_key, keys)
    index.leaf_expert = rows
    order = np.argsort(skills, kind="stable")
    bounds = np.searchsorted(skills[order], np.arange(index.n_skills + 1))
    index.skill_experts = [rows[order[bounds[k] : bounds[k + 1]]] for k in range(index.n_skills)]
