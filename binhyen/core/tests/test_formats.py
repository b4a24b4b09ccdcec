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
        assert formats.format_date_long(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
        assert formats.format_date_long(dt.date(2026, 11, 9)) == "ngày 09 tháng 11 năm 2026"
    with translation.override("en"):
        assert formats.format_date(day) == "15/06/2026"
        assert formats.format_date_long(day) == "15 June 2026"
        assert formats.format_date_long(dt.date(2026, 2, 5)) == "5 February 2026"
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


def test_excel_cells_are_typed_with_number_formats():
    import io

    from openpyxl import load_workbook

    from binhyen.core import tabular

    buffer = io.BytesIO()
    moment = dt.datetime(2026, 6, 14, 18, 30, tzinfo=dt.UTC)
    written = tabular.write_table(
        buffer,
        title="Bảng: 6/2026",
        headers=["Năm", "Dân số", "Tỷ lệ", "Ngày", "Lúc", "Tên", "Điểm"],
        rows=[
            [2026, 1234567, 8.5, dt.date(2026, 6, 15), moment, "=1+1", Decimal("12.00")],
            [2025, None, float("nan"), None, None, "", 3.0],
        ],
        formats=[None, tabular.INTEGER_FORMAT],
    )
    assert written == 2
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.title == "Bảng- 6-2026"
    year, people, rate, day, at, name, points = sheet[2]
    assert (year.value, year.number_format) == (2026, "General")
    assert (people.value, people.number_format) == (1234567, "#,##0")
    assert (rate.value, rate.number_format) == (8.5, "#,##0.0#")
    assert day.value == dt.datetime(2026, 6, 15) and day.number_format == "dd/mm/yyyy"
    assert at.value == dt.datetime(2026, 6, 15, 1, 30) and at.number_format == "dd/mm/yyyy hh:mm"
    assert name.value == "=1+1" and name.data_type == "s"
    assert points.value == 12 and points.number_format == "#,##0"
    assert sheet["C3"].value is None


def test_excel_rows_reuse_cells_without_mixing_values():
    import io

    from openpyxl import load_workbook

    from binhyen.core import tabular

    rows = [
        ["a", 1.5, None, 7],
        [2, "=SUM(A1)", dt.date(2026, 1, 2), 8.0],
        [None, 3.0, "x", Decimal("0.25")],
    ]
    buffer = io.BytesIO()
    tabular.write_table(
        buffer, title="T", headers=["A", "B", "C", "D"], rows=rows, caption="Tiêu đề"
    )
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    values = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert values == [
        ["a", 1.5, None, 7],
        [2, "=SUM(A1)", dt.datetime(2026, 1, 2), 8],
        [None, 3, "x", 0.25],
    ]
    assert sheet["A1"].value == "Tiêu đề" and sheet["A2"].value == "A"
    assert sheet["B4"].data_type == "s" and sheet["C4"].number_format == "dd/mm/yyyy"
    assert [sheet["B3"].number_format, sheet["B5"].number_format] == ["#,##0.0#", "#,##0"]
    assert sheet["D5"].number_format == "#,##0.0#"


def test_period_codes_are_labelled_too():
    with translation.override("vi"):
        assert formats.period_label("2026S1") == "6 tháng đầu năm 2026"
        assert formats.period_label("MY2025") == "Năm phong trào 2025"
        assert formats.period_label("not-a-period") == "not-a-period"
        assert formats.period_label("") == ""
        assert Template("{% load vn %}{{ p|period_label }}").render(Context({"p": "2025Q3"})) == (
            "Quý 3/2025"
        )
