"""The community overview: numbers as the indicators engine has them (rolled up).
Invariants:
- Every read that takes a ``user`` starts from ``OrgUnit.objects.visible_to(user)``: a
  record whose unit is outside the scope is indistinguishable from a missing one (the
  ``*_get`` functions raise the same ``Http404`` for both).
- Numbers come only from the indicators engine (``indicators.selectors.analytics``), so
  the overview and the dashboards never disagree; inactive metrics are skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from binhyen.community.models import (
    SchemeCategory,
    TaskGrade,
    TeamRole,
)
from binhyen.community.selectors.gradings import current_team_year, team_period
from binhyen.community.selectors.units import today
from binhyen.indicators.periods import Period, parse_period
from binhyen.orgunits.models import OrgUnit

# --- overview (numbers from the indicators engine) ------------------------------------------

MONTH_METRICS = (
    "schemes_active",
    "scheme_sites",
    "security_teams",
    "team_members",
    "villages_pledged",
    "villages",
    "households_registered",
    "establishments_pledged",
)


@dataclass
class Overview:
    """What the engine says about a unit: this month's counts, options, and yearly figures."""

    unit: OrgUnit
    period: Period
    values: dict[str, float | None]
    options: dict[str, list[tuple[str, float | None]]]
    households: float | None
    grades: list[tuple[str, float | None]]
    grade_period: Period


def _engine_rows(*, user: Any, unit: OrgUnit, codes: Sequence[str], period: Period) -> list[Any]:
    from binhyen.indicators import selectors as indicator_selectors
    from binhyen.indicators.models import Metric

    active = list(
        Metric.objects.filter(code__in=list(codes), is_active=True).values_list("code", flat=True)
    )
    if not active:
        return []
    result = indicator_selectors.analytics(
        user=user,
        metric_codes=[c for c in codes if c in active],
        unit_codes=[unit.code],
        period_codes=[period.code],
        compare=False,
        disaggregate=True,
    )
    return result.rows


def overview(*, user: Any, unit: OrgUnit, day: date | None = None) -> Overview:
    """Return the unit's community numbers as the indicators engine has them (rolled up)."""
    day = day or today()
    period = Period.containing("month", day)
    values: dict[str, float | None] = {}
    raw_options: dict[str, dict[str, float | None]] = defaultdict(dict)
    for row in _engine_rows(user=user, unit=unit, codes=MONTH_METRICS, period=period):
        if row.option:
            raw_options[row.metric][row.option] = row.value
        if row.value is not None:
            values[row.metric] = (values.get(row.metric) or 0.0) + row.value
        else:
            values.setdefault(row.metric, None)
    labels: dict[str, str] = {
        str(code): str(label)
        for choices in (SchemeCategory.choices, TeamRole.choices, TaskGrade.choices)
        for code, label in choices
    }
    options: dict[str, list[tuple[str, float | None]]] = {
        metric: [(labels.get(code, code), value) for code, value in items.items() if value]
        for metric, items in raw_options.items()
    }
    households: float | None = None
    for year in (day.year, day.year - 1):
        rows = _engine_rows(
            user=user, unit=unit, codes=["households"], period=parse_period(str(year))
        )
        households = next((r.value for r in rows if r.value is not None), None)
        if households is not None:
            break
    grades: list[tuple[str, float | None]] = []
    grade_period = team_period(current_team_year(day))
    for year in (grade_period.year, grade_period.year - 1):
        grade_period = team_period(year)
        grade_rows = _engine_rows(
            user=user, unit=unit, codes=["security_team_grades"], period=grade_period
        )
        grades = [(labels.get(r.option, r.option), r.value) for r in grade_rows if r.value]
        if grades:
            break
    return Overview(
        unit=unit,
        period=period,
        values=values,
        options=options,
        households=households,
        grades=grades,
        grade_period=grade_period,
    )
