"""Independent checker of pairing outputs: plain csv and fractions, no engine imports."""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path


@dataclass
class Problem:
    """Schools by id (region, settlement, pupils, risks), history pairs and the rules."""

    schools: dict[str, dict]
    history: set[tuple[str, str]] = field(default_factory=set)  # (reviewer, reviewed)
    k: int = 2
    no_reciprocal: bool = False


def load_problem(schools_csv: Path, history_csv: Path | None, k: int, no_reciprocal: bool):
    """Read the input CSV files with the csv module only."""
    schools = {}
    with open(schools_csv, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            schools[row["school_id"].strip()] = {
                "region": row["region_id"].strip(),
                "settlement": row["settlement"].strip().lower(),
                "pupils": int(row["pupils"]),
                "risks": {c.strip() for c in row["risks"].split(";") if c.strip()},
            }
    history = set()
    if history_csv:
        with open(history_csv, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                history.add((row["reviewer_school_id"].strip(), row["reviewed_school_id"].strip()))
    return Problem(schools, history, k, no_reciprocal)


def load_reviews(path: Path) -> list[tuple[str, str]]:
    """(reviewed, reviewer) rows of reviews.csv."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["reviewed_school_id", "reviewer_school_id"]
        return [(r["reviewed_school_id"], r["reviewer_school_id"]) for r in reader]


def load_alternates(path: Path) -> dict[str, list[tuple[int, str]]]:
    """reviewed -> [(rank, reviewer)] rows of alternates.csv, in file order."""
    result: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["reviewed_school_id", "rank", "reviewer_school_id"]
        for r in reader:
            result[r["reviewed_school_id"]].append((int(r["rank"]), r["reviewer_school_id"]))
    return dict(result)


def jaccard(a: set[str], b: set[str]) -> Fraction:
    """Jaccard similarity as an exact fraction."""
    return Fraction(len(a & b), len(a | b))


def similarity(problem: Problem, reviewer: str, reviewed: str) -> Fraction:
    """Risk-set Jaccard of two schools."""
    return jaccard(problem.schools[reviewer]["risks"], problem.schools[reviewed]["risks"])


def same_settlement(problem: Problem, a: str, b: str) -> bool:
    """True if both schools are urban or both rural."""
    return problem.schools[a]["settlement"] == problem.schools[b]["settlement"]


def total_similarity(problem: Problem, reviews) -> Fraction:
    """Sum of Jaccard over all (reviewed, reviewer) pairs."""
    return sum((similarity(problem, r, v) for v, r in reviews), Fraction(0))


def settlement_matches(problem: Problem, reviews) -> int:
    """Number of pairs with the same settlement type."""
    return sum(same_settlement(problem, v, r) for v, r in reviews)


def check_reviews(problem: Problem, reviews: list[tuple[str, str]]) -> list[str]:
    """Every violated hard rule, as text; empty when the pairing is valid."""
    errors = []
    region = {sid: s["region"] for sid, s in problem.schools.items()}
    pairs = set()
    for v, r in reviews:
        if v not in region or r not in region:
            errors.append(f"unknown school in {(v, r)}")
            continue
        if (v, r) in pairs:
            errors.append(f"duplicate pair {(v, r)}")
        pairs.add((v, r))
        if region[v] == region[r]:
            errors.append(f"same region {(v, r)}")
        if (r, v) in problem.history:
            errors.append(f"history pair {r}->{v}")
    gives, gets = Counter(r for _, r in reviews), Counter(v for v, _ in reviews)
    for sid in region:
        if gives[sid] != problem.k or gets[sid] != problem.k:
            errors.append(f"{sid} gives {gives[sid]}, gets {gets[sid]}, k={problem.k}")
    by_reviewed = defaultdict(list)
    for v, r in pairs:
        by_reviewed[v].append(region.get(r))
    for v, regions in by_reviewed.items():
        if len(set(regions)) != len(regions):
            errors.append(f"{v} has two reviewers from one region: {sorted(regions)}")
    if problem.no_reciprocal:
        errors += [f"reciprocal {v}<->{r}" for v, r in pairs if (r, v) in pairs and v < r]
    return errors


class _Current:
    """The current pairing, indexed for the replacement rule."""

    def __init__(self, problem: Problem, reviews) -> None:
        self.region = {sid: s["region"] for sid, s in problem.schools.items()}
        self.pairs = set(reviews)
        self.reviewers = defaultdict(list)
        for v, r in reviews:
            self.reviewers[v].append(r)
        self.loads = Counter(r for _, r in reviews)


def replacement_ok(problem, reviews, reviewed: str, candidate: str, freed: str | None, cur=None):
    """Whether ``candidate`` may take over a review of ``reviewed``.

    ``freed`` is the replaced reviewer, whose region is released; with ``freed=None`` the
    candidate must suit whichever current reviewer is replaced (the alternates.csv rule).
    """
    cur = cur or _Current(problem, reviews)
    region = cur.region
    current = cur.reviewers[reviewed]
    staying = [r for r in current if r != freed]
    return (
        candidate != reviewed
        and candidate != freed
        and candidate not in current
        and region[candidate] != region[reviewed]
        and region[candidate] not in {region[r] for r in staying}
        and (candidate, reviewed) not in problem.history
        and not (problem.no_reciprocal and (candidate, reviewed) in cur.pairs)  # v reviews c
        and cur.loads[candidate] <= problem.k
    )


def check_alternates(problem, reviews, alternates, count: int, sample=None, seed=0) -> list[str]:
    """Every problem with alternates.csv: validity, completeness and best-first order.

    Validity and order are checked for every school; completeness and "the first is the best
    available" scan all schools, so with ``sample`` they are checked on that many schools only.
    """
    cur = _Current(problem, reviews)
    ids = list(problem.schools)
    full = set(ids if sample is None else random.Random(seed).sample(ids, min(sample, len(ids))))
    errors = []
    for v in ids:
        rows = alternates.get(v, [])
        if [rank for rank, _ in rows] != list(range(1, len(rows) + 1)):
            errors.append(f"{v}: ranks are not 1..{len(rows)}")
        listed = [c for _, c in rows]
        errors += _check_list(problem, cur, v, listed, count, v in full)
    return errors


def _check_list(problem, cur, v: str, listed: list[str], count: int, full: bool) -> list[str]:
    def ok(c):
        return replacement_ok(problem, None, v, c, None, cur)

    def key(c):
        return similarity(problem, c, v), same_settlement(problem, c, v)

    errors = [f"{v}: invalid alternate {c}" for c in listed if not ok(c)]
    if len(set(listed)) != len(listed):
        errors.append(f"{v}: repeated alternate")
    keys = [key(c) for c in listed]
    if keys != sorted(keys, reverse=True):
        errors.append(f"{v}: alternates not best first")
    if not full:
        return errors
    valid = [c for c in problem.schools if ok(c)]
    if len(listed) != min(count, len(valid)):
        errors.append(f"{v}: {len(listed)} alternates, expected {min(count, len(valid))}")
    if valid and listed and keys[0] != max(key(c) for c in valid):
        errors.append(f"{v}: first alternate is not the best available")
    return errors
