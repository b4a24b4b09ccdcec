"""The tips metric provider: received, valuable, concluded and on-time tips per commune.

Counting rules (one month at a time, local time):
- ``tips_received``: tips received in the period, by the commune whose queue holds them;
- ``tips_valuable``: of those, the ones marked "tin có giá trị";
- ``tips_concluded``: tips concluded in the period (handled, unfounded, transferred);
- ``tips_on_time``: of those, concluded no later than their deadline.
Duplicates count in none of them: the tip they were merged into counts once.
Tips still in a province queue (place unknown) count once an officer places them in a commune.
Every commune open during the period gets a value, zero included, so monthly reports that
include these metrics are never blocked by a missing number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from binhyen.indicators.periods import Period
from binhyen.indicators.providers import ProvidedValue

PROVIDER_KEY = "tips.counts"
METRIC_CODES = ("tips_received", "tips_valuable", "tips_concluded", "tips_on_time")


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """Return the aware [start, end) datetimes of ``period`` in the current time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


class TipCountsProvider:
    """Compute the four tip counts for every commune open during the period."""

    key: str = PROVIDER_KEY
    metric_codes: tuple[str, ...] = METRIC_CODES

    def _counts(self, metric_code: str, period: Period) -> dict[int, int]:
        from binhyen.orgunits.models import UnitKind
        from binhyen.tips.models import CONCLUDED_STATUSES, Status, Tip

        start, end = period_bounds(period)
        tips: QuerySet[Tip] = Tip.objects.filter(orgunit__kind=UnitKind.COMMUNE).exclude(
            status=Status.DUPLICATE
        )
        if metric_code in ("tips_received", "tips_valuable"):
            tips = tips.filter(created_at__gte=start, created_at__lt=end)
            if metric_code == "tips_valuable":
                tips = tips.filter(is_valuable=True)
        else:
            tips = tips.filter(
                status__in=CONCLUDED_STATUSES, concluded_at__gte=start, concluded_at__lt=end
            )
            if metric_code == "tips_on_time":
                tips = tips.filter(Q(concluded_at__lte=F("due_at")))
        rows = tips.values("orgunit_id").annotate(n=Count("id")).values_list("orgunit_id", "n")
        return dict(rows)

    def values(self, *, metric_code: str, period: Period) -> Iterable[ProvidedValue]:
        from binhyen.orgunits.models import OrgUnit, UnitKind

        if metric_code not in METRIC_CODES:
            return
        counts = self._counts(metric_code, period)
        communes = (
            OrgUnit.objects.valid_on(period.end)
            .filter(kind=UnitKind.COMMUNE)
            .values_list("id", flat=True)
        )
        seen: set[int] = set()
        for unit_id in communes.iterator(chunk_size=2000):
            seen.add(unit_id)
            yield ProvidedValue(orgunit_id=unit_id, value=float(counts.get(unit_id, 0)))
        # A commune closed before the period ended but holding tips of the period still counts.
        for unit_id, n in counts.items():
            if unit_id not in seen:
                yield ProvidedValue(orgunit_id=unit_id, value=float(n))
