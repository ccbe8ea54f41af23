"""A realistic random region for tests and benchmarks (not real data).

Schools are rural (small, often without grades 10–11) or urban. ВПР subjects follow the grade:
grade 4 russian, math, surrounding world; 5 russian, math, history, biology; 6–8 russian and math
plus two by lot; 10–11 two by lot. Experts are about 4 % of pupils with typical subject profiles;
a few municipalities are short of teachers (2 %) and chemistry and foreign language teachers are
scarce everywhere, so some subjects and places are tight on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from webapp.crosscheck.csvio import EXPERT_COLUMNS, WORKS_COLUMNS
from webapp.tabular import write_csv
from workflows.assignment.crosscheck.model import Expert, Package

BY_LOT = {
    6: ("history", "biology", "geography", "social_studies"),
    7: ("history", "biology", "geography", "social_studies", "physics", "foreign_language"),
    8: ("history", "biology", "geography", "social_studies", "physics", "chemistry"),
    10: ("history", "social_studies", "geography", "physics", "chemistry", "biology"),
    11: ("history", "biology", "geography", "physics", "chemistry", "foreign_language"),
}
FIXED = {
    4: ("russian", "math", "surrounding_world"),
    5: ("russian", "math", "history", "biology"),
    6: ("russian", "math"),
    7: ("russian", "math"),
    8: ("russian", "math"),
    10: (),
    11: (),
}
# profile: (subjects, grades a teacher of that profile may check, weight)
PROFILES = (
    (("russian", "math", "surrounding_world"), (4,), 15.0),
    (("russian",), (5, 6, 7, 8, 10, 11), 17.0),
    (("math",), (5, 6, 7, 8, 10, 11), 14.0),
    (("math", "physics"), (7, 8, 10, 11), 3.0),
    (("physics",), (7, 8, 10, 11), 2.5),
    (("history", "social_studies"), (5, 6, 7, 8, 10, 11), 18.0),
    (("biology",), (5, 6, 7, 8, 10, 11), 9.0),
    (("biology", "chemistry"), (8, 10, 11), 1.5),
    (("chemistry",), (8, 10, 11), 2.0),
    (("geography",), (6, 7, 8, 10, 11), 6.0),
    (("biology", "geography"), (6, 7, 8, 10, 11), 2.0),
    (("foreign_language",), (7, 11), 2.4),
)


@dataclass(frozen=True)
class Size:
    """Shape of a generated instance."""

    schools: int
    municipalities: int


SIZES = {
    "district": Size(16, 1),
    "region": Size(1000, 36),
    "big": Size(3000, 60),
}


def _municipalities(rng: np.random.Generator, size: Size) -> np.ndarray:
    if size.municipalities == 1:
        return np.zeros(size.schools, dtype=np.int64)
    share = rng.dirichlet(np.full(size.municipalities, 3.0))
    share[0] += 0.12
    muni = rng.choice(size.municipalities, size=size.schools, p=share / share.sum())
    muni[: size.municipalities] = np.arange(size.municipalities)
    return np.sort(muni)


def _pupils(rng: np.random.Generator, urban: np.ndarray) -> np.ndarray:
    rural = np.clip(rng.lognormal(np.log(60), 0.55, len(urban)), 15, 300)
    town = rng.uniform(250, 900, len(urban))
    return np.where(urban, town, rural).astype(np.int64)


def _school_packages(rng, school: int, muni: int, pupils: int, senior: bool) -> list[tuple]:
    cohort = pupils / 11
    out = []
    for grade, fixed in FIXED.items():
        if grade >= 10 and not senior:
            continue
        subjects = list(fixed)
        if grade in BY_LOT:
            subjects += list(rng.choice(BY_LOT[grade], size=2, replace=False))
        for subject in subjects:
            works = max(1, round(cohort * rng.uniform(0.82, 0.97)))
            out.append((school, muni, str(subject), grade, works))
    return out


def _experts_of(rng, school: int, muni: int, pupils: int, rate: float) -> list[tuple]:
    count = max(1, round(rate * pupils + rng.uniform(-0.5, 0.5)))
    weights = np.array([w for *_, w in PROFILES])
    picks = rng.choice(len(PROFILES), size=count, p=weights / weights.sum())
    out = []
    for pick in picks.tolist():
        subjects, grades, _ = PROFILES[pick]
        span = grades if rng.random() < 0.6 else _span(rng, grades)
        out.append((school, muni, subjects, span, int(rng.integers(30, 91))))
    return out


def _span(rng: np.random.Generator, grades: tuple[int, ...]) -> tuple[int, ...]:
    if len(grades) <= 2:
        return grades
    length = int(rng.integers(2, len(grades)))
    first = int(rng.integers(0, len(grades) - length + 1))
    return grades[first : first + length]


def generate(size: Size, seed: int = 1) -> tuple[list[Package], list[Expert]]:
    """A random region of the given size; the same seed gives the same region."""
    rng = np.random.default_rng(seed)
    muni = _municipalities(rng, size)
    city = (muni == 0) & (size.municipalities > 1)
    urban = rng.random(size.schools) < np.where(city, 0.8, 0.12)
    pupils = _pupils(rng, urban)
    senior = urban | (rng.random(size.schools) < 0.55)
    short = set(rng.choice(size.municipalities, size=size.municipalities // 10, replace=False))
    rows, staff = [], []
    for s in range(size.schools):
        m = int(muni[s])
        rows += _school_packages(rng, s, m, int(pupils[s]), bool(senior[s]))
        rate = 0.02 if m in short else 0.04
        staff += _experts_of(rng, s, m, int(pupils[s]), rate)
    return _packages(rows), _experts(staff)


def _packages(rows: list[tuple]) -> list[Package]:
    return [
        Package(f"P{i + 1:07d}", f"S{s + 1:05d}", f"M{m + 1:03d}", subject, grade, works)
        for i, (s, m, subject, grade, works) in enumerate(rows)
    ]


def _experts(rows: list[tuple]) -> list[Expert]:
    return [
        Expert(
            f"E{i + 1:06d}",
            f"S{s + 1:05d}",
            f"M{m + 1:03d}",
            frozenset(subjects),
            frozenset(grades),
            cap,
        )
        for i, (s, m, subjects, grades, cap) in enumerate(rows)
    ]


def write_inputs(packages: list[Package], experts: list[Expert], out_dir: str | Path) -> list[Path]:
    """Write works.csv and experts.csv for the CLI and the benchmark."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    works = (
        (p.package_id, p.school_id, p.municipality_id, p.subject, p.grade, p.works)
        for p in packages
    )
    staff = (
        (
            e.expert_id,
            e.school_id,
            e.municipality_id,
            ";".join(sorted(e.subjects)),
            ";".join(str(g) for g in sorted(e.grades)),
            e.capacity,
        )
        for e in experts
    )
    return [
        write_csv(out / "works.csv", WORKS_COLUMNS, works),
        write_csv(out / "experts.csv", EXPERT_COLUMNS, staff),
    ]
