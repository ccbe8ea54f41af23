"""Checks on the engine's direct input (the CSV reader checks files with row numbers)."""

from __future__ import annotations

from workflows.assignment.crosscheck.model import VPR_GRADES, Expert, Options, Package, Scope

MAX_AMOUNT = 1_000_000


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"повторяется {what} {i}")
        seen.add(i)


def check_input(packages: list[Package], experts: list[Expert], options: Options) -> None:
    """Raise ValueError (in Russian) on input the engine cannot work with."""
    _unique([p.package_id for p in packages], "идентификатор пакета")
    _unique([e.expert_id for e in experts], "идентификатор эксперта")
    for p in packages:
        if p.grade not in VPR_GRADES:
            raise ValueError(f"пакет {p.package_id}: класс {p.grade} не участвует в ВПР")
        if not 0 <= p.works <= MAX_AMOUNT:
            raise ValueError(f"пакет {p.package_id}: недопустимое число работ {p.works}")
    for e in experts:
        if not 0 <= e.capacity <= MAX_AMOUNT:
            raise ValueError(f"эксперт {e.expert_id}: недопустимая нагрузка {e.capacity}")
    if not 0 <= options.second_check <= 1:
        raise ValueError("доля второй проверки должна быть от 0 до 1")
    Scope(options.scope)
