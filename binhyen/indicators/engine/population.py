"""Populations for per-1,000 rates.

Invariant: the unit's own ``population`` field (set on the unit page or by the province's
population workbook) is the source of truth; else the sum of the fields of the current units
one level below it (or of its current communes); only a unit with none of those uses the
``population`` metric (latest year up to the period's end year, looking back five years).
A unit with no population at all has no rate (``None``, shown as "chưa có dân số"): never
a rate over a guessed or zero population.
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

    The unit's own ``population`` field, else the sum of the current units one level below
    it (or of its current communes); a unit with none of those takes the ``population``
    metric (latest year up to the period's end year, looking back five years).
    """
    out: dict[tuple[int, str], float] = {}
    fields = _field_populations(units)
    for unit in units:
        if fields.get(unit.pk):
            for period in periods:
                out[(unit.pk, period.code)] = fields[unit.pk]
    missing = [u for u in units if not fields.get(u.pk)]
    if not missing:
        return out
    if grouped is None:
        metric, years = population_request(periods)
        grouped = aggregate(metrics=[metric], units=missing, periods=years) if metric else {}
    if metric is not None:
        for unit in missing:
            series = grouped.get((unit.pk, metric.pk, ""))
            if not series:
                continue
            for period in periods:
                for y in range(period.end.year, period.end.year - 6, -1):
                    value, _pred = combine(metric, series, Period(PeriodKind.YEAR, y))
                    if value:
                        out[(unit.pk, period.code)] = value
                        break
    return out


def _field_populations(units: Sequence[OrgUnit]) -> dict[int, float]:
    """Own populations, else the current children's sum, else the current communes' sum.

    One query for the children of every unit at once, and one for the communes under the
    units above communes whose children carry no population.
    """
    from django.db.models import Q, Sum

    out: dict[int, float] = {u.pk: float(u.population) for u in units if u.population}
    rest = [u for u in units if u.pk not in out]
    if not rest:
        return out
    sums = dict(
        OrgUnit.objects.current()
        .filter(parent_id__in=[u.pk for u in rest], population__isnull=False)
        .order_by()
        .values("parent_id")
        .annotate(total=Sum("population"))
        .values_list("parent_id", "total")
    )
    upper = [
        u for u in rest if not sums.get(u.pk) and u.kind in ("country", "province", "district")
    ]
    communes: list[tuple[str, int | None]] = []
    if upper:
        under = Q()
        for unit in upper:
            under |= Q(path__startswith=unit.path)
        communes = list(
            OrgUnit.objects.current()
            .filter(under, kind="commune", population__isnull=False)
            .values_list("path", "population")
        )
    for unit in rest:
        below = sums.get(unit.pk)
        if not below and unit in upper:
            below = sum(pop or 0 for path, pop in communes if path.startswith(unit.path))
        if below:
            out[unit.pk] = float(below)
    return out
