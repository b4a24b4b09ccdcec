"""Folding Vietnamese text for search."""

from hypothesis import given
from hypothesis import strategies as st

from binhyen.core.text import fold


def test_folds_diacritics_and_d():
    assert fold("Xã Lương Phong") == "xa luong phong"
    assert fold("Đặc khu Côn Đảo") == "dac khu con dao"
    assert fold("  Phường   Hà Huy Tập ") == "phuong ha huy tap"


def test_empty_input():
    assert fold("") == ""


@given(st.text())
def test_fold_is_idempotent_and_ascii(text):
    once = fold(text)
    assert fold(once) == once
    assert once.isascii()
