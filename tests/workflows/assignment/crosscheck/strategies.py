"""Hypothesis strategies: small random cross-check instances."""

from __future__ import annotations

from hypothesis import strategies as st

from workflows.assignment.crosscheck import Expert, Options, Package, Scope

SUBJECTS = ("math", "russian")
GRADES = (5, 6)


@st.composite
def instances(draw, max_packages: int = 6, max_experts: int = 6, max_works: int = 8):
    """(packages, experts) over 2–5 schools in 1–3 municipalities."""
    n_schools = draw(st.integers(2, 5))
    munis = [f"M{draw(st.integers(1, 3))}" for _ in range(n_schools)]
    school = st.integers(0, n_schools - 1)
    packages = []
    for i in range(draw(st.integers(1, max_packages))):
        s = draw(school)
        packages.append(
            Package(
                f"P{i}",
                f"S{s}",
                munis[s],
                draw(st.sampled_from(SUBJECTS)),
                draw(st.sampled_from(GRADES)),
                draw(st.integers(0, max_works)),
            )
        )
    experts = []
    for j in range(draw(st.integers(1, max_experts))):
        s = draw(school)
        subjects = draw(st.frozensets(st.sampled_from(SUBJECTS), min_size=1))
        grades = draw(st.frozensets(st.sampled_from(GRADES), min_size=1))
        experts.append(
            Expert(f"E{j}", f"S{s}", munis[s], subjects, grades, draw(st.integers(0, max_works)))
        )
    return packages, experts


@st.composite
def options(draw, no_reciprocal: bool | None = None, second: bool | None = None):
    """Rules: any scope, reciprocity and second-check share unless fixed."""
    scope = draw(st.sampled_from(list(Scope)))
    rec = draw(st.booleans()) if no_reciprocal is None else no_reciprocal
    share = 0.0 if second is False else draw(st.sampled_from((0.25, 0.5)))
    if second is None:
        share = draw(st.sampled_from((0.0, 0.25, 0.5)))
    return Options(scope=scope, no_reciprocal=rec, second_check=share)


def random_instance(seed: int, schools: int = 5, packages: int = 6, experts: int = 6):
    """A small random instance from a fixed seed (for deterministic gap measurements)."""
    import random

    rng = random.Random(seed)
    munis = [f"M{rng.randint(1, 3)}" for _ in range(schools)]
    pkgs = []
    for i in range(rng.randint(1, packages)):
        s = rng.randrange(schools)
        pkgs.append(
            Package(
                f"P{i}",
                f"S{s}",
                munis[s],
                rng.choice(SUBJECTS),
                rng.choice(GRADES),
                rng.randint(0, 8),
            )
        )
    staff = []
    for j in range(rng.randint(1, experts)):
        s = rng.randrange(schools)
        subjects = frozenset(rng.sample(SUBJECTS, rng.randint(1, 2)))
        grades = frozenset(rng.sample(GRADES, rng.randint(1, 2)))
        staff.append(Expert(f"E{j}", f"S{s}", munis[s], subjects, grades, rng.randint(0, 8)))
    return pkgs, staff
