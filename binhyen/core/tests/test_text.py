"""Folding Vietnamese text for search, and the one cleaning rule for typed text."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from binhyen.core.text import clean_text, fold


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


# --- clean_text: one rule for typed text ---------------------------------------------------

HIDDEN = ["\u202e", "\u202d", "\u200b", "\u200d", "\ufeff", "\x00", "\x07", "\u2028"]


@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=40),
    st.sampled_from(HIDDEN),
    st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=40),
)
def test_any_text_with_a_hidden_or_control_character_is_refused_naming_it(left, hidden, right):
    # given any text with one control or format character inside
    # when cleaned; then it is refused, and the message names the field and the code point
    with pytest.raises(ValidationError) as caught:
        clean_text(left + hidden + right, label="Tên thôn")
    assert "Tên thôn" in caught.value.messages[0]
    assert f"U+{ord(hidden):04X}" in caught.value.messages[0]


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=60))
def test_clean_text_is_nfc_trimmed_and_idempotent(text):
    # given any text without hidden characters; then it comes back NFC, trimmed, stable
    cleaned = clean_text(text)
    assert cleaned == unicodedata.normalize("NFC", cleaned) == cleaned.strip()
    assert clean_text(cleaned) == cleaned


def test_combining_accents_become_the_precomposed_letters():
    # given "Lương" typed with combining marks; then it equals the precomposed name
    decomposed = unicodedata.normalize("NFD", " Thôn Lương ")
    assert clean_text(decomposed) == "Thôn Lương"


def test_line_breaks_and_tabs_only_in_multi_line_text_and_the_row_is_named():
    assert clean_text("Dòng 1\r\n\tDòng 2", multiline=True) == "Dòng 1\r\n\tDòng 2"
    with pytest.raises(ValidationError, match="Dòng 7: Tên"):
        clean_text("Thôn\nĐông", label="Tên", row=7)
