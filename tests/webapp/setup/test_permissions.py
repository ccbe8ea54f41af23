"""The grant rules as plain facts (no database): written out by hand from docs/setup.md."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from webapp.setup.permissions import (
    Grant,
    can_assign_curator,
    can_grant,
    can_manage,
    can_set_up,
    curator_in_region,
    grantable_roles,
    region_ids,
)

R1, R2 = 1, 2  # regions
M1, M1B, M2 = 11, 12, 21  # municipalities: two in R1, one in R2
S1, S1B, S2 = 101, 102, 201  # schools in M1, M1B, M2
AREA = {S1: (R1, M1), S1B: (R1, M1B), S2: (R2, M2)}


@dataclass
class M:
    role: str
    region_id: int | None = None
    municipality_id: int | None = None
    school_id: int | None = None


@dataclass
class U:
    id: int
    memberships: list[M] = field(default_factory=list)
    active: bool = True

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)


def grant(role: str, *, region=None, municipality=None, school=None) -> Grant:
    in_region, in_municipality = region, municipality
    if school is not None:
        in_region, in_municipality = AREA[school]
    elif municipality is not None:
        in_region = R1 if municipality in (M1, M1B) else R2
    return Grant(role, region, municipality, school, in_region, in_municipality)


ADMIN = U(1, [M("admin")])
REG1 = U(2, [M("regional_coordinator", region_id=R1)])
MUN1 = U(3, [M("municipal_coordinator", municipality_id=M1)])
CURATOR = U(4, [M("curator", region_id=R1)])
SCHOOL = U(5, [M("school", school_id=S1)])
OBSERVER = U(6, [M("observer", region_id=R1)])
EXPERT = U(7, [M("expert", school_id=S1)])

# (actor, grant, allowed) — every row typed from the table in docs/setup.md.
CASES = [
    (ADMIN, grant("admin"), True),
    (ADMIN, grant("regional_coordinator", region=R2), True),
    (ADMIN, grant("school", school=S2), True),
    (REG1, grant("admin"), False),
    (REG1, grant("regional_coordinator", region=R1), True),
    (REG1, grant("regional_coordinator", region=R2), False),
    (REG1, grant("observer", region=R1), True),
    (REG1, grant("observer", region=R2), False),
    (REG1, grant("curator", region=R1), True),
    (REG1, grant("curator", region=R2), False),
    (REG1, grant("municipal_coordinator", municipality=M1B), True),
    (REG1, grant("municipal_coordinator", municipality=M2), False),
    (REG1, grant("school", school=S1B), True),
    (REG1, grant("school", school=S2), False),
    (REG1, grant("expert", school=S1), True),
    (MUN1, grant("admin"), False),
    (MUN1, grant("regional_coordinator", region=R1), False),
    (MUN1, grant("observer", region=R1), False),
    (MUN1, grant("curator", region=R1), False),
    (MUN1, grant("municipal_coordinator", municipality=M1), True),
    (MUN1, grant("municipal_coordinator", municipality=M1B), False),
    (MUN1, grant("school", school=S1), True),
    (MUN1, grant("school", school=S1B), False),
    (MUN1, grant("expert", school=S1), True),
    (MUN1, grant("expert", school=S2), False),
    (CURATOR, grant("school", school=S1), False),
    (SCHOOL, grant("school", school=S1), False),
    (OBSERVER, grant("observer", region=R1), False),
    (EXPERT, grant("expert", school=S1), False),
]


@pytest.mark.parametrize(("actor", "target", "allowed"), CASES)
def test_can_grant(actor, target, allowed):
    assert can_grant(actor, target) is allowed


def test_grant_without_area_is_refused_to_coordinators():
    assert not can_grant(REG1, Grant("school", school_id=999))
    assert not can_grant(MUN1, Grant("school", school_id=999))


def test_a_second_role_widens_the_reach():
    both = U(
        9, [M("municipal_coordinator", municipality_id=M1), M("regional_coordinator", region_id=R2)]
    )
    assert can_grant(both, grant("school", school=S1))
    assert can_grant(both, grant("school", school=S2))
    assert not can_grant(both, grant("school", school=S1B))


def test_grantable_roles():
    everything = [
        "admin",
        "regional_coordinator",
        "municipal_coordinator",
        "curator",
        "school",
        "expert",
        "observer",
    ]
    assert grantable_roles(ADMIN) == everything
    assert grantable_roles(REG1) == everything[1:]
    assert grantable_roles(MUN1) == ["municipal_coordinator", "school", "expert"]
    assert grantable_roles(CURATOR) == []
    assert grantable_roles(U(8, [M("curator", region_id=R1), M("admin")])) == everything
    both = U(
        9, [M("regional_coordinator", region_id=R2), M("municipal_coordinator", municipality_id=M1)]
    )
    assert grantable_roles(both) == everything[1:]  # the union, not the last role's


def test_can_manage():
    school_user = [grant("school", school=S1)]
    assert can_manage(REG1, 50, school_user)
    assert can_manage(MUN1, 50, school_user)
    mixed = [grant("school", school=S1), grant("school", school=S2)]
    assert not can_manage(REG1, 50, mixed)  # one role outside the region
    assert can_manage(ADMIN, 50, mixed)
    assert not can_manage(REG1, 50, [grant("admin")])
    assert not can_manage(ADMIN, ADMIN.id, [grant("admin")])  # never oneself
    assert not can_manage(REG1, REG1.id, [grant("regional_coordinator", region=R1)])
    assert can_manage(ADMIN, 50, []) and not can_manage(REG1, 50, [])
    assert not can_manage(CURATOR, 50, school_user)


@dataclass
class Place:
    region_id: int


@dataclass
class School:
    municipality: Place


def test_can_assign_curator():
    in_r1, in_r2 = School(Place(R1)), School(Place(R2))
    cur1 = U(20, [M("curator", region_id=R1)])
    cur2 = U(21, [M("curator", region_id=R2)])
    unscoped = U(22, [M("curator")])
    assert can_assign_curator(REG1, in_r1, cur1)
    assert not can_assign_curator(REG1, in_r2, cur1)
    assert not can_assign_curator(REG1, in_r1, cur2)
    assert not can_assign_curator(REG1, in_r1, unscoped)
    assert can_assign_curator(ADMIN, in_r2, unscoped)
    assert not can_assign_curator(MUN1, in_r1, cur1)
    assert not can_assign_curator(ADMIN, in_r1, SCHOOL)  # not a curator
    assert not can_assign_curator(ADMIN, in_r1, U(23, [M("curator", region_id=R1)], active=False))


def test_small_predicates():
    assert region_ids(ADMIN) is None
    assert region_ids(REG1) == {R1}
    assert region_ids(MUN1) == set()
    assert curator_in_region(U(20, [M("curator", region_id=R1)]), R1)
    assert not curator_in_region(U(20, [M("curator", region_id=R1)]), R2)
    assert not curator_in_region(U(20, [M("observer", region_id=R1)]), R1)
    assert [can_set_up(u) for u in (ADMIN, REG1, MUN1, CURATOR, SCHOOL, OBSERVER, EXPERT)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
