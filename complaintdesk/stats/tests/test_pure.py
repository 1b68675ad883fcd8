"""The pure parts: growth wording, periods and their edges, response-time buckets, Poisson tails."""

import math
from datetime import date, timedelta

import pytest

from complaintdesk.lib.errors import FieldError
from complaintdesk.stats import buckets, poisson
from complaintdesk.stats.growth import growth
from complaintdesk.stats.periods import Period, last_12_months
from complaintdesk.stats.periods import buckets as spans


def test_growth_is_stated_three_ways_as_the_regulators_report_does():
    assert growth(25649, 8962) == {
        "percent": 186.2,
        "ratio": 2.86,
        "text_percent": "+186.2 %",
        "text_ratio": "2.86 × last year",
        "text_times": "increased by 1.86 times",
        "text_times_zh": "增长1.86倍",
    }


def test_a_fall_is_a_percentage_and_no_change_is_unchanged():
    fall = growth(5000, 8000)
    assert (fall["percent"], fall["ratio"], fall["text_percent"]) == (-37.5, 0.63, "-37.5 %")
    assert (fall["text_times"], fall["text_times_zh"]) == ("decreased by 37.5 %", "下降37.5%")
    same = growth(10, 10)
    assert (same["text_percent"], same["text_ratio"], same["text_times"]) == (
        "+0.0 %",
        "1.00 × last year",
        "unchanged",
    )


def test_growth_rounds_half_up_and_has_no_figure_without_last_year():
    assert growth(2, 1)["text_times"] == "increased by 1.00 times"
    assert growth(1001, 800)["percent"] == 25.1  # 25.125 → 25.1, 1.25125 → 1.25
    none = growth(7, 0)
    assert (none["percent"], none["ratio"], none["text_percent"]) == (None, None, "n/a")


def test_the_same_period_last_year_of_a_leap_day_is_the_28th():
    assert Period(date(2024, 2, 1), date(2024, 2, 29)).previous_year() == Period(
        date(2023, 2, 1), date(2023, 2, 28)
    )
    assert last_12_months(date(2026, 2, 10)) == Period(date(2025, 2, 11), date(2026, 2, 10))


def test_a_period_must_not_end_before_it_starts():
    with pytest.raises(FieldError) as exc:
        Period.parse(date(2026, 2, 1), date(2026, 1, 31))
    assert exc.value.field == "end"


def test_weeks_and_months_are_clipped_to_the_period():
    period = Period(date(2025, 12, 30), date(2026, 2, 3))
    assert spans(period, "month") == [
        (date(2025, 12, 30), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 3)),
    ]
    weeks = spans(period, "week")
    assert weeks[0] == (date(2025, 12, 30), date(2026, 1, 4))  # ISO week from Monday 29 December
    assert weeks[-1] == (date(2026, 2, 2), date(2026, 2, 3))
    assert len(spans(period, "day")) == 36


def test_response_times_round_up_to_the_minute_then_coarser():
    assert buckets.bucket_of(timedelta(minutes=36, seconds=1)) == 37
    assert buckets.bucket_of(timedelta(minutes=37)) == 37
    assert buckets.bucket_of(timedelta(hours=3, minutes=1)) == 185
    assert buckets.bucket_of(timedelta(days=14)) == 14 * 1440
    assert buckets.bucket_of(timedelta(days=14, minutes=1)) == 15 * 1440
    assert buckets.bucket_of(timedelta(days=29, hours=1)) == 30 * 1440  # a resolution weeks later, by the day
    assert buckets.bucket_of(timedelta(days=90)) == 90 * 1440
    assert buckets.bucket_of(timedelta(days=90, seconds=1)) == buckets.OVERFLOW
    assert buckets.bucket_of(timedelta(0)) == 0


def test_percentiles_are_nearest_rank():
    histogram = {5: 1, 10: 1, 37: 1, 60: 1}  # 4 answers
    assert buckets.percentile(histogram, 0.5) == 10
    assert buckets.percentile(histogram, 0.9) == 60
    assert buckets.percentile({}, 0.5) is None
    # Ten times: the median is the 5th (⌈0.5 × 10⌉), the 90th percentile the 9th (⌈0.9 × 10⌉), not the 10th.
    ten = {minutes: 1 for minutes in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)}
    assert (buckets.percentile(ten, 0.5), buckets.percentile(ten, 0.9)) == (5, 9)


def test_poisson_upper_tail_matches_hand_computation():
    assert poisson.upper_tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * 2.5)
    assert poisson.upper_tail(0, 5.0) == 1.0
    assert poisson.upper_tail(1, 2.0) == pytest.approx(1 - math.exp(-2))
    # Ten complaints when one is expected: about 1.1e-7.
    assert poisson.upper_tail(10, 1.0) == pytest.approx(1.1143e-7, rel=1e-3)


def test_the_hour_of_week_profile_averages_to_one_and_is_smoothed():
    counts = {(0, 10): 100}  # every complaint on Mondays at ten
    profile = poisson.hour_of_week_profile(counts)
    assert profile[(0, 10)] > 50 and profile[(3, 3)] < 1
    assert poisson.hour_of_week_profile({})[(2, 2)] == 1.0
