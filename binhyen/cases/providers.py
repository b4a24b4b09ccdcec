"""Case counts as metrics: numbers per commune, never a name (year periods).

- ``cases_open``: cases open at the end of the period (or today), by case type
  (``case_type`` breakdown): opened on or before that day and not closed by then.
- ``cases_employed``: cases with an "employed" outcome in the period (each case once).
- ``cases_loans``: cases with a "loan granted" outcome in the period (each case once).
- ``cases_closed``: cases closed in the period, by closure reason (``case_closure_reason``).

Values go on the case's current commune. They read only the type, the commune, the dates,
the outcome kinds and the closure reason, which anonymisation keeps: figures survive it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from binhyen.cases.models import Case
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.providers import ProvidedValue

PROVIDER_KEY = "cases.counts"
CASE_TYPE_DISAGGREGATION = "case_type"
CLOSURE_DISAGGREGATION = "case_closure_reason"
METRIC_CODES = ("cases_open", "cases_employed", "cases_loans", "cases_closed")


def _count(queryset: QuerySet, option: str | None) -> Iterable[ProvidedValue]:
    columns = ["orgunit_id", option] if option else ["orgunit_id"]
    for row in queryset.values(*columns).annotate(n=Count("id", distinct=True)).order_by():
        if row["n"]:
            yield ProvidedValue(
                orgunit_id=row["orgunit_id"],
                value=float(row["n"]),
                option=row[option] if option else "",
            )


class CaseMetricsProvider:
    """Publish the case counts per commune (see the module docstring)."""

    key = PROVIDER_KEY
    metric_codes: tuple[str, ...] = METRIC_CODES

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        if period.kind != PeriodKind.YEAR:
            return []
        cutoff = min(period.end, timezone.localdate())
        if metric_code == "cases_open":
            cases = Case.objects.filter(opened_on__lte=cutoff).filter(
                Q(closed_on__isnull=True) | Q(closed_on__gt=cutoff)
            )
            return _count(cases, "case_type__code")
        if metric_code == "cases_closed":
            cases = Case.objects.filter(
                status=Case.Status.CLOSED, closed_on__gte=period.start, closed_on__lte=period.end
            )
            return _count(cases, "closure_reason")
        kind = {"cases_employed": "employed", "cases_loans": "loan_granted"}.get(metric_code)
        if kind is None:
            return []
        cases = Case.objects.filter(
            outcomes__kind=kind,
            outcomes__achieved_on__gte=period.start,
            outcomes__achieved_on__lte=period.end,
        )
        return _count(cases, None)
