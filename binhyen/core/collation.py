"""Vietnamese order for every list: a ă â b c d đ e ê … y, tones after the base letters.

Lists of names (units, people, schemes) are sorted in SQL where they are paged, with one
expression, ``vi_order("name")``:
- PostgreSQL: ``name COLLATE "vi-x-icu"`` (ICU's Vietnamese collation; the name is the
  setting ``VI_COLLATION``);
- SQLite: ``name COLLATE binhyen_vi``, a collation registered on every new connection that
  compares ``vi_key`` of both sides.
Lists built in Python sort with ``key=vi_key`` (or ``vi_sorted``).

``vi_key`` orders by the letters first (ă after a, â after ă, đ after d, ê after e, ô and ơ
after o, ư after u; digits and other characters before letters), then by the tones in
dictionary order (ngang, huyền, hỏi, ngã, sắc, nặng), then lower case before upper case.
ICU agrees on the letters; it may order two names that differ only by their tones
differently, which no list relies on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import F, Func

SQLITE_COLLATION = "binhyen_vi"
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: index for index, letter in enumerate(_LETTERS)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SHAPES = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn: part of the letter
T = TypeVar("T")


@lru_cache(maxsize=200_000)
def vi_key(text: str | None) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Return the sort key of ``text`` in Vietnamese order (see the module docstring)."""
    letters: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    for char in unicodedata.normalize("NFC", text or ""):
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        shape = "".join(m for m in decomposed[1:] if m in _SHAPES)
        tone = next((_TONES[m] for m in decomposed[1:] if m in _TONES), 0)
        letter = unicodedata.normalize("NFC", base + shape)
        lower = letter.lower()
        rank = _RANK.get(lower)
        # Spaces sort first (so "An" < "An Lão" < "Anh"), then digits and signs, then letters.
        if char.isspace():
            letters.append(0)
        elif rank is None:
            # Digits and signs before the letters, letters of other alphabets after them.
            letters.append(0x20000 + ord(lower) if lower.isalpha() else 1 + ord(lower) % 0xFFFF)
        else:
            letters.append(0x10000 + rank)
        tones.append(tone)
        cases.append(0 if letter == lower else 1)
    return tuple(letters), tuple(tones), tuple(cases)


def vi_sorted(items: Iterable[T], key: Callable[[T], str | None]) -> list[T]:
    """Return ``items`` sorted in Vietnamese order of ``key(item)``."""
    return sorted(items, key=lambda item: vi_key(key(item)))


def _compare(left: str | None, right: str | None) -> int:
    a, b = vi_key(left), vi_key(right)
    return (a > b) - (a < b)


def install_sqlite_collation(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give SQLite connections the Vietnamese collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


class ViOrder(Func):
    """``expression COLLATE <Vietnamese>`` on the current engine (ascending by default)."""

    template = "%(expressions)s COLLATE %(collation)s"

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra: Any,
    ) -> Any:
        if connection.vendor == "postgresql":
            name = connection.ops.quote_name(getattr(settings, "VI_COLLATION", "vi-x-icu"))
        elif connection.vendor == "sqlite":
            name = SQLITE_COLLATION
        else:  # another engine: its own default order
            return compiler.compile(self.source_expressions[0])
        return super().as_sql(
            compiler, connection, function, template, arg_joiner, collation=name, **extra
        )


def vi_order(field: str, *, descending: bool = False) -> Any:
    """Return the ``order_by`` term sorting ``field`` in Vietnamese order."""
    expression = ViOrder(F(field))
    return expression.desc() if descending else expression.asc()
