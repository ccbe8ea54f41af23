"""Import of users and their scoped roles: validate every row first, then write."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select

from webapp.auth.models import ROLE_LABELS, Membership, RoleCode, User
from webapp.extensions import db
from webapp.orgs.importer import Cells, iter_codes, parse_email
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.orgs.services import in_chunks, municipalities_by_key, name_key, schools_by_code
from webapp.tabular import Table, TabularError, TabularRejected, by_row

R = RoleCode
PASSWORD_LENGTH = 12
PASSWORD_LIMITS = (8, 128)
_ROLES = {
    **{role.value: role for role in RoleCode},
    **{label.casefold(): role for role, label in ROLE_LABELS.items()},
}
_SCOPE_COLUMNS = ("region_code", "municipality", "school_code")
_NEEDS: dict[RoleCode, tuple[str, ...]] = {
    R.ADMIN: (),
    R.CURATOR: (),
    R.REGIONAL_COORDINATOR: ("region_code",),
    R.OBSERVER: ("region_code",),
    R.MUNICIPAL_COORDINATOR: ("region_code", "municipality"),
    R.SCHOOL: ("school_code",),
    R.EXPERT: ("school_code",),
}
# school and expert rows may repeat the school's region and municipality; they are checked
_ALLOWED = {role: set(needs) for role, needs in _NEEDS.items()}
_ALLOWED[R.SCHOOL] = _ALLOWED[R.EXPERT] = set(_SCOPE_COLUMNS)
_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")

Scope = tuple[int | None, int | None, int | None]  # region_id, municipality_id, school_id
Fail = Callable[[str, str], None]  # (column, message)


@dataclass
class UserRow:
    """One validated row of the users file."""

    number: int
    email: str | None
    full_name: str
    role: RoleCode | None
    region_code: str
    municipality: str
    school_code: str
    password: str
    curator_codes: list[str]
    scope: Scope = (None, None, None)
    curated: list[School] = field(default_factory=list)


@dataclass
class UserSummary:
    """What a users import created and changed, and the passwords it generated."""

    users_created: int = 0
    users_updated: int = 0
    users_unchanged: int = 0
    memberships_added: int = 0
    curator_links_added: int = 0
    generated: list[tuple[str, str, str]] = field(default_factory=list)  # email, name, password


def import_users(table: Table) -> UserSummary:
    """Validate every row, then create users and add missing roles; flushes only."""
    problems: list[TabularError] = []
    rows = [_user_row(Cells(row, problems)) for row in table.rows]
    _resolve_scopes(rows, problems)
    existing = users_by_email(row.email for row in rows if row.email)
    _check_user_rows(rows, existing, problems)
    if problems:
        raise TabularRejected(sorted(problems, key=by_row))
    summary = UserSummary()
    groups: dict[str, list[UserRow]] = {}
    for row in rows:
        groups.setdefault(str(row.email), []).append(row)
    users: dict[str, User] = {}
    changed: set[str] = set()
    for email, group in groups.items():
        users[email], touched = _upsert_user(group, existing.get(email), summary)
        changed.update([email] if touched else [])
    db.session.flush()
    changed |= _link_curators(groups, users, summary)
    summary.users_updated = len(changed & existing.keys())
    summary.users_unchanged = len(existing) - summary.users_updated
    db.session.flush()
    return summary


def users_by_email(emails: Iterable[str]) -> dict[str, User]:
    """Existing users keyed by lower-cased e-mail."""
    found: dict[str, User] = {}
    for chunk in in_chunks(sorted(set(emails))):
        stmt = select(User).where(func.lower(User.email).in_(chunk))
        found.update((u.email.lower(), u) for u in db.session.scalars(stmt))
    return found


def parse_role(raw: str) -> RoleCode | None:
    """A role code or its Russian label, in any case."""
    return _ROLES.get(" ".join(raw.split()).casefold())


def generate_password() -> str:
    """A random password of PASSWORD_LENGTH letters and digits (no look-alikes)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def _user_row(cells: Cells) -> UserRow:
    """Parse one users row and check which scope columns its role needs; problems to ``cells``."""
    row = UserRow(
        number=cells.row.number,
        email=cells.parsed("email", parse_email, _BAD_EMAIL),
        full_name=cells.text("full_name", 200),
        role=cells.parsed("role", parse_role, _BAD_ROLE, roles=_ROLE_CODES),
        region_code=cells.text("region_code", 16),
        municipality=cells.text("municipality", 200),
        school_code=cells.text("school_code", 32),
        password=cells.row.cells.get("password", ""),
        curator_codes=list(iter_codes(cells.row.cells.get("curator_schools", ""))),
    )
    if row.password and not PASSWORD_LIMITS[0] <= len(row.password) <= PASSWORD_LIMITS[1]:
        least, most = PASSWORD_LIMITS
        message = gettext(
            "пароль должен быть длиной от %(least)s до %(most)s символов", least=least, most=most
        )
        cells.fail("password", message)
    if row.role is not None:
        _check_role_columns(cells, row, row.role)
    return row


_BAD_EMAIL = lazy_gettext("некорректный адрес электронной почты «%(value)s»")
_BAD_ROLE = lazy_gettext("неизвестная роль «%(value)s» (допустимы: %(roles)s)")
_ROLE_CODES = ", ".join(r.value for r in RoleCode)


def _check_role_columns(cells: Cells, row: UserRow, role: RoleCode) -> None:
    """Scope columns the role needs must be filled; ones it does not use must be empty."""
    label = {"role": gettext(ROLE_LABELS[role]), "code": role.value}
    for column in _SCOPE_COLUMNS:
        filled = bool(getattr(row, column))
        if column in _NEEDS[role] and not filled:
            cells.fail(column, gettext("обязательно для роли «%(role)s» (%(code)s)", **label))
        elif column not in _ALLOWED[role] and filled:
            cells.fail(column, gettext("не заполняется для роли «%(role)s» (%(code)s)", **label))
    if row.curator_codes and role != R.CURATOR:
        message = gettext(
            "заполняется только для роли куратора, а не «%(role)s» (%(code)s)", **label
        )
        cells.fail("curator_schools", message)


def _resolve_scopes(rows: list[UserRow], problems: list[TabularError]) -> None:
    """Find each row's region, municipality and schools in the database."""
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    municipalities = municipalities_by_key()
    codes = [row.school_code for row in rows] + [c for row in rows for c in row.curator_codes]
    schools = schools_by_code(code for code in codes if code)
    for row in rows:
        fail = _row_failer(row, problems)
        if row.role in (R.SCHOOL, R.EXPERT):
            _resolve_school(row, regions, schools, fail)
        elif row.role is not None:
            _resolve_area(row, regions, municipalities, fail)
        row.curated = [schools[c] for c in row.curator_codes if c in schools]
        for code in row.curator_codes:
            if code not in schools:
                fail("curator_schools", _no_school(code))


def _row_failer(row: UserRow, problems: list[TabularError]) -> Fail:
    """A function recording a problem in a column of ``row``."""
    return lambda column, message: problems.append(TabularError(row.number, column, message))


def _resolve_area(
    row: UserRow,
    regions: dict[str, Region],
    municipalities: dict[tuple[str, str], Municipality],
    fail: Fail,
) -> None:
    """Region (and municipality) scope of coordinators and observers."""
    if not row.region_code:
        return
    region = regions.get(row.region_code)
    if region is None:
        fail("region_code", _no_region(row.region_code))
        return
    row.scope = (region.id, None, None)
    if row.role == R.MUNICIPAL_COORDINATOR and row.municipality:
        municipality = municipalities.get((row.region_code, name_key(row.municipality)))
        if municipality is None:
            message = gettext(
                "в регионе «%(region)s» нет муниципалитета «%(municipality)s»",
                region=row.region_code,
                municipality=row.municipality,
            )
            fail("municipality", message)
            return
        row.scope = (None, municipality.id, None)


def _resolve_school(
    row: UserRow, regions: dict[str, Region], schools: dict[str, School], fail: Fail
) -> None:
    """School scope of school staff and experts; a given region/municipality must match it."""
    if not row.school_code:
        return
    school = schools.get(row.school_code)
    if school is None:
        fail("school_code", _no_school(row.school_code))
        return
    row.scope = (None, None, school.id)
    region = regions.get(row.region_code)
    if row.region_code and region is None:
        fail("region_code", _no_region(row.region_code))
    elif region is not None and region.id != school.municipality.region_id:
        message = gettext(
            "школа «%(school)s» не относится к региону «%(region)s»",
            school=row.school_code,
            region=row.region_code,
        )
        fail("region_code", message)
    if row.municipality and name_key(row.municipality) != name_key(school.municipality.name):
        message = gettext(
            "школа «%(school)s» относится к муниципалитету «%(municipality)s»",
            school=row.school_code,
            municipality=school.municipality.name,
        )
        fail("municipality", message)


def _no_school(code: str) -> str:
    return gettext("школа с кодом «%(code)s» не найдена", code=code)


def _no_region(code: str) -> str:
    return gettext("регион с кодом «%(code)s» не найден", code=code)


def _check_user_rows(
    rows: list[UserRow], existing: dict[str, User], problems: list[TabularError]
) -> None:
    """No e-mail+role twice; one name and one password per person; new people need a name."""
    roles: dict[tuple[str, RoleCode], int] = {}
    firsts: dict[tuple[str, str], UserRow] = {}
    for row in rows:
        if row.email is None:
            continue
        if (
            row.role is not None
            and roles.setdefault((row.email, row.role), row.number) != row.number
        ):
            message = gettext(
                "%(email)s с ролью %(role)s уже указан в строке %(first)s",
                email=row.email,
                role=row.role.value,
                first=roles[row.email, row.role],
            )
            problems.append(TabularError(row.number, "role", message))
        _check_same(row, "full_name", firsts, problems)
        _check_same(row, "password", firsts, problems)
    for row in rows:
        if row.email and row.email not in existing and (row.email, "full_name") not in firsts:
            message = gettext("значение не заполнено (новый пользователь)")
            problems.append(TabularError(row.number, "full_name", message))


def _check_same(
    row: UserRow, column: str, firsts: dict[tuple[str, str], UserRow], problems: list[TabularError]
) -> None:
    """A person's name or password, where given on several rows, is the same on all of them."""
    if not getattr(row, column):
        return
    first = firsts.setdefault((str(row.email), column), row)
    if getattr(first, column) != getattr(row, column):
        message = gettext(
            "для %(email)s в строке %(first)s указано другое значение",
            email=row.email,
            first=first.number,
        )
        problems.append(TabularError(row.number, column, message))


def _upsert_user(
    group: list[UserRow], user: User | None, summary: UserSummary
) -> tuple[User, bool]:
    """Create the user or set a given new password, then add the roles it lacks."""
    password = next((row.password for row in group if row.password), "")
    changed = False
    if user is None:
        user = _create_user(group, password, summary)
    elif password and not user.check_password(password):
        user.set_password(password)
        user.session_version += 1  # a new password ends the old sessions
        changed = True
    for row in group:
        changed |= _add_membership(user, row, summary)
    return user, changed


def _create_user(group: list[UserRow], password: str, summary: UserSummary) -> User:
    """A new user named on one of its rows, with the given or a generated password."""
    name = next(row.full_name for row in group if row.full_name)
    user = User(email=str(group[0].email), full_name=name)
    if not password:
        password = generate_password()
        summary.generated.append((user.email, name, password))
    user.set_password(password)
    db.session.add(user)
    summary.users_created += 1
    return user


def _add_membership(user: User, row: UserRow, summary: UserSummary) -> bool:
    """Add the row's role in its scope unless the user already holds exactly that."""
    held = {(m.role, m.region_id, m.municipality_id, m.school_id) for m in user.memberships}
    region_id, municipality_id, school_id = row.scope
    if (str(row.role), *row.scope) in held:
        return False
    user.memberships.append(
        Membership(
            role=str(row.role),
            region_id=region_id,
            municipality_id=municipality_id,
            school_id=school_id,
        )
    )
    summary.memberships_added += 1
    return True


def _link_curators(
    groups: dict[str, list[UserRow]], users: dict[str, User], summary: UserSummary
) -> set[str]:
    """Link curators to their listed schools; return the e-mails that got new links."""
    curators = {email: users[email] for email, group in groups.items() if _curated(group)}
    held: set[tuple[int, int]] = set()
    for chunk in in_chunks(user.id for user in curators.values()):
        stmt = select(CuratorSchool.curator_id, CuratorSchool.school_id)
        rows = db.session.execute(stmt.where(CuratorSchool.curator_id.in_(chunk)))
        held.update((curator_id, school_id) for curator_id, school_id in rows)
    touched: set[str] = set()
    for email, user in curators.items():
        for school in _curated(groups[email]):
            if (user.id, school.id) not in held:
                held.add((user.id, school.id))
                db.session.add(CuratorSchool(curator_id=user.id, school_id=school.id))
                summary.curator_links_added += 1
                touched.add(email)
    return touched


def _curated(group: list[UserRow]) -> list[School]:
    return [school for row in group for school in row.curated]
