"""Excel helpers: number parsing as officials type it, and table exports."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from binhyen.indicators.excel import parse_number, table_xlsx


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
