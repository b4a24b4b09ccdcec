"""Numbers, changes, dates and period labels written the one Vietnamese way (English complete).

Everything goes through Django's locale formats (``FORMAT_MODULE_PATH`` points at
``binhyen.core.locale_formats``) and gettext, so the active language decides:

==================  ================================  ================================
function            vi (default)                      en
==================  ================================  ================================
format_number       "1.234.567", "8,5"                "1,234,567", "8.5"
format_change       "tăng 12,5 %", "giảm 10 %",       "up 12.5 %", "down 10 %",
                    "không đổi"                       "no change"
format_date         "15/06/2026"                      "15/06/2026"
format_date_long    "ngày 15 tháng 6 năm 2026"        "15 June 2026"
format_datetime     "15/06/2026 14:30"                "15/06/2026 14:30"
period_label        "Tháng 6/2026", "Quý 3/2026", "6 tháng đầu năm 2026", "Năm 2026",
                    "Năm phong trào 2026", "Kỳ tháng 6/2026 (15/05 – 14/06)"
==================  ================================  ================================

Invariants (tested with hypothesis): digits are grouped by three whatever the setting
``USE_THOUSAND_SEPARATOR``; removing the thousand separator and reading the decimal separator
as a point gives back the value rounded to the decimals shown; ``None`` gives "".
Aware datetimes are shown in the current time zone. Templates use the ``vn`` tag library
(``binhyen/core/templatetags/vn.py``), never a format string of their own.

``period_label`` reads a period value by its attributes (``kind``, ``ordinal``, ``year``,
``start``, ``end``: ``binhyen.indicators.periods.Period``) because core sits below indicators.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

from django.utils import formats, timezone
from django.utils.translation import gettext

Number = int | float | Decimal

# Floats carry measurement noise (8.499999…); without explicit decimals they show at most this
# many places. Trailing fractional zeros are dropped for floats and Decimals alike.
FLOAT_DECIMALS = 2


class PeriodLike(Protocol):
    """What ``period_label`` reads from a period value."""

    @property
    def kind(self) -> str: ...

    @property
    def ordinal(self) -> int: ...

    @property
    def year(self) -> int: ...

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


def _to_decimal(value: Number, decimals: int | None) -> Decimal | None:
    """Return ``value`` as a Decimal rounded half-up to the places it will be shown with."""
    if isinstance(value, bool):
        value = int(value)
    try:
        number = Decimal(value) if isinstance(value, int | Decimal) else Decimal(repr(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite():
        return None
    if decimals is None:
        if isinstance(value, int):
            places = 0
        elif isinstance(value, float):
            places = FLOAT_DECIMALS
        else:
            exponent = number.as_tuple().exponent
            places = max(0, -exponent) if isinstance(exponent, int) else 0
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if places and not isinstance(value, int):
            number = _strip_zeros(number)
    else:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)
    return number


def _strip_zeros(number: Decimal) -> Decimal:
    """Drop trailing fractional zeros without turning 100 into 1E+2."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def format_number(value: Number | None, decimals: int | None = None) -> str:
    """Return ``value`` with the active language's separators: "1.234.567", "8,5".

    ``decimals=None`` shows integers whole, Decimals with their own places and floats with at
    most two places, trailing fractional zeros dropped ("8,5", not "8,50"); an explicit
    ``decimals`` always shows that many.
    """
    if value is None or value == "":
        return ""
    number = _to_decimal(value, decimals)
    if number is None:
        return str(value)
    places = max(0, -int(number.as_tuple().exponent))
    return str(formats.number_format(number, places, use_l10n=True, force_grouping=True))


def format_change(pct: Number | None, decimals: int = 1) -> str:
    """Return a percentage change in words: "tăng 12,5 %", "giảm 10 %", "không đổi"."""
    if pct is None or pct == "":
        return ""
    number = _to_decimal(pct, decimals)
    if number is None:
        return ""
    if number == 0:
        return gettext("không đổi")
    shown = format_number(_strip_zeros(abs(number)))
    if number > 0:
        return gettext("tăng %(pct)s %%") % {"pct": shown}
    return gettext("giảm %(pct)s %%") % {"pct": shown}


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def format_date(value: date | datetime | None) -> str:
    """Return "15/06/2026" (the locale's ``SHORT_DATE_FORMAT``)."""
    if value is None or value == "":
        return ""
    return formats.date_format(_as_date(value), "SHORT_DATE_FORMAT", use_l10n=True)


def format_date_long(value: date | datetime | None) -> str:
    """Return "ngày 15 tháng 6 năm 2026" (en: "15 June 2026"), the wording of documents."""
    if value is None or value == "":
        return ""
    return formats.date_format(_as_date(value), "DATE_FORMAT", use_l10n=True)


def format_datetime(value: datetime | None, *, seconds: bool = False) -> str:
    """Return "15/06/2026 14:30" in the current time zone ("15/06/2026 14:30:05" with seconds)."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if seconds:
        day = formats.date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)
        return f"{day} {formats.time_format(value, 'H:i:s', use_l10n=True)}"
    return formats.date_format(value, "SHORT_DATETIME_FORMAT", use_l10n=True)


def format_day_month(value: date) -> str:
    """Return "15/06" (the locale's ``MONTH_DAY_FORMAT``), used inside period labels."""
    return formats.date_format(value, "MONTH_DAY_FORMAT", use_l10n=True)


def period_label(period: PeriodLike | None) -> str:
    """Return the one label of a reporting period: "Tháng 6/2026", "Quý 3/2026", …"""
    if period is None:
        return ""
    kind, ordinal = period.kind, period.ordinal
    values: dict[str, object] = {"year": period.year}
    if kind == "year":
        return gettext("Năm %(year)s") % values
    if kind == "half":
        if ordinal % 2 == 0:
            return gettext("6 tháng đầu năm %(year)s") % values
        return gettext("6 tháng cuối năm %(year)s") % values
    if kind == "quarter":
        return gettext("Quý %(n)s/%(year)s") % {**values, "n": ordinal % 4 + 1}
    if kind == "month":
        return gettext("Tháng %(n)s/%(year)s") % {**values, "n": ordinal % 12 + 1}
    if kind == "week":
        return gettext("Tuần %(n)s/%(year)s") % {**values, "n": period.start.isocalendar()[1]}
    if kind == "day":
        return format_date(period.start)
    if kind == "stat_month":
        return gettext("Kỳ tháng %(n)s/%(year)s (%(start)s – %(end)s)") % {
            **values,
            "n": ordinal % 12 + 1,
            "start": format_day_month(period.start),
            "end": format_day_month(period.end),
        }
    if kind == "movement_year":
        return gettext("Năm phong trào %(year)s") % values
    if kind == "team_year":
        return gettext("Năm đánh giá Tổ bảo vệ %(year)s") % values
    return str(period)
