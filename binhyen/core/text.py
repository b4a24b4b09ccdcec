"""Vietnamese text helpers: folding diacritics so "luong phong" finds "Lương Phong"."""

from __future__ import annotations

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, with single spaces (đ becomes d)."""
    return _SPACES.sub(" ", unidecode(text or "").lower()).strip()
