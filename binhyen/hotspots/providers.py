"""Hotspot counts as metrics, broken down by regime (``hotspot_regime``).

- ``hotspots_designated``: communes on the year's lists (``Designation.year``), by regime.
- ``hotspots_removed``: of those, the ones with a removal decision (as recorded now).
- ``hotspots_relapsed``: of those, the ones that relapsed after removal.
- ``hotspots_in_force``: designations in force at the end of the period (or today, for the
  period that has not ended yet).
- ``hotspot_tasks_overdue``: plan tasks of designations in force that were past their
  deadline and not done at the end of the period (or today).

The list metrics (designated, removed, relapsed) are defined for year periods only. Values
go on the designated commune; a commune closed before the period (the 2025 reform) passes
its designations still in force to its successors (``place_units``), so a plan running
across the reform counts at the new commune. A designation moved onto its successor
(``services.designation_carry_forward``) counts on its ``former_orgunit`` for the periods that
commune was open in, so its figures before the reform do not change. ``hotspots_designated`` and
``hotspots_in_force`` are distinct counts (items "designation:<id>"): a designation counts
once at every level, however many successors or old communes lead to a unit.

The two "at the end of the period" metrics change with the calendar, so besides the sync
after each write, ``manage.py hotspots_metrics_sync`` refreshes them daily.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from binhyen.hotspots.models import Designation, PlanTask, Relapse
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.providers import ProvidedValue, emit_items, emit_quantities
from binhyen.orgunits.history import carried_unit

PROVIDER_KEY = "hotspots.designations"
LIST_METRICS = ("hotspots_designated", "hotspots_removed", "hotspots_relapsed")
STATE_METRICS = ("hotspots_in_force", "hotspot_tasks_overdue")
METRIC_CODES = (*LIST_METRICS, *STATE_METRICS)


def in_force_on(day: object, prefix: str = "") -> Q:
    """Return the condition "designation in force on ``day``"."""
    return Q(**{f"{prefix}decision_date__lte": day}) & (
        Q(**{f"{prefix}removal_date__isnull": True}) | Q(**{f"{prefix}removal_date__gt": day})
    )


def _count(
    queryset: QuerySet, unit: str, regime: str | None, period: Period
) -> Iterable[ProvidedValue]:
    columns = [unit, regime] if regime else [unit]
    rows = queryset.values(*columns).annotate(n=Count("id")).order_by()
    return emit_quantities(
        (
            (row[unit], row[regime] if regime else "", row["n"])
            for row in rows.iterator(chunk_size=2000)
            if row["n"]
        ),
        period,
        "commune",
    )


def _items(queryset: QuerySet, regime: str | None, period: Period) -> Iterable[ProvidedValue]:
    rows = (
        queryset.annotate(placed=carried_unit("orgunit", period.start))
        .values_list("placed", "regime", "pk")
        .order_by()
    )
    return emit_items(
        (
            (unit_id, option if regime else "", f"designation:{pk}")
            for unit_id, option, pk in rows.iterator(chunk_size=2000)
        ),
        period,
        "commune",
    )


def _alive_during(period: Period, prefix: str) -> Q:
    """Units open at some time in the period or closed before it (their records continue
    at the successors); never units that only opened after it, unless the designation was
    moved there from a commune open in the period (``former_orgunit``)."""
    lead = prefix[: -len("orgunit__")]
    return (
        Q(**{f"{prefix}valid_from__isnull": True})
        | Q(**{f"{prefix}valid_from__lte": period.end})
        | Q(**{f"{lead}former_orgunit__valid_to__gte": period.start})
    )


class HotspotMetricsProvider:
    """Publish hotspot counts per commune and regime (see the module docstring)."""

    key = PROVIDER_KEY
    metric_codes: tuple[str, ...] = METRIC_CODES

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        by_regime = Metric.objects.filter(code=metric_code, disaggregation__isnull=False).exists()
        cutoff = min(period.end, timezone.localdate())
        if metric_code == "hotspot_tasks_overdue":
            tasks = PlanTask.objects.filter(
                _alive_during(period, "designation__orgunit__"),
                in_force_on(cutoff, "designation__"),
                deadline__lt=cutoff,
            ).filter(Q(completed_on__isnull=True) | Q(completed_on__gt=cutoff))
            return _count(
                tasks.annotate(placed=carried_unit("designation__orgunit", period.start)),
                "placed",
                "designation__regime" if by_regime else None,
                period,
            )
        designations = Designation.objects.filter(_alive_during(period, "orgunit__"))
        regime = "regime" if by_regime else None
        if metric_code == "hotspots_in_force":
            return _items(designations.filter(in_force_on(cutoff)), regime, period)
        else:
            if period.kind != PeriodKind.YEAR:
                return []
            designations = designations.filter(year=period.start.year)
            if metric_code == "hotspots_removed":
                designations = designations.filter(removal_date__isnull=False)
            elif metric_code == "hotspots_relapsed":
                designations = designations.filter(
                    Exists(Relapse.objects.filter(designation=OuterRef("pk")))
                )
            if metric_code == "hotspots_designated":
                return _items(designations, regime, period)
        placed = designations.annotate(placed=carried_unit("orgunit", period.start))
        return _count(placed, "placed", regime, period)
