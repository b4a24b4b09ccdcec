"""Reporting periods as immutable values parsed from short codes.

Codes (case-sensitive, as shown):

==============  =======================  ===============================================
kind            example                  span
==============  =======================  ===============================================
year            ``2025``                 01/01/2025 – 31/12/2025
half            ``2025S1``               01/01 – 30/06 (``S2``: 01/07 – 31/12)
quarter         ``2025Q3``               01/07 – 30/09
month           ``2025M07``              01/07 – 31/07
week            ``2025W05``              ISO week 5 of ISO year 2025 (Monday – Sunday)
day             ``2025-07-14``           that day
stat_month      ``SM2025M07``            police statistical month: 15/06 – 14/07/2025
movement_year   ``MY2025``               residential-area year: 01/11/2024 – 31/10/2025
team_year       ``TY2025``               security-team year: 15/11/2024 – 14/11/2025
==============  =======================  ===============================================

The start day of the statistical month and the start day/month of the two movement years
come from settings (``INDICATORS_STAT_MONTH_START_DAY``, ``INDICATORS_MOVEMENT_YEAR_START``,
``INDICATORS_TEAM_YEAR_START``) and are read when a period is built, never at import.
A movement year named ``N`` always ends in year ``N``.

Invariants (tested with hypothesis):
- ``parse_period(p.code) == p``; ``p.previous().next() == p``;
- consecutive periods of one kind tile the calendar: ``p.next().start == p.end + 1 day``;
- every day belongs to exactly one period of each kind (``Period.containing``);
- ``periods_in(kind, a, b)`` is the ordered list of periods of ``kind`` overlapping [a, b].

Each period is stored as ``(kind, ordinal)``: a number that grows by one from a period to the
next of the same kind, so arithmetic is integer arithmetic and never walks the calendar.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, total_ordering

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from binhyen.core.formats import period_label

MIN_YEAR = 1900
MAX_YEAR = 2199


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Năm")
    HALF = "half", _("Sáu tháng")
    QUARTER = "quarter", _("Quý")
    MONTH = "month", _("Tháng")
    WEEK = "week", _("Tuần")
    DAY = "day", _("Ngày")
    STAT_MONTH = "stat_month", _("Kỳ thống kê tháng (15 – 14)")
    MOVEMENT_YEAR = "movement_year", _("Năm phong trào khu dân cư")
    TEAM_YEAR = "team_year", _("Năm đánh giá Tổ bảo vệ ANTT")


# Rough length in days, used to refuse summing a longer period into a shorter one.
KIND_RANK: dict[str, int] = {
    PeriodKind.DAY: 1,
    PeriodKind.WEEK: 7,
    PeriodKind.MONTH: 30,
    PeriodKind.STAT_MONTH: 30,
    PeriodKind.QUARTER: 91,
    PeriodKind.HALF: 182,
    PeriodKind.YEAR: 365,
    PeriodKind.MOVEMENT_YEAR: 365,
    PeriodKind.TEAM_YEAR: 365,
}


class PeriodError(ValueError):
    """A period code or range that cannot be understood; the message names the bad value."""


def _stat_month_start_day() -> int:
    day = int(getattr(settings, "INDICATORS_STAT_MONTH_START_DAY", 15))
    if not 2 <= day <= 28:
        raise PeriodError(gettext("INDICATORS_STAT_MONTH_START_DAY phải từ 2 đến 28."))
    return day


def _year_start(setting: str, default: tuple[int, int]) -> tuple[int, int]:
    day, month = getattr(settings, setting, default)
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 28):
        raise PeriodError(gettext("%(name)s phải là (ngày 1–28, tháng 1–12).") % {"name": setting})
    return int(day), int(month)


def _movement_start() -> tuple[int, int]:
    return _year_start("INDICATORS_MOVEMENT_YEAR_START", (1, 11))


def _team_start() -> tuple[int, int]:
    return _year_start("INDICATORS_TEAM_YEAR_START", (15, 11))


def _shift_year_start(day: int, month: int, year: int) -> date:
    """Return the first day of the movement-like year named ``year`` (ends in ``year``)."""
    if (day, month) == (1, 1):
        return date(year, 1, 1)
    return date(year - 1, month, day)


def _iso_week_monday(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def _weeks_in_iso_year(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
    (re.compile(r"^(\d{4})S(\d)$"), PeriodKind.HALF),
    (re.compile(r"^(\d{4})Q(\d)$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})M(\d{2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})W(\d{2})$"), PeriodKind.WEEK),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), PeriodKind.DAY),
    (re.compile(r"^SM(\d{4})M(\d{2})$"), PeriodKind.STAT_MONTH),
    (re.compile(r"^MY(\d{4})$"), PeriodKind.MOVEMENT_YEAR),
    (re.compile(r"^TY(\d{4})$"), PeriodKind.TEAM_YEAR),
]


@total_ordering
@dataclass(frozen=True)
class Period:
    """One period: a kind and an ordinal; build it with ``parse_period`` or ``containing``."""

    kind: str
    ordinal: int

    # --- construction --------------------------------------------------------------------
    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """Return the period of ``kind`` that contains ``day``."""
        if kind == PeriodKind.YEAR:
            return cls(kind, day.year)
        if kind == PeriodKind.HALF:
            return cls(kind, day.year * 2 + (day.month - 1) // 6)
        if kind == PeriodKind.QUARTER:
            return cls(kind, day.year * 4 + (day.month - 1) // 3)
        if kind == PeriodKind.MONTH:
            return cls(kind, day.year * 12 + day.month - 1)
        if kind == PeriodKind.WEEK:
            monday = day - timedelta(days=day.weekday())
            return cls(kind, monday.toordinal() // 7)
        if kind == PeriodKind.DAY:
            return cls(kind, day.toordinal())
        if kind == PeriodKind.STAT_MONTH:
            start_day = _stat_month_start_day()
            months = day.year * 12 + day.month - 1
            if day.day >= start_day:
                months += 1
            return cls(kind, months)
        if kind in (PeriodKind.MOVEMENT_YEAR, PeriodKind.TEAM_YEAR):
            start_day, start_month = (
                _movement_start() if kind == PeriodKind.MOVEMENT_YEAR else _team_start()
            )
            year = day.year
            if (start_day, start_month) != (1, 1) and (day.month, day.day) >= (
                start_month,
                start_day,
            ):
                year += 1
            return cls(kind, year)
        raise PeriodError(gettext("Loại kỳ '%(kind)s' không tồn tại.") % {"kind": kind})

    # --- derived values ------------------------------------------------------------------
    @property
    def year(self) -> int:
        """The year the period is named after (an ISO year for weeks)."""
        k, o = self.kind, self.ordinal
        if k in (PeriodKind.YEAR, PeriodKind.MOVEMENT_YEAR, PeriodKind.TEAM_YEAR):
            return o
        if k == PeriodKind.HALF:
            return o // 2
        if k == PeriodKind.QUARTER:
            return o // 4
        if k in (PeriodKind.MONTH, PeriodKind.STAT_MONTH):
            return o // 12
        if k == PeriodKind.WEEK:
            return self.start.isocalendar()[0]
        return self.start.year

    @cached_property
    def start(self) -> date:
        k, o = self.kind, self.ordinal
        if k == PeriodKind.YEAR:
            return date(o, 1, 1)
        if k == PeriodKind.HALF:
            return date(o // 2, 1 + 6 * (o % 2), 1)
        if k == PeriodKind.QUARTER:
            return date(o // 4, 1 + 3 * (o % 4), 1)
        if k == PeriodKind.MONTH:
            return date(o // 12, o % 12 + 1, 1)
        if k == PeriodKind.WEEK:
            return date.fromordinal(o * 7 + 1)
        if k == PeriodKind.DAY:
            return date.fromordinal(o)
        if k == PeriodKind.STAT_MONTH:
            prev = o - 1
            return date(prev // 12, prev % 12 + 1, _stat_month_start_day())
        if k == PeriodKind.MOVEMENT_YEAR:
            return _shift_year_start(*_movement_start(), o)
        if k == PeriodKind.TEAM_YEAR:
            return _shift_year_start(*_team_start(), o)
        raise PeriodError(gettext("Loại kỳ '%(kind)s' không tồn tại.") % {"kind": k})

    @cached_property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    @cached_property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @cached_property
    def code(self) -> str:
        k, o = self.kind, self.ordinal
        if k == PeriodKind.YEAR:
            return f"{o:04d}"
        if k == PeriodKind.HALF:
            return f"{o // 2:04d}S{o % 2 + 1}"
        if k == PeriodKind.QUARTER:
            return f"{o // 4:04d}Q{o % 4 + 1}"
        if k == PeriodKind.MONTH:
            return f"{o // 12:04d}M{o % 12 + 1:02d}"
        if k == PeriodKind.WEEK:
            iso_year, week, _day = self.start.isocalendar()
            return f"{iso_year:04d}W{week:02d}"
        if k == PeriodKind.DAY:
            return self.start.isoformat()
        if k == PeriodKind.STAT_MONTH:
            return f"SM{o // 12:04d}M{o % 12 + 1:02d}"
        if k == PeriodKind.MOVEMENT_YEAR:
            return f"MY{o:04d}"
        return f"TY{o:04d}"

    @property
    def label(self) -> str:
        """Return the period's label, e.g. "Tháng 7/2025" (``core.formats.period_label``)."""
        return period_label(self)

    # --- arithmetic ----------------------------------------------------------------------
    def next(self) -> Period:
        return Period(self.kind, self.ordinal + 1)

    def previous(self) -> Period:
        return Period(self.kind, self.ordinal - 1)

    def shift(self, steps: int) -> Period:
        return Period(self.kind, self.ordinal + steps)

    def same_period_last_year(self) -> Period:
        """Return the period one year earlier (same week number, same day; 29/02 → 28/02)."""
        k = self.kind
        if k in (PeriodKind.YEAR, PeriodKind.MOVEMENT_YEAR, PeriodKind.TEAM_YEAR):
            return self.previous()
        if k == PeriodKind.HALF:
            return self.shift(-2)
        if k == PeriodKind.QUARTER:
            return self.shift(-4)
        if k in (PeriodKind.MONTH, PeriodKind.STAT_MONTH):
            return self.shift(-12)
        if k == PeriodKind.WEEK:
            iso_year, week, _day = self.start.isocalendar()
            week = min(week, _weeks_in_iso_year(iso_year - 1))
            return Period.containing(k, _iso_week_monday(iso_year - 1, week))
        day = self.start
        last_day = calendar.monthrange(day.year - 1, day.month)[1]
        return Period.containing(k, date(day.year - 1, day.month, min(day.day, last_day)))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    # --- value protocol ------------------------------------------------------------------
    def __str__(self) -> str:
        return self.code

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, self.end, self.kind) < (other.start, other.end, other.kind)


def parse_period(code: str) -> Period:
    """Return the period named by ``code``; raise ``PeriodError`` naming the bad code."""
    raw = (code or "").strip()
    for pattern, kind in _PATTERNS:
        match = pattern.match(raw)
        if match is None:
            continue
        parts = [int(p) for p in match.groups()]
        year = parts[0]
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise PeriodError(
                gettext("Kỳ '%(code)s' không hợp lệ: năm phải từ %(min)s đến %(max)s.")
                % {"code": raw, "min": MIN_YEAR, "max": MAX_YEAR}
            )
        if kind in (PeriodKind.YEAR, PeriodKind.MOVEMENT_YEAR, PeriodKind.TEAM_YEAR):
            return Period(kind, year)
        if kind == PeriodKind.HALF:
            if parts[1] not in (1, 2):
                break
            return Period(kind, year * 2 + parts[1] - 1)
        if kind == PeriodKind.QUARTER:
            if not 1 <= parts[1] <= 4:
                break
            return Period(kind, year * 4 + parts[1] - 1)
        if kind in (PeriodKind.MONTH, PeriodKind.STAT_MONTH):
            if not 1 <= parts[1] <= 12:
                break
            return Period(kind, year * 12 + parts[1] - 1)
        if kind == PeriodKind.WEEK:
            if not 1 <= parts[1] <= _weeks_in_iso_year(year):
                raise PeriodError(
                    gettext("Kỳ '%(code)s' không hợp lệ: năm %(year)s không có tuần %(week)s.")
                    % {"code": raw, "year": year, "week": parts[1]}
                )
            return Period.containing(kind, _iso_week_monday(year, parts[1]))
        try:
            day = date(year, parts[1], parts[2])
        except ValueError:
            break
        return Period.containing(kind, day)
    raise PeriodError(
        gettext(
            "Kỳ '%(code)s' không hợp lệ: dùng dạng 2025, 2025S1, 2025Q3, 2025M07, 2025W05, "
            "2025-07-14, SM2025M07, MY2025 hoặc TY2025."
        )
        % {"code": raw[:40]}
    )


def periods_in(kind: str, start: date, end: date) -> list[Period]:
    """Return the periods of ``kind`` overlapping ``[start, end]``, in order."""
    if end < start:
        raise PeriodError(
            gettext("Khoảng thời gian không hợp lệ: %(start)s sau %(end)s.")
            % {"start": start.isoformat(), "end": end.isoformat()}
        )
    first = Period.containing(kind, start)
    last = Period.containing(kind, end)
    return [Period(kind, o) for o in range(first.ordinal, last.ordinal + 1)]


def period_kind_of(code: str) -> str:
    """Return the kind of the period named by ``code`` (parsing it)."""
    return parse_period(code).kind
