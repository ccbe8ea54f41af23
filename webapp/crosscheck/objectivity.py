"""Objectivity of a school's ВПР marks: re-check statistics and statistical signs.

Pure functions on plain data (no Flask, no database). The method, thresholds and wording are
written down in ``docs/objectivity.md``; every sign is *a sign that needs analysis, never proof*.

Conventions: a work's *difference* is the school's primary total minus the re-check total
(positive = the school scored higher than the re-check). A mark *went down* when the re-check
mark is lower than the school's mark, *up* when it is higher.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction

# Thresholds (see docs/objectivity.md for why each value).
PEAK_WINDOW = 2  # points at/above a boundary compared with as many points just below it
PEAK_RATIO = 2  # works just at/above ≥ ratio × works just below …
PEAK_MIN_WORKS = 5  # … and at least this many works just at/above
SIGN_MIN_WORKS = 5  # a school needs this many works in a subject and grade for any sign
EASY_HARD_MIN_GAP = 0.15  # the campaign must see the easy third clearly easier than the hard third
MAX_RATIO = 3  # share of maximum totals ≥ ratio × the campaign's share …
MAX_MIN_SHARE = Fraction(1, 10)  # … and at least 10 % of the school's works …
MAX_MIN_WORKS = 3  # … and at least this many works with the maximum total

# Two-sided 95 % quantiles of Student's t for 1–30 degrees of freedom; 1.96 beyond.
T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
Z95 = 1.96

SCHOOL_HIGHER = "school_higher"
SCHOOL_LOWER = "school_lower"
NO_CLEAR_DIRECTION = "none"

Points = Sequence[int]


@dataclass(frozen=True)
class MarkScale:
    """Lowest primary total that earns the mark 3, 4 and 5 (below ``min3`` is a 2)."""

    min3: int
    min4: int
    min5: int

    def __post_init__(self) -> None:
        if not 0 < self.min3 < self.min4 < self.min5:
            raise ValueError("mark boundaries must grow: 0 < min3 < min4 < min5")

    def mark(self, total: int) -> int:
        return 2 + (total >= self.min3) + (total >= self.min4) + (total >= self.min5)

    @property
    def boundaries(self) -> dict[int, int]:
        """Mark → the lowest total that earns it."""
        return {3: self.min3, 4: self.min4, 5: self.min5}


@dataclass(frozen=True)
class Work:
    """One pupil's work: the school's own points per task and, if re-checked, the final ones."""

    work_id: int
    school_id: int
    municipality_id: int
    subject: str
    grade: int
    school_points: tuple[int, ...]
    recheck_points: tuple[int, ...] | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.subject, self.grade)


def final_points(
    first: Points | None, second: Points | None = None, third: Points | None = None
) -> tuple[int, ...] | None:
    """The re-check's final points: the third check if any, else the mean of first and second
    rounded up per task (the ГИА rule, in the pupil's favour), else the first check."""
    if third is not None:
        return tuple(third)
    if first is None:
        return None
    if second is None:
        return tuple(first)
    return tuple((a + b + 1) // 2 for a, b in zip(first, second, strict=True))


def exceeds_threshold(a: Points, b: Points, threshold: int) -> bool:
    """Do two scorings of one work differ by more than ``threshold`` primary points in total?"""
    return abs(sum(a) - sum(b)) > threshold


# --- re-check statistics --------------------------------------------------------------------


@dataclass(frozen=True)
class RecheckSummary:
    works: int  # works in the unit
    rechecked: int  # works with a final re-check score
    marks_changed: int
    marks_up: int
    marks_down: int
    mean_difference: float | None  # school total − re-check total, mean over re-checked works
    ci_low: float | None  # 95 % confidence interval of that mean (t, n ≥ 2)
    ci_high: float | None
    direction: str  # SCHOOL_HIGHER / SCHOOL_LOWER / NO_CLEAR_DIRECTION

    @property
    def changed_share(self) -> float | None:
        return self.marks_changed / self.rechecked if self.rechecked else None

    @property
    def up_share(self) -> float | None:
        return self.marks_up / self.rechecked if self.rechecked else None

    @property
    def down_share(self) -> float | None:
        return self.marks_down / self.rechecked if self.rechecked else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(
            changed_share=self.changed_share, up_share=self.up_share, down_share=self.down_share
        )
        return data


def summarise_recheck(
    works: Iterable[Work], scales: dict[tuple[str, int], MarkScale]
) -> RecheckSummary:
    """Re-check statistics over the given works (marks only where a scale is known)."""
    total = changed = up = down = 0
    diffs: list[int] = []
    for work in works:
        total += 1
        if work.recheck_points is None:
            continue
        own, again = sum(work.school_points), sum(work.recheck_points)
        diffs.append(own - again)
        scale = scales.get(work.key)
        if scale is None:
            continue
        before, after = scale.mark(own), scale.mark(again)
        changed += before != after
        up += after > before
        down += after < before
    mean, low, high = mean_interval(diffs)
    return RecheckSummary(
        total, len(diffs), changed, up, down, mean, low, high, direction(low, high)
    )


def mean_interval(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """Mean and its two-sided 95 % confidence interval (Student's t; none for n < 2)."""
    n = len(values)
    if n == 0:
        return None, None, None
    mean = sum(values) / n
    if n < 2:
        return mean, None, None
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    t = T95[n - 2] if n - 1 <= len(T95) else Z95
    half = t * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def direction(low: float | None, high: float | None) -> str:
    """A direction is stated only when the confidence interval leaves out zero."""
    if low is not None and low > 0:
        return SCHOOL_HIGHER
    if high is not None and high < 0:
        return SCHOOL_LOWER
    return NO_CLEAR_DIRECTION


# --- statistical signs ----------------------------------------------------------------------


@dataclass(frozen=True)
class BoundaryPeak:
    mark: int  # the mark whose lowest total is the boundary
    boundary: int
    at_or_above: int  # works with totals boundary … boundary + PEAK_WINDOW − 1
    below: int  # works with totals boundary − PEAK_WINDOW … boundary − 1
    sign: bool


def histogram(totals: Iterable[int], max_total: int) -> list[int]:
    """Number of works per primary total 0 … max_total."""
    counts = [0] * (max_total + 1)
    for total in totals:
        counts[min(max(total, 0), max_total)] += 1
    return counts


def boundary_peaks(counts: Sequence[int], scale: MarkScale) -> list[BoundaryPeak]:
    """Compare the works just at/above each mark boundary with the works just below it."""
    peaks = []
    for mark, boundary in scale.boundaries.items():
        if boundary >= len(counts):
            continue
        above = sum(counts[boundary : boundary + PEAK_WINDOW])
        below = sum(counts[max(boundary - PEAK_WINDOW, 0) : boundary])
        sign = above >= PEAK_MIN_WORKS and above >= PEAK_RATIO * max(below, 1)
        peaks.append(BoundaryPeak(mark, boundary, above, below, sign))
    return peaks


def task_success(points: Iterable[Points], max_points: Points) -> list[float]:
    """Mean share of the maximum per task (0–1) over the works; tasks worth 0 points give 0."""
    rows = list(points)
    n = len(rows)
    # column sums in C (zip, sum): the region report calls this for every school and subject
    sums = [sum(column) for column in zip(*rows, strict=True)] if rows else [0] * len(max_points)
    return [s / (n * m) if n and m else 0.0 for s, m in zip(sums, max_points, strict=True)]


@dataclass(frozen=True)
class EasyHard:
    easy_tasks: tuple[int, ...]  # 1-based task numbers, the campaign's easiest third
    hard_tasks: tuple[int, ...]  # the campaign's hardest third
    campaign_easy: float
    campaign_hard: float
    school_easy: float
    school_hard: float
    applicable: bool  # enough tasks and a clear gap between easy and hard in the campaign
    sign: bool


def easy_hard(school: Sequence[float], campaign: Sequence[float]) -> EasyHard:
    """Easy tasks (campaign-wide) done worse at the school than hard ones?"""
    if len(campaign) < 3:
        return EasyHard((), (), 0.0, 0.0, 0.0, 0.0, False, False)
    k = math.ceil(len(campaign) / 3)
    ranked = sorted(range(len(campaign)), key=lambda i: (-campaign[i], i))
    easy, hard = sorted(ranked[:k]), sorted(ranked[-k:])
    c_easy, c_hard = _mean(campaign, easy), _mean(campaign, hard)
    s_easy, s_hard = _mean(school, easy), _mean(school, hard)
    applicable = c_easy - c_hard >= EASY_HARD_MIN_GAP
    return EasyHard(
        tuple(i + 1 for i in easy),
        tuple(i + 1 for i in hard),
        c_easy,
        c_hard,
        s_easy,
        s_hard,
        applicable,
        applicable and s_easy < s_hard,
    )


def _mean(values: Sequence[float], indices: Sequence[int]) -> float:
    return sum(values[i] for i in indices) / len(indices)


@dataclass(frozen=True)
class MaxShare:
    school_max: int
    school_works: int
    campaign_max: int
    campaign_works: int
    sign: bool

    @property
    def school_share(self) -> float:
        return self.school_max / self.school_works if self.school_works else 0.0

    @property
    def campaign_share(self) -> float:
        return self.campaign_max / self.campaign_works if self.campaign_works else 0.0


def max_share(
    school_max: int, school_works: int, campaign_max: int, campaign_works: int
) -> MaxShare:
    """Is the school's share of maximum totals far above the campaign's?"""
    sign = (
        school_max >= MAX_MIN_WORKS
        and Fraction(school_max, school_works) >= MAX_MIN_SHARE
        and school_max * campaign_works >= MAX_RATIO * campaign_max * school_works
    )  # exact fractions: a share exactly at the threshold counts
    return MaxShare(school_max, school_works, campaign_max, campaign_works, sign)


@dataclass(frozen=True)
class SchoolSigns:
    """The signs for one school in one subject and grade, computed from the school's own points."""

    school_id: int
    subject: str
    grade: int
    works: int
    histogram: list[int]
    peaks: list[BoundaryPeak] = field(default_factory=list)
    easy_hard: EasyHard | None = None
    max_share: MaxShare | None = None

    @property
    def enough_works(self) -> bool:
        return self.works >= SIGN_MIN_WORKS

    @property
    def signs(self) -> list[str]:
        """Codes of the signs found: ``peak_<mark>``, ``easy_hard``, ``max_share``."""
        if not self.enough_works:
            return []
        found = [f"peak_{p.mark}" for p in self.peaks if p.sign]
        if self.easy_hard is not None and self.easy_hard.sign:
            found.append("easy_hard")
        if self.max_share is not None and self.max_share.sign:
            found.append("max_share")
        return found


@dataclass(frozen=True)
class Reference:
    """What the campaign's works of one subject and grade give every school to compare with."""

    success: list[float]  # task success over all the campaign's works
    max_count: int  # works with the maximum total
    works: int


def campaign_reference(
    works: Iterable[Work], max_points: dict[tuple[str, int], Points]
) -> dict[tuple[str, int], Reference]:
    """The reference per subject and grade from all the campaign's works (school points only:
    it changes only when the works list does, so callers may cache it)."""
    by_key: dict[tuple[str, int], list[tuple[int, ...]]] = defaultdict(list)
    for work in works:
        by_key[work.key].append(work.school_points)
    out = {}
    for key, rows in by_key.items():
        tasks = max_points.get(key)
        if tasks is None:
            continue
        top = sum(tasks)
        out[key] = Reference(
            task_success(rows, tasks), sum(1 for p in rows if sum(p) == top), len(rows)
        )
    return out


def school_signs(
    works: Sequence[Work],
    max_points: dict[tuple[str, int], Points],
    scales: dict[tuple[str, int], MarkScale],
    only: set[int] | None = None,
    reference: dict[tuple[str, int], Reference] | None = None,
) -> list[SchoolSigns]:
    """Signs for every school × subject × grade among ``works``, compared with ``reference``
    (by default computed from ``works``, then the whole campaign); ``only`` limits the
    schools whose signs are computed."""
    if reference is None:
        reference = campaign_reference(works, max_points)
    groups: dict[tuple[str, int], dict[int, list[Work]]] = defaultdict(lambda: defaultdict(list))
    for work in works:
        if only is None or work.school_id in only:
            groups[work.key][work.school_id].append(work)
    out = []
    for key in sorted(groups):
        tasks, ref = max_points.get(key), reference.get(key)
        if tasks is None or ref is None:
            continue
        top = sum(tasks)
        for school_id in sorted(groups[key]):
            own = [w.school_points for w in groups[key][school_id]]
            counts = histogram((sum(p) for p in own), top)
            scale = scales.get(key)
            out.append(
                SchoolSigns(
                    school_id,
                    key[0],
                    key[1],
                    len(own),
                    counts,
                    boundary_peaks(counts, scale) if scale else [],
                    easy_hard(task_success(own, tasks), ref.success),
                    max_share(
                        sum(1 for p in own if sum(p) == top), len(own), ref.max_count, ref.works
                    ),
                )
            )
    return out


# --- the report at one level ----------------------------------------------------------------

SCHOOL, MUNICIPALITY, REGION = "school", "municipality", "region"


def build_report(
    works: Sequence[Work],
    max_points: dict[tuple[str, int], Points],
    scales: dict[tuple[str, int], MarkScale],
    *,
    school_id: int | None = None,
    municipality_id: int | None = None,
    reference: dict[tuple[str, int], Reference] | None = None,
) -> dict:
    """The objectivity report of one school, one municipality or (neither given) the whole
    campaign, as plain JSON-ready data. The signs compare a school with ``reference`` (by
    default computed from ``works``, which must then be all the campaign's works)."""
    if school_id is not None:
        level, inside = SCHOOL, (lambda w: w.school_id == school_id)
    elif municipality_id is not None:
        level, inside = MUNICIPALITY, (lambda w: w.municipality_id == municipality_id)
    else:
        level, inside = REGION, (lambda w: True)
    mine = [w for w in works if inside(w)]
    school_ids = {w.school_id for w in mine}
    signs = school_signs(works, max_points, scales, school_ids, reference)
    by_key: dict[tuple[str, int], list[Work]] = defaultdict(list)
    by_school: dict[int, list[Work]] = defaultdict(list)
    for work in mine:
        by_key[work.key].append(work)
        by_school[work.school_id].append(work)
    signs_of: dict[int, list[str]] = defaultdict(list)
    for s in signs:
        signs_of[s.school_id].extend(f"{code}:{s.subject}:{s.grade}" for code in s.signs)
    return {
        "level": level,
        "summary": summarise_recheck(mine, scales).as_dict(),
        "subjects": [
            {"subject": k[0], "grade": k[1], **summarise_recheck(ws, scales).as_dict()}
            for k, ws in sorted(by_key.items())
        ],
        "schools": [
            {
                "school_id": sid,
                **summarise_recheck(by_school[sid], scales).as_dict(),
                "signs": signs_of.get(sid, []),
            }
            for sid in sorted(by_school)
        ],
        "signs": [_signs_dict(s) for s in signs if level == SCHOOL or s.signs],
    }


def _signs_dict(s: SchoolSigns) -> dict:
    return {
        "school_id": s.school_id,
        "subject": s.subject,
        "grade": s.grade,
        "works": s.works,
        "enough_works": s.enough_works,
        "signs": s.signs,
        "histogram": s.histogram,
        # flat dataclasses of numbers and tuples: a shallow copy is what asdict gives, faster
        "peaks": [dict(vars(p)) for p in s.peaks],
        "easy_hard": dict(vars(s.easy_hard)) if s.easy_hard else None,
        "max_share": (
            {
                **vars(s.max_share),
                "school_share": s.max_share.school_share,
                "campaign_share": s.max_share.campaign_share,
            }
            if s.max_share
            else None
        ),
    }
