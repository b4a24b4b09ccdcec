"""Populations for per-1,000 rates.

Invariant: the ``population`` metric (latest year up to the period's end year, looking back
five years) is preferred; otherwise the unit's own ``population`` field, else the sum of the
populations of the current units one level below it (or of its current communes).
"""

from __future__ import annotations

from collections.abc import Sequence

from binhyen.core.db_router import analytics
from binhyen.indicators.engine.grouped import Grouped, aggregate, combine
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.orgunits.models import OrgUnit

POPULATION_METRIC = "population"


def population_request(periods: Sequence[Period]) -> tuple[Metric | None, list[Period]]:
    """Return the population metric and the years to read for rates over ``periods``."""
    metric = Metric.objects.filter(code=POPULATION_METRIC, is_active=True).first()
    years = sorted({p.end.year for p in periods})
    if metric is None or not years:
        return None, []
    return metric, [Period(PeriodKind.YEAR, y) for y in range(years[0] - 5, years[-1] + 1)]


@analytics
def populations(
    units: Sequence[OrgUnit],
    periods: Sequence[Period],
    *,
    grouped: Grouped | None = None,
    metric: Metric | None = None,
) -> dict[tuple[int, str], float]:
    """Return population per (unit id, period code) for per-1,000 rates.

    The ``population`` metric (latest year up to the period's end year, looking back five
    years) is preferred; otherwise the unit's own ``population`` field, else the sum of the
    populations of the current units one level below it (or of its current communes).
    """
    out: dict[tuple[int, str], float] = {}
    if grouped is None:
        metric, years = population_request(periods)
        grouped = aggregate(metrics=[metric], units=units, periods=years) if metric else {}
    if metric is not None:
        for unit in units:
            series = grouped.get((unit.pk, metric.pk, ""))
            if not series:
                continue
            for period in periods:
                for y in range(period.end.year, period.end.year - 6, -1):
                    value, _pred = combine(metric, series, Period(PeriodKind.YEAR, y))
                    if value:
                        out[(unit.pk, period.code)] = value
                        break
    missing = [u for u in units if any((u.pk, p.code) not in out for p in periods)]
    if missing:
        fallback = _field_populations(missing)
        for unit in missing:
            if fallback.get(unit.pk):
                for period in periods:
                    out.setdefault((unit.pk, period.code), fallback[unit.pk])
    return out


def _field_populations(units: Sequence[OrgUnit]) -> dict[int, float]:
    from django.db.models import Sum

    out: dict[int, float] = {}
    for unit in units:
        if unit.population:
            out[unit.pk] = float(unit.population)
            continue
        below = (
            OrgUnit.objects.current()
            .filter(path__startswith=unit.path, level=unit.level + 1)
            .aggregate(total=Sum("population"))["total"]
        )
        if not below:
            below = (
                OrgUnit.objects.current()
                .filter(path__startswith=unit.path, kind="commune")
                .aggregate(total=Sum("population"))["total"]
            )
        if below:
            out[unit.pk] = float(below)
    return out
