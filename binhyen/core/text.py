"""Vietnamese text helpers: folding diacritics, and the one cleaning rule for typed text.

Invariants:
- ``fold`` makes "luong phong" find "Lương Phong".
- ``clean_text`` is the only rule for free text users type (names, titles, notes), in forms,
  imports and the API alike: NFC-normalised (a name typed with combining accents equals the
  same name typed precomposed), control and format characters refused (right-to-left
  overrides, zero-width spaces and joiners, byte-order marks, NUL…; tab and line breaks only
  where the text may have several lines), then trimmed. A refused character is named by its
  code point in the message, with the field's label and, for imports, the row.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from unidecode import unidecode

_SPACES = re.compile(r"\s+")
# Line and paragraph separators are line breaks in disguise: refused on one-line text.
_ONE_LINE_REFUSED = {"Cc", "Cf", "Zl", "Zp"}
_MULTILINE_ALLOWED = {"\t", "\n", "\r"}


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, with single spaces (đ becomes d)."""
    return _SPACES.sub(" ", unidecode(text or "").lower()).strip()


def refused_character(text: str, *, multiline: bool = False) -> str | None:
    """Return the first control or format character of ``text`` (None if there is none)."""
    for char in text:
        category = unicodedata.category(char)
        if category in _ONE_LINE_REFUSED:
            if multiline and char in _MULTILINE_ALLOWED:
                continue
            return char
    return None


def clean_text(
    value: Any, *, label: Any = "", multiline: bool = False, row: int | None = None
) -> str:
    """Return ``value`` NFC-normalised and trimmed; raise ``ValidationError`` on a control or
    format character, naming the field (``label``), the row (imports) and the code point."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    char = refused_character(text, multiline=multiline)
    if char is not None:
        message = _(
            "%(label)s có ký tự ẩn hoặc ký tự điều khiển không được phép (U+%(code)04X); "
            "hãy gõ lại, đừng dán từ nơi khác."
        ) % {"label": label or _("Nội dung"), "code": ord(char)}
        if row is not None:
            message = _("Dòng %(row)s: %(message)s") % {"row": row, "message": message}
        raise ValidationError(message, code="hidden_character")
    return text.strip()


@deconstructible
class CleanTextValidator:
    """A Django validator applying ``clean_text``'s refusal (forms, models)."""

    def __init__(self, *, multiline: bool = False, label: str = "") -> None:
        self.multiline = multiline
        self.label = label

    def __call__(self, value: Any) -> None:
        clean_text(value, label=self.label, multiline=self.multiline)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CleanTextValidator)
            and other.multiline == self.multiline
            and other.label == self.label
        )


def protect_text_fields(form: Any) -> None:
    """Add ``clean_text``'s refusal to every text field of ``form`` (Textarea: multi-line)."""
    from django import forms

    for name, field in form.fields.items():
        if isinstance(field, forms.CharField) and not isinstance(
            field, (forms.EmailField, forms.URLField, forms.SlugField)
        ):
            multiline = isinstance(field.widget, forms.Textarea)
            label = str(field.label or name)
            if not any(isinstance(v, CleanTextValidator) for v in field.validators):
                field.validators.append(CleanTextValidator(multiline=multiline, label=label))
