"""Excel helpers: number parsing as officials type it, and table exports."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from binhyen.indicators.excel import NotFinite, parse_number, table_xlsx
from binhyen.indicators.models import Metric


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_vietnamese_and_plain_number_formats_agree(whole, cents):
    # given a number written with a decimal comma and dot thousands separators
    vietnamese = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    plain = f"{whole}.{cents:02d}"
    # then both read as the same value
    assert parse_number(vietnamese) == pytest.approx(float(plain))
    assert parse_number(f" {whole} ") == whole


@pytest.mark.parametrize("raw", ["abc", "1,2,3x", "--1"])
def test_garbage_is_refused(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


def test_blank_cells_are_none():
    assert parse_number(None) is None
    assert parse_number("  ") is None


def test_table_export_round_trips():
    data = table_xlsx(title="Bảng/thử", headers=["Mã", "Giá trị"], rows=[["01", 5], ["02", None]])
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows == [("Bảng/thử", None), ("Mã", "Giá trị"), ("01", 5), ("02", None)]


@pytest.mark.parametrize("raw", ["inf", "-inf", "1e400", "nan", float("inf"), float("nan")])
def test_infinity_and_nan_are_refused_as_not_finite(raw):
    # given a cell that Python would read as infinity or NaN; then it is refused
    with pytest.raises(NotFinite):
        parse_number(raw)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_metric_names_infinity_and_nan_as_not_finite_instead_of_crashing(value):
    # given integer and decimal metrics; when checking a non-finite value; then a reason
    for value_type in ("integer", "decimal", "percent"):
        assert "hữu hạn" in Metric(value_type=value_type).check_value(value)


@pytest.mark.django_db
def test_a_metric_without_maximum_uses_the_default_and_its_own_when_set(settings):
    # given the default maximum of one million; then a metric without its own bound uses it
    settings.INDICATORS_DEFAULT_MAX_VALUE = 1_000_000
    assert Metric().check_value(1_000_000) is None
    assert "1000000" in Metric().check_value(1_000_001)
    # and a metric's own maximum wins
    assert Metric(max_value=10_000_000).check_value(5_000_000) is None
