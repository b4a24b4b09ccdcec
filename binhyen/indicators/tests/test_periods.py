# mypy: disable-error-code="arg-type, list-item, union-attr"
"""Period codes and their arithmetic; properties checked with hypothesis."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binhyen.indicators.periods import (
    Period,
    PeriodError,
    PeriodKind,
    parse_period,
    periods_in,
)

KINDS = list(PeriodKind.values)
days = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
kinds = st.sampled_from(KINDS)


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025S1", date(2025, 1, 1), date(2025, 6, 30)),
        ("2025S2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025Q3", date(2025, 7, 1), date(2025, 9, 30)),
        ("2024M02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025W05", date(2025, 1, 27), date(2025, 2, 2)),
        ("2026W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("2025-07-14", date(2025, 7, 14), date(2025, 7, 14)),
        ("SM2025M07", date(2025, 6, 15), date(2025, 7, 14)),
        ("SM2025M01", date(2024, 12, 15), date(2025, 1, 14)),
        ("MY2025", date(2024, 11, 1), date(2025, 10, 31)),
        ("TY2025", date(2024, 11, 15), date(2025, 11, 14)),
    ],
)
def test_codes_parse_to_their_span(code, start, end):
    # given a valid code / when parsed / then the span and the code round-trip
    period = parse_period(code)
    assert (period.start, period.end) == (start, end)
    assert period.code == code
    assert str(period) == code


@pytest.mark.parametrize(
    "code",
    [
        "",
        "25",
        "2025Q5",
        "2025M13",
        "2025M00",
        "2025S3",
        "2025W54",
        "2021W53",
        "2025-02-30",
        "SM2025M13",
        "MY25",
        "1800",
        "2025m07",
        "abc",
        "2025Q1 x",
    ],
)
def test_bad_codes_are_rejected_with_the_code_named(code):
    # given a malformed code / when parsed / then a PeriodError names it
    with pytest.raises(PeriodError) as exc:
        parse_period(code)
    assert isinstance(exc.value, ValueError)
    assert f"'{code.strip()[:40]}'" in str(exc.value)


def test_the_message_is_vietnamese():
    with pytest.raises(PeriodError, match="không hợp lệ"):
        parse_period("2025Q9")


def test_movement_year_starts_are_configurable(settings):
    # given other start days in settings / when periods are built / then they follow them
    settings.INDICATORS_MOVEMENT_YEAR_START = (1, 12)
    settings.INDICATORS_TEAM_YEAR_START = (1, 1)
    settings.INDICATORS_STAT_MONTH_START_DAY = 20
    assert parse_period("MY2025").start == date(2024, 12, 1)
    assert parse_period("TY2025").start == date(2025, 1, 1)
    assert parse_period("TY2025").end == date(2025, 12, 31)
    assert parse_period("SM2025M07").start == date(2025, 6, 20)
    assert Period.containing(PeriodKind.STAT_MONTH, date(2025, 7, 19)).code == "SM2025M07"
    assert Period.containing(PeriodKind.STAT_MONTH, date(2025, 7, 20)).code == "SM2025M08"


def test_a_bad_setting_is_reported(settings):
    settings.INDICATORS_STAT_MONTH_START_DAY = 31
    with pytest.raises(PeriodError):
        parse_period("SM2025M07").start  # noqa: B018


def test_same_period_last_year_examples():
    assert parse_period("2025M07").same_period_last_year().code == "2024M07"
    assert parse_period("2025Q3").same_period_last_year().code == "2024Q3"
    assert parse_period("2021W52").same_period_last_year().code == "2020W52"
    assert parse_period("2026W53").same_period_last_year().code == "2025W52"
    assert parse_period("2024-02-29").same_period_last_year().code == "2023-02-28"
    assert parse_period("SM2025M01").same_period_last_year().code == "SM2024M01"
    assert parse_period("TY2025").same_period_last_year().code == "TY2024"


def test_periods_in_lists_overlapping_periods():
    got = [p.code for p in periods_in(PeriodKind.QUARTER, date(2025, 2, 10), date(2025, 7, 1))]
    assert got == ["2025Q1", "2025Q2", "2025Q3"]
    with pytest.raises(PeriodError):
        periods_in(PeriodKind.MONTH, date(2025, 2, 1), date(2025, 1, 1))


def test_labels_are_readable():
    assert parse_period("2025M07").label == "Tháng 7/2025"
    assert parse_period("2025Q3").label == "Quý 3/2025"
    assert parse_period("2025S1").label == "6 tháng đầu năm 2025"
    assert "15/06" in parse_period("SM2025M07").label


@given(kinds, days)
def test_a_day_belongs_to_exactly_one_period_per_kind(kind, day):
    # given any day / when the containing period is found / then it contains the day
    # and its neighbours do not
    period = Period.containing(kind, day)
    assert period.contains(day)
    assert not period.previous().contains(day)
    assert not period.next().contains(day)


@given(kinds, days)
def test_code_round_trips(kind, day):
    period = Period.containing(kind, day)
    assert parse_period(period.code) == period


@given(kinds, days)
def test_previous_and_next_are_inverse_and_tile(kind, day):
    period = Period.containing(kind, day)
    assert period.previous().next() == period
    assert period.next().previous() == period
    # consecutive periods tile without gap or overlap
    assert period.next().start == period.end + timedelta(days=1)
    assert period.previous().end == period.start - timedelta(days=1)
    assert period.start <= period.end


@given(kinds, days, st.integers(min_value=0, max_value=400))
def test_periods_in_covers_the_range_without_gaps(kind, start, length):
    end = start + timedelta(days=length)
    got = periods_in(kind, start, end)
    assert got[0].contains(start)
    assert got[-1].contains(end)
    for a, b in itertools.pairwise(got):
        assert b.start == a.end + timedelta(days=1)


@given(kinds, st.dates(min_value=date(1951, 3, 1), max_value=date(2150, 12, 31)))
def test_same_period_last_year_is_about_a_year_earlier(kind, day):
    period = Period.containing(kind, day)
    last = period.same_period_last_year()
    assert last.kind == period.kind
    gap = (period.start - last.start).days
    assert 357 <= gap <= 372
