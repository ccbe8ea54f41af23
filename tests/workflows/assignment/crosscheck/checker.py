"""An independent checker of cross-check results: every rule, from the raw rows only.

It reads packages, experts and options through their public attributes and never imports the
engine, so a bug in the engine cannot hide in a shared helper.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from fractions import Fraction

CYRILLIC = re.compile("[А-Яа-яЁё]")


def second_need(share: float, works: int) -> int:
    """Works of a package that need a second check: ceil(share × works)."""
    return math.ceil(Fraction(str(share)) * works)


def _scope_ok(scope: str, package, expert) -> bool:
    same = package.municipality_id == expert.municipality_id
    return {"any": True, "same-municipality": same, "other-municipality": not same}[str(scope)]


def eligible(package, expert, scope: str) -> bool:
    return (
        expert.school_id != package.school_id
        and package.subject in expert.subjects
        and package.grade in expert.grades
        and _scope_ok(scope, package, expert)
    )


def _rows(result, packages: dict, experts: dict, errors: list[str]) -> list:
    good = []
    for a in result.assignments:
        if a.package_id not in packages or a.expert_id not in experts:
            errors.append(f"unknown package or expert in {a}")
        elif a.works <= 0 or str(a.role) not in {"primary", "second"}:
            errors.append(f"bad works or role in {a}")
        else:
            good.append(a)
    return good


def _pair_rules(rows: list, packages: dict, experts: dict, options, errors: list[str]) -> None:
    for a in rows:
        package, expert = packages[a.package_id], experts[a.expert_id]
        if not eligible(package, expert, options.scope):
            errors.append(f"expert not allowed for the package: {a}")


def _capacity(rows: list, experts: dict, errors: list[str]) -> dict[str, int]:
    load: dict[str, int] = defaultdict(int)
    for a in rows:
        load[a.expert_id] += a.works
    for expert_id, works in load.items():
        if works > experts[expert_id].capacity:
            errors.append(f"expert {expert_id} over capacity: {works}")
    return load


def _amounts(rows: list, role: str) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for a in rows:
        if str(a.role) == role:
            out[a.package_id] += a.works
    return out


def _third_school(rows: list, packages: dict, experts: dict, errors: list[str]) -> None:
    first: dict[str, set[str]] = defaultdict(set)
    for a in rows:
        if str(a.role) == "primary":
            first[a.package_id].add(experts[a.expert_id].school_id)
    for a in rows:
        school = experts[a.expert_id].school_id
        if str(a.role) == "second" and school in first[a.package_id]:
            errors.append(f"second check by a school that did the first check: {a}")


def directions(rows: list, packages: dict, experts: dict) -> set[tuple[str, str, str]]:
    """(checker school, checked school, subject) for every assignment."""
    return {
        (
            experts[a.expert_id].school_id,
            packages[a.package_id].school_id,
            packages[a.package_id].subject,
        )
        for a in rows
    }


def reciprocal_pairs(rows: list, packages: dict, experts: dict) -> int:
    """School pairs that check each other in the same subject."""
    seen = directions(rows, packages, experts)
    return sum(1 for a, b, s in seen if a < b and (b, a, s) in seen)


def _demand(packages: dict, options) -> dict[str, dict[str, int]]:
    demand = {"primary": {p: x.works for p, x in packages.items()}}
    if options.second_check > 0:
        demand["second"] = {
            p: second_need(options.second_check, x.works) for p, x in packages.items()
        }
    return demand


def _balance(result, rows: list, packages: dict, options, errors: list[str]) -> None:
    """Assigned plus unassigned equals the demand of every package and role."""
    missing: dict[tuple[str, str], int] = defaultdict(int)
    for u in result.unassigned:
        if u.works <= 0 or not CYRILLIC.search(u.reason):
            errors.append(f"bad unassigned row {u}")
        missing[(u.package_id, str(u.role))] += u.works
    for role, wanted in _demand(packages, options).items():
        placed = _amounts(rows, role)
        for p, need in wanted.items():
            if placed.get(p, 0) + missing.get((p, role), 0) != need:
                errors.append(
                    f"{role} of {p}: placed {placed.get(p, 0)}, unplaced "
                    f"{missing.get((p, role), 0)}, needed {need}"
                )
    if "second" in _demand(packages, options):
        first, second = _amounts(rows, "primary"), _amounts(rows, "second")
        for p, works in second.items():
            if works > first.get(p, 0):
                errors.append(f"second check of {p} larger than its first check")


def max_ratio(load: dict[str, int], experts: dict) -> Fraction:
    """Largest load ÷ capacity."""
    ratios = [Fraction(load.get(e, 0), x.capacity) for e, x in experts.items() if x.capacity > 0]
    return max(ratios, default=Fraction(0))


def _summary(result, rows: list, load: dict, packages: dict, experts: dict, errors: list) -> None:
    s = result.summary
    worst = max_ratio(load, experts)
    if Fraction(s["load"]["max_ratio_exact"]) != worst:
        errors.append(f"summary max ratio {s['load']['max_ratio_exact']} != {worst}")
    if Fraction(s["load"]["lower_bound_exact"]) > worst:
        errors.append("lower bound above the achieved ratio")
    if s["reciprocal_school_pairs"] != reciprocal_pairs(rows, packages, experts):
        errors.append("summary reciprocal pairs wrong")
    placed = sum(a.works for a in rows if str(a.role) == "primary")
    if s["totals"]["primary"]["assigned"] != placed:
        errors.append("summary primary total wrong")


def check(result, packages: list, experts: list, options) -> list[str]:
    """Every violated rule, as readable strings; empty when the result is valid."""
    by_package = {p.package_id: p for p in packages}
    by_expert = {e.expert_id: e for e in experts}
    errors: list[str] = []
    rows = _rows(result, by_package, by_expert, errors)
    _pair_rules(rows, by_package, by_expert, options, errors)
    load = _capacity(rows, by_expert, errors)
    _third_school(rows, by_package, by_expert, errors)
    if options.no_reciprocal and reciprocal_pairs(rows, by_package, by_expert):
        errors.append("reciprocal school pairs under no-reciprocal")
    _balance(result, rows, by_package, options, errors)
    _summary(result, rows, load, by_package, by_expert, errors)
    return errors


def check_rules(result, packages: list, experts: list, options) -> list[str]:
    """The hard rules only (no unassigned rows or summary): for answers of other models."""
    by_package = {p.package_id: p for p in packages}
    by_expert = {e.expert_id: e for e in experts}
    errors: list[str] = []
    rows = _rows(result, by_package, by_expert, errors)
    _pair_rules(rows, by_package, by_expert, options, errors)
    _capacity(rows, by_expert, errors)
    _third_school(rows, by_package, by_expert, errors)
    if options.no_reciprocal and reciprocal_pairs(rows, by_package, by_expert):
        errors.append("reciprocal school pairs under no-reciprocal")
    first, second = _amounts(rows, "primary"), _amounts(rows, "second")
    for p, works in first.items():
        if works > by_package[p].works:
            errors.append(f"first check of {p} above its works")
    for p, works in second.items():
        need = second_need(options.second_check, by_package[p].works)
        if works > first.get(p, 0) or works > need:
            errors.append(f"second check of {p} above its first check or its need")
    return errors
