"""Why a package part stayed unplaced, in words a coordinator understands (Russian)."""

from __future__ import annotations

import numpy as np

from workflows.assignment.crosscheck.greedy import Candidates, Rules
from workflows.assignment.crosscheck.model import Role, Scope
from workflows.assignment.crosscheck.plan import Plan

SCOPE_WORDS = {
    Scope.ANY: "",
    Scope.SAME_MUNICIPALITY: " того же муниципалитета",
    Scope.OTHER_MUNICIPALITY: " других муниципалитетов",
}
NO_FIRST_CHECK = "Эти работы не получили первую проверку, поэтому вторую назначить нельзя."
RECIPROCAL = (
    "Свободные подходящие эксперты есть только в школах, чьи работы по этому предмету "
    "проверяет сама эта школа: мешает запрет взаимной проверки."
)
NOT_PLACED = (
    "Не удалось разместить при одновременном соблюдении всех правил "
    "(в том числе запрета взаимной проверки)."
)


def _no_expert(plan: Plan, rules: Rules, package: int, role: Role) -> str:
    ix = plan.index
    subject, grade = ix.skills[int(ix.p_skill[package])]
    where = SCOPE_WORDS[rules.scope]
    head = f"Нет экспертов по предмету «{ix.subjects[subject]}», {grade} класс"
    if role == Role.PRIMARY:
        return f"{head}, из других школ{where}."
    return f"{head}, из третьей школы{where} (не своей и не проводившей первую проверку)."


def _full(plan: Plan, experts: np.ndarray) -> str:
    cap = int(plan.index.e_cap[experts].sum())
    return (
        f"Нагрузка всех подходящих экспертов исчерпана: {len(experts)} эксп. "
        f"с общей нагрузкой {cap} работ уже заняты полностью."
    )


def eligible(plan: Plan, cands: Candidates, rules: Rules, package: int, role: Role) -> np.ndarray:
    """Experts allowed for ``package`` in ``role`` by school, subject, grade and scope."""
    ix = plan.index
    groups = cands.groups(int(ix.p_skill[package]), int(ix.p_muni[package]), rules.scope)
    experts = np.concatenate(list(groups))
    bar = [int(ix.p_school[package])]
    if role == Role.SECOND:
        bar += plan.primary_schools(package)
    return experts[~np.isin(ix.e_school[experts], bar)]


def reason(plan: Plan, cands: Candidates, rules: Rules, package: int, role: Role) -> str:
    """The reason ``package`` has works left unplaced in ``role``."""
    ix = plan.index
    experts = eligible(plan, cands, rules, package, role)
    if not len(experts):
        return _no_expert(plan, rules, package, role)
    spare = experts[plan.load[experts] < ix.e_cap[experts]]
    if not len(spare):
        return _full(plan, experts)
    school, subject = int(ix.p_school[package]), int(ix.p_subject[package])
    blocked = set(plan.checked_by(school, subject)) | rules.oriented.get((school, subject), set())
    if rules.no_reciprocal and set(ix.e_school[spare].tolist()) <= blocked:
        return RECIPROCAL
    return NOT_PLACED
