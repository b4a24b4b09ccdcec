"""Template filters that write numbers, dates and periods through ``binhyen.core.formats``.

``{% load vn %}`` then ``{{ value|number }}``, ``{{ value|number:1 }}``, ``{{ pct|change }}``,
``{{ day|vdate }}``, ``{{ day|vdate_long }}``, ``{{ moment|vdatetime }}``,
``{{ moment|vdatetime:"seconds" }}``,
``{{ period|period_label }}``. Templates never spell a date format of their own; a value the
filter cannot read is shown as it is rather than raising while a page renders.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template

from binhyen.core import formats

register = template.Library()


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value.strip()) if value.strip() else None
        except ArithmeticError:
            return value
    return value


@register.filter(name="number")
def number(value: Any, decimals: Any = None) -> str:
    """Return ``value`` as "1.234.567" / "8,5"; an argument fixes the decimals shown."""
    value = _number(value)
    if not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    places = None if decimals in (None, "") else int(decimals)
    return formats.format_number(value, places)


@register.filter(name="uom")
def uom(value: Any) -> str:
    """Return a metric's unit of measure in the page's language ("vụ" → "cases")."""
    from binhyen.core.vocabulary import unit_of_measure_label

    return unit_of_measure_label(str(value or ""))


@register.filter(name="change")
def change(value: Any) -> str:
    """Return a percentage change as "tăng 12,5 %", "giảm 10 %" or "không đổi"."""
    value = _number(value)
    if not isinstance(value, int | float | Decimal):
        return ""
    return formats.format_change(value)


@register.filter(name="vdate", expects_localtime=True)
def vdate(value: Any) -> str:
    """Return a date (or the local date of a datetime) as "15/06/2026"."""
    if isinstance(value, date):
        return formats.format_date(value)
    return "" if value is None else str(value)


@register.filter(name="vdate_long", expects_localtime=True)
def vdate_long(value: Any) -> str:
    """Return a date as "ngày 15 tháng 6 năm 2026" (en: "15 June 2026")."""
    if isinstance(value, date):
        return formats.format_date_long(value)
    return "" if value is None else str(value)


@register.filter(name="vdatetime", expects_localtime=True)
def vdatetime(value: Any, precision: str = "") -> str:
    """Return a datetime as "15/06/2026 14:30" (``"seconds"``: "15/06/2026 14:30:05")."""
    if isinstance(value, datetime):
        return formats.format_datetime(value, seconds=precision == "seconds")
    if isinstance(value, date):
        return formats.format_date(value)
    return "" if value is None else str(value)


@register.filter(name="period_label")
def period_label(value: Any) -> str:
    """Return the label of a period value or code ("2026M06" → "Tháng 6/2026")."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) or (hasattr(value, "kind") and hasattr(value, "ordinal")):
        return formats.period_label(value)
    return str(value)
