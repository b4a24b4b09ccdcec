"""Form parsing: codes of any shape never crash and only well-formed ones pass."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from binhyen.accounts.forms import BackupCodeForm, OtpCodeForm


@given(st.text(max_size=40))
@example("١٢٣٤٥٦")  # Arabic-Indic digits are digits to Python, not to an authenticator
@example("²²²²²²")
@example(" 123456          ")
def test_otp_code_form_accepts_exactly_six_digits(text):
    # Given any typed text
    # When it is entered as a code
    # Then only six ASCII digits (spaces aside) are accepted, else the field says why
    form = OtpCodeForm({"code": text})
    compact = "".join(text.split())
    expected = (
        compact.isascii() and compact.isdigit() and len(compact) == 6 and len(text.strip()) <= 16
    )
    assert form.is_valid() == expected
    if not expected:
        assert "code" in form.errors


@given(st.text(max_size=40))
def test_backup_code_form_never_crashes(text):
    # Given any typed text
    # Then the backup code form answers without crashing, and keeps only letters and digits
    form = BackupCodeForm({"code": text})
    if form.is_valid():
        assert form.cleaned_data["code"].isalnum()


def test_otp_code_form_strips_spaces():
    # Given a code typed with spaces
    # Then it is accepted without them
    form = OtpCodeForm({"code": " 123 456 "})
    assert form.is_valid()
    assert form.cleaned_data["code"] == "123456"
