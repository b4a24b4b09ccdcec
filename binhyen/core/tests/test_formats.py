"""The one way of writing numbers, changes, dates and period labels, in Vietnamese and English."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from binhyen.core import formats
from binhyen.indicators.periods import parse_period

SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def _read_back(text: str, lang: str) -> Decimal:
    thousand, decimal = SEPARATORS[lang]
    return Decimal(text.replace(thousand, "").replace(decimal, "."))


def _groups_ok(text: str, lang: str) -> bool:
    thousand, decimal = SEPARATORS[lang]
    whole = text.lstrip("-").split(decimal)[0]
    groups = whole.split(thousand)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "expected"),
    [
        ("vi", 1234567, None, "1.234.567"),
        ("vi", 8.5, None, "8,5"),
        ("vi", 12.0, None, "12"),
        ("vi", Decimal("8.50"), None, "8,5"),
        ("vi", 1234.5678, 2, "1.234,57"),
        ("vi", 0.125, 2, "0,13"),
        ("vi", -0.001, None, "0"),
        ("vi", -1234, None, "-1.234"),
        ("vi", 100.0, None, "100"),
        ("vi", 7, 1, "7,0"),
        ("en", 1234567, None, "1,234,567"),
        ("en", 8.5, None, "8.5"),
        ("en", 1234.5678, 2, "1,234.57"),
    ],
)
def test_format_number(lang, value, decimals, expected):
    with translation.override(lang):
        assert formats.format_number(value, decimals) == expected


def test_format_number_of_nothing_is_empty():
    assert formats.format_number(None) == ""
    assert formats.format_number(float("nan")) == "nan"


@override_settings(USE_THOUSAND_SEPARATOR=False)
@given(value=st.integers(min_value=-(10**15), max_value=10**15), lang=st.sampled_from(["vi", "en"]))
def test_integers_are_grouped_and_read_back(value, lang):
    with translation.override(lang):
        text = formats.format_number(value)
    assert _groups_ok(text, lang), text
    assert _read_back(text, lang) == value


@given(
    value=st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=4),
    decimals=st.integers(min_value=0, max_value=4),
    lang=st.sampled_from(["vi", "en"]),
)
def test_decimals_show_the_places_asked_and_round_half_up(value, decimals, lang):
    with translation.override(lang):
        text = formats.format_number(value, decimals)
    _thousand, decimal = SEPARATORS[lang]
    shown = text.split(decimal)[1] if decimal in text else ""
    assert len(shown) == decimals
    assert _groups_ok(text, lang), text
    expected = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert _read_back(text, lang) == expected


@given(
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    lang=st.sampled_from(["vi", "en"]),
)
def test_floats_show_at_most_two_places(value, lang):
    with translation.override(lang):
        text = formats.format_number(value)
    _thousand, decimal = SEPARATORS[lang]
    if decimal in text:
        places = text.split(decimal)[1]
        assert 1 <= len(places) <= 2 and not places.endswith("0")
    assert abs(_read_back(text, lang) - Decimal(repr(value))) <= Decimal("0.005")


@pytest.mark.parametrize(
    ("lang", "pct", "expected"),
    [
        ("vi", 12.5, "tăng 12,5 %"),
        ("vi", -10.0, "giảm 10 %"),
        ("vi", 0, "không đổi"),
        ("vi", 0.04, "không đổi"),
        ("vi", 1234.56, "tăng 1.234,6 %"),
        ("en", 12.5, "up 12.5 %"),
        ("en", -10, "down 10 %"),
        ("en", 0, "no change"),
    ],
)
def test_format_change(lang, pct, expected):
    with translation.override(lang):
        assert formats.format_change(pct) == expected


def test_format_change_of_nothing_is_empty():
    assert formats.format_change(None) == ""


def test_dates():
    day = dt.date(2026, 6, 15)
    with translation.override("vi"):
        assert formats.format_date(day) == "15/06/2026"
        assert formats.format_date_long(day) == "ngày 15 tháng 6 năm 2026"
    with translation.override("en"):
        assert formats.format_date(day) == "15/06/2026"
        assert formats.format_date_long(day) == "15 June 2026"
    assert formats.format_date(None) == ""


def test_datetimes_are_shown_in_local_time():
    moment = dt.datetime(2026, 6, 14, 18, 30, 5, tzinfo=dt.UTC)  # 01:30 on the 15th in Hanoi
    with translation.override("vi"):
        assert formats.format_datetime(moment) == "15/06/2026 01:30"
        assert formats.format_datetime(moment, seconds=True) == "15/06/2026 01:30:05"
        assert formats.format_date(moment) == "15/06/2026"


@pytest.mark.parametrize(
    ("code", "vi", "en"),
    [
        ("2026M06", "Tháng 6/2026", "6/2026"),
        ("2026Q3", "Quý 3/2026", "Q3 2026"),
        ("2026S1", "6 tháng đầu năm 2026", "First half of 2026"),
        ("2026S2", "6 tháng cuối năm 2026", "Second half of 2026"),
        ("2026", "Năm 2026", "Year 2026"),
        ("MY2026", "Năm phong trào 2026", "Movement year 2026"),
        ("TY2026", "Năm đánh giá Tổ bảo vệ 2026", "Security-team year 2026"),
        ("2026W05", "Tuần 5/2026", "Week 5/2026"),
        ("2026-06-15", "15/06/2026", "15/06/2026"),
        (
            "SM2026M06",
            "Kỳ tháng 6/2026 (15/05 – 14/06)",
            "Statistical month 6/2026 (15/05 – 14/06)",
        ),
    ],
)
def test_period_labels(code, vi, en):
    period = parse_period(code)
    with translation.override("vi"):
        assert formats.period_label(period) == vi
        assert period.label == vi
    with translation.override("en"):
        assert formats.period_label(period) == en


def test_template_filters():
    template = Template(
        "{% load vn %}{{ n|number }}|{{ f|number:1 }}|{{ p|change }}|{{ d|vdate }}|"
        "{{ d|vdate_long }}|{{ t|vdatetime }}|{{ t|vdatetime:'seconds' }}|"
        "{{ period|period_label }}|{{ none|number|default:'—' }}"
    )
    context = Context(
        {
            "n": 1234567,
            "f": 8.5,
            "p": -10,
            "d": dt.date(2026, 6, 15),
            "t": dt.datetime(2026, 6, 15, 1, 2, 3, tzinfo=dt.UTC),
            "period": parse_period("2026M06"),
            "none": None,
        }
    )
    with translation.override("vi"):
        assert template.render(context) == (
            "1.234.567|8,5|giảm 10 %|15/06/2026|ngày 15 tháng 6 năm 2026|15/06/2026 08:02|"
            "15/06/2026 08:02:03|Tháng 6/2026|—"
        )
