"""Objectivity statistics: every expected value below was computed by hand (see the comments)."""

from __future__ import annotations

import pytest

from webapp.crosscheck import objectivity as o
from webapp.crosscheck.objectivity import MarkScale, Work

SCALE = MarkScale(5, 10, 15)  # 0–4 → 2, 5–9 → 3, 10–14 → 4, 15+ → 5
KEY = ("math", 5)


def work(wid, school, own, again=None, *, muni=1, key=KEY):
    return Work(
        wid, school, muni, key[0], key[1], tuple(own), None if again is None else tuple(again)
    )


# --- marks, final points, thresholds --------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "mark"), [(0, 2), (4, 2), (5, 3), (9, 3), (10, 4), (14, 4), (15, 5), (40, 5)]
)
def test_mark_scale_maps_totals_to_marks(total, mark):
    assert SCALE.mark(total) == mark


@pytest.mark.parametrize("bounds", [(0, 4, 8), (5, 5, 8), (5, 9, 9), (6, 5, 8)])
def test_mark_scale_refuses_boundaries_that_do_not_grow(bounds):
    with pytest.raises(ValueError):
        MarkScale(*bounds)


def test_final_points_third_wins_then_rounded_up_mean_then_first():
    assert o.final_points((1, 1), (2, 2), (0, 3)) == (0, 3)
    # (1+2)/2 = 1.5 → 2; (2+2)/2 = 2; (0+1)/2 = 0.5 → 1
    assert o.final_points((1, 2, 0), (2, 2, 1)) == (2, 2, 1)
    assert o.final_points((3, 0)) == (3, 0)
    assert o.final_points(None) is None
    assert o.final_points(None, None, (1,)) == (1,)


def test_exceeds_threshold_is_strictly_more_than_the_threshold():
    assert o.exceeds_threshold((1, 2), (0, 0), 2)  # 3 > 2
    assert not o.exceeds_threshold((1, 1), (0, 0), 2)  # 2 is not more than 2
    assert o.exceeds_threshold((0, 0), (2, 1), 2)  # either direction


# --- re-check summary ------------------------------------------------------------------------


def test_summary_counts_marks_and_differences():
    works = [
        work(1, 1, (3, 3), (2, 2)),  # 6 → 4: mark 3 → 2, down, diff +2
        work(2, 1, (5, 5), (5, 4)),  # 10 → 9: mark 4 → 3, down, diff +1
        work(3, 1, (2, 2), (3, 2)),  # 4 → 5: mark 2 → 3, up, diff −1
        work(4, 1, (5, 5), (5, 5)),  # unchanged, diff 0
        work(5, 1, (1, 1)),  # not re-checked
    ]
    s = o.summarise_recheck(works, {KEY: SCALE})
    assert (s.works, s.rechecked, s.marks_changed, s.marks_up, s.marks_down) == (5, 4, 3, 1, 2)
    assert (s.changed_share, s.up_share, s.down_share) == (0.75, 0.25, 0.5)
    # diffs 2, 1, −1, 0: mean 0.5; sd = sqrt(5/3) = 1.290994; se = 0.645497; t(3) = 3.182
    assert s.mean_difference == 0.5
    assert s.ci_low == pytest.approx(0.5 - 2.053971, abs=1e-5)
    assert s.ci_high == pytest.approx(0.5 + 2.053971, abs=1e-5)
    assert s.direction == o.NO_CLEAR_DIRECTION


def test_summary_without_a_scale_still_gives_differences_but_no_marks():
    s = o.summarise_recheck([work(1, 1, (3, 3), (0, 0))], {})
    assert (s.rechecked, s.marks_changed, s.mean_difference) == (1, 0, 6)
    assert (s.ci_low, s.ci_high, s.direction) == (None, None, o.NO_CLEAR_DIRECTION)


def test_summary_of_nothing_rechecked():
    s = o.summarise_recheck([work(1, 1, (3, 3))], {KEY: SCALE})
    assert (s.works, s.rechecked, s.mean_difference, s.changed_share) == (1, 0, None, None)
    assert s.as_dict()["down_share"] is None


def test_direction_higher_when_every_difference_is_the_same_positive_number():
    s = o.summarise_recheck([work(i, 1, (4, 4), (3, 3)) for i in range(3)], {KEY: SCALE})
    assert (s.mean_difference, s.ci_low, s.ci_high) == (2, 2, 2)
    assert s.direction == o.SCHOOL_HIGHER


def test_direction_lower_when_the_interval_is_below_zero():
    # diffs −3, −2, −3, −2: mean −2.5; sd = sqrt(1/3) = 0.577350; se = 0.288675; × 3.182
    works = [work(i, 1, (0,), (d,)) for i, d in enumerate((3, 2, 3, 2))]
    s = o.summarise_recheck(works, {KEY: SCALE})
    assert s.ci_high == pytest.approx(-2.5 + 0.918564, abs=1e-5)
    assert s.direction == o.SCHOOL_LOWER


def test_direction_none_when_two_differences_of_one_sign_spread_widely():
    # diffs −3, −1: mean −2, se = 1, t(1) = 12.706 → interval −14.706 … 10.706
    s = o.summarise_recheck([work(1, 1, (0,), (3,)), work(2, 1, (0,), (1,))], {})
    assert s.ci_low == pytest.approx(-14.706)
    assert s.direction == o.NO_CLEAR_DIRECTION


def test_mean_interval_uses_t_up_to_30_degrees_of_freedom_then_z():
    assert o.mean_interval([]) == (None, None, None)
    assert o.mean_interval([4]) == (4, None, None)
    # 15 zeros, 15 twos, one 1: mean 1, sd 1, se = 1/sqrt(31) = 0.179605; t(30) = 2.042
    _, low, high = o.mean_interval([0] * 15 + [2] * 15 + [1])
    assert (low, high) == pytest.approx((1 - 0.366754, 1 + 0.366754), abs=1e-5)
    # 16 zeros, 16 twos: sd = sqrt(32/31) = 1.016001, se = 0.179605; beyond 30 df: 1.96
    _, low, high = o.mean_interval([0] * 16 + [2] * 16)
    assert (low, high) == pytest.approx((1 - 0.352026, 1 + 0.352026), abs=1e-5)


# --- signs ------------------------------------------------------------------------------------


def test_histogram_counts_totals_and_clamps_to_the_range():
    assert o.histogram([0, 3, 3, 7, 12, -1], 10) == [2, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1]


def _counts(**at):
    counts = [0] * 21
    for k, v in at.items():
        counts[int(k[1:])] = v
    return counts


def test_boundary_peak_found_just_above_the_mark_3_boundary():
    counts = _counts(t4=1, t5=4, t6=2, t8=2, t9=2, t10=3, t11=2, t15=3, t16=1)
    peaks = {p.mark: p for p in o.boundary_peaks(counts, SCALE)}
    # boundary 5: totals 5–6 → 6 works, totals 3–4 → 1: 6 ≥ 5 and 6 ≥ 2 × 1
    assert (peaks[3].boundary, peaks[3].at_or_above, peaks[3].below, peaks[3].sign) == (
        5,
        6,
        1,
        True,
    )
    # boundary 10: 10–11 → 5 works, 8–9 → 4: 5 < 2 × 4
    assert (peaks[4].at_or_above, peaks[4].below, peaks[4].sign) == (5, 4, False)
    # boundary 15: 15–16 → 4 works (< 5) even with none below
    assert (peaks[5].at_or_above, peaks[5].below, peaks[5].sign) == (4, 0, False)


@pytest.mark.parametrize(("above", "below", "sign"), [(6, 3, True), (5, 3, False), (5, 2, True)])
def test_boundary_peak_ratio_is_at_least_twice(above, below, sign):
    counts = _counts(t3=below, t5=above)
    assert o.boundary_peaks(counts, SCALE)[0].sign is sign


def test_boundary_peak_skips_boundaries_beyond_the_maximum_total():
    peaks = o.boundary_peaks([0] * 12, SCALE)  # totals 0–11: boundary 15 is out of reach
    assert [p.mark for p in peaks] == [3, 4]


def test_task_success_is_the_mean_share_of_the_maximum():
    assert o.task_success([(1, 0, 2), (1, 1, 0)], (1, 1, 2)) == [1.0, 0.5, 0.5]
    assert o.task_success([], (1, 2)) == [0.0, 0.0]
    assert o.task_success([(0, 0)], (1, 0)) == [0.0, 0.0]


CAMPAIGN = [0.9, 0.8, 0.5, 0.3, 0.2, 0.6]  # easy: tasks 1, 2 (0.85); hard: tasks 4, 5 (0.25)


def test_easy_tasks_done_worse_than_hard_ones_is_a_sign():
    e = o.easy_hard([0.4, 0.5, 0.9, 0.7, 0.6, 0.9], CAMPAIGN)
    assert (e.easy_tasks, e.hard_tasks) == ((1, 2), (4, 5))
    assert (e.campaign_easy, e.campaign_hard) == pytest.approx((0.85, 0.25))
    assert (e.school_easy, e.school_hard) == pytest.approx((0.45, 0.65))
    assert e.applicable and e.sign


def test_easy_tasks_done_better_is_no_sign():
    e = o.easy_hard([0.9, 0.9, 0.5, 0.5, 0.4, 0.5], CAMPAIGN)
    assert e.applicable and not e.sign


def test_easy_hard_needs_a_clear_gap_and_three_tasks():
    e = o.easy_hard([0.1, 0.5, 0.9], [0.6, 0.55, 0.5])  # gap 0.1 < 0.15
    assert (e.easy_tasks, e.hard_tasks) == ((1,), (3,))
    assert not e.applicable and not e.sign
    assert not o.easy_hard([0.0, 1.0], [1.0, 0.0]).applicable


def test_easy_hard_ties_are_broken_by_task_number():
    e = o.easy_hard([0.0] * 4, [0.9, 0.9, 0.1, 0.1])  # k = 2
    assert (e.easy_tasks, e.hard_tasks) == ((1, 2), (3, 4))


@pytest.mark.parametrize(
    ("school_max", "school_n", "campaign_max", "campaign_n", "sign"),
    [
        (3, 10, 5, 100, True),  # 30 % against 5 %
        (3, 10, 10, 100, True),  # 30 % = 3 × 10 %: at the threshold counts
        (3, 10, 11, 100, False),  # 30 % < 3 × 11 %
        (2, 4, 2, 100, False),  # fewer than 3 works
        (3, 31, 3, 1000, False),  # 9.7 % < 10 %
        (0, 0, 0, 0, False),
    ],
)
def test_max_share_sign(school_max, school_n, campaign_max, campaign_n, sign):
    assert o.max_share(school_max, school_n, campaign_max, campaign_n).sign is sign


def test_max_share_shares():
    m = o.max_share(3, 10, 5, 100)
    assert (m.school_share, m.campaign_share) == (0.3, 0.05)
    assert o.max_share(0, 0, 0, 0).school_share == 0.0


# --- signs per school and the report ---------------------------------------------------------

TASKS = {KEY: (2, 2, 2, 2, 2, 2, 2, 2, 2, 2)}  # max total 20
SCALES = {KEY: SCALE}


def _campaign():
    """School 1: six works pulled just over the «3» boundary, tasks 9–10 (hard) done better than
    tasks 1–4 (easy). School 2: ten ordinary works, re-checked; school 3 in another municipality."""
    pulled = (0, 0, 0, 0, 1, 1, 1, 0, 1, 1)  # total 5: easy tasks 1–4 empty, hard 9–10 done
    # re-checked at 3 points each
    ones = [work(100 + i, 1, pulled, (0, 0, 0, 0, 1, 1, 0, 0, 1, 0)) for i in range(6)]
    good = (2, 2, 2, 2, 2, 2, 1, 1, 0, 0)  # total 14
    twos = [work(200 + i, 2, good, good if i < 5 else None) for i in range(10)]
    full = (2,) * 10
    threes = [work(300 + i, 3, full, muni=2) for i in range(3)] + [
        work(303, 3, good, muni=2),
        work(304, 3, good, muni=2),
    ]
    return ones + twos + threes


def test_school_signs_for_the_pulled_school():
    signs = {s.school_id: s for s in o.school_signs(_campaign(), TASKS, SCALES)}
    one = signs[1]
    assert one.works == 6 and one.histogram[5] == 6
    # campaign points per task (of 42): t1–t4 30 each, t5–t6 36, t7 24, t8 18, t9–t10 12;
    # easiest 4 (ceil 10/3): t5, t6, t1, t2 → 132/168; hardest 4: t7–t10 → 66/168
    assert (one.easy_hard.easy_tasks, one.easy_hard.hard_tasks) == ((1, 2, 5, 6), (7, 8, 9, 10))
    assert one.easy_hard.campaign_easy == pytest.approx(132 / 168)
    assert one.easy_hard.campaign_hard == pytest.approx(66 / 168)
    # the school: easy 0, 0, .5, .5 → 0.25; hard .5, 0, .5, .5 → 0.375
    assert one.easy_hard.school_easy == 0.25 and one.easy_hard.school_hard == 0.375
    assert one.signs == ["peak_3", "easy_hard"]
    # school 3: 3 of 5 works at 20 points (60 %) against 3 of 21 in the campaign (14.3 %)
    assert signs[3].signs == ["max_share"]
    assert signs[2].signs == []


def test_school_with_fewer_than_five_works_gets_no_sign():
    works = [work(i, 1, (2,) * 10) for i in range(4)] + [work(9, 2, (0,) * 10) for _ in range(20)]
    s = {x.school_id: x for x in o.school_signs(works, TASKS, SCALES)}[1]
    assert s.max_share.school_max == 4 and not s.enough_works and s.signs == []


def test_school_signs_skip_subjects_without_a_task_table_and_can_be_limited():
    works = [*_campaign(), work(900, 1, (1,), key=("rus", 5))]
    signs = o.school_signs(works, TASKS, SCALES, only={2})
    assert [(s.school_id, s.subject) for s in signs] == [(2, "math")]


def test_report_of_one_school():
    r = o.build_report(_campaign(), TASKS, SCALES, school_id=1)
    assert r["level"] == "school"
    # six works 5 → 3 points: mark 3 → 2 each, diff +2 each
    assert r["summary"]["rechecked"] == 6 and r["summary"]["marks_down"] == 6
    assert r["summary"]["direction"] == o.SCHOOL_HIGHER
    assert [x["school_id"] for x in r["schools"]] == [1]
    assert r["schools"][0]["signs"] == ["peak_3:math:5", "easy_hard:math:5"]
    assert r["signs"][0]["histogram"][5] == 6
    assert r["subjects"] == [{"subject": "math", "grade": 5, **r["summary"]}]


def test_report_of_a_school_without_signs_still_shows_its_details():
    r = o.build_report(_campaign(), TASKS, SCALES, school_id=2)
    assert r["summary"]["works"] == 10 and r["summary"]["rechecked"] == 5
    assert r["summary"]["marks_changed"] == 0 and r["summary"]["mean_difference"] == 0
    assert len(r["signs"]) == 1 and r["signs"][0]["signs"] == []


def test_report_of_a_municipality_and_of_the_region():
    muni = o.build_report(_campaign(), TASKS, SCALES, municipality_id=1)
    assert muni["level"] == "municipality"
    assert [x["school_id"] for x in muni["schools"]] == [1, 2]
    assert muni["summary"]["works"] == 16 and muni["summary"]["rechecked"] == 11
    assert [s["school_id"] for s in muni["signs"]] == [1]  # only schools with a sign
    region = o.build_report(_campaign(), TASKS, SCALES)
    assert region["level"] == "region" and region["summary"]["works"] == 21
    assert [s["school_id"] for s in region["signs"]] == [1, 3]
    # mean over 11 re-checked: six +2 and five 0 → 12/11
    assert region["summary"]["mean_difference"] == pytest.approx(12 / 11)
