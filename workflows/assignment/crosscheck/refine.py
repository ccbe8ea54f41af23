"""What the answer proves, and the exact CP-SAT stage for small unproven answers."""

from __future__ import annotations

from fractions import Fraction

from workflows.assignment.crosscheck.cpsat import refine
from workflows.assignment.crosscheck.greedy import Rules
from workflows.assignment.crosscheck.instance import Index
from workflows.assignment.crosscheck.model import Options, Role
from workflows.assignment.crosscheck.plan import Plan
from workflows.assignment.crosscheck.relax import Bounds, lower_ratio, second_demand, second_upper
from workflows.assignment.crosscheck.stats import Proof, max_ratio


def counts(plan: Plan) -> tuple[int, int]:
    """First and second checks placed."""
    return int(plan.placed(Role.PRIMARY).sum()), int(plan.placed(Role.SECOND).sum())


def proof_for(bounds: Bounds, index: Index, options: Options, plan: Plan) -> Proof:
    """The bounds the relaxations give for this plan."""
    primary, second = counts(plan)
    upper = second_upper(bounds, index, options, primary)
    return Proof(bounds.first_max, upper, lower_ratio(bounds, primary, second))


def is_proven(proof: Proof, plan: Plan) -> bool:
    """Counts at their maxima and the largest ratio at its lower bound."""
    primary, second = counts(plan)
    top = (proof.primary_max, proof.second_max or 0)
    return (primary, second) == top and max_ratio(plan) <= proof.ratio


def exact_stage(
    index: Index, rules: Rules, options: Options, bounds: Bounds, plan: Plan
) -> tuple[Plan, Proof]:
    """Replace an unproven answer by CP-SAT's when the instance is small enough."""
    proof = proof_for(bounds, index, options, plan)
    if is_proven(proof, plan) or not (options.no_reciprocal or options.second_check > 0):
        return plan, proof
    need2 = None
    if options.second_check > 0:
        need2 = second_demand(options.second_check, index.p_works, index.p_works)
    pieces = [(x.package, x.expert, x.works, x.role) for x in plan.pieces]
    answer = refine(index, rules, need2, pieces, lambda p, s: lower_ratio(bounds, p, s))
    if answer is None:
        return plan, proof
    exact = Plan(index, index.e_cap)
    for p, e, works, role in answer.pieces:
        exact.add(p, e, works, role, greedy=False)
    if (*counts(exact), -max_ratio(exact)) < (*counts(plan), -max_ratio(plan)):
        return plan, proof
    primary, second = counts(exact)
    top = (primary, second if need2 is not None else None)
    if not answer.counts_proven:
        top = (proof.primary_max, second_upper(bounds, index, options, primary))
    ratio = max(Fraction(answer.bound), proof.ratio)
    return exact, Proof(top[0], top[1], ratio, "flow+cp-sat")
