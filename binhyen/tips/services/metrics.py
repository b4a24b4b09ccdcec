"""Publishing tip numbers to indicators: re-syncs after commit, coalesced and throttled.

Invariants:
- Published numbers are re-synced by the task queue, never in the request: after commit, a
  re-sync per tip metric and month is enqueued, coalesced (at most one pending per metric
  and month).
- ``tips_metrics_sync`` re-publishes this month and the last on a schedule, so what the
  throttle below skipped catches up within minutes.
- Public intake asks at most once per ``TIPS_METRICS_SYNC_SECONDS`` per month (a memory per
  process in front of the shared cache); officer actions ask every time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from binhyen.core.actors import Actor
from binhyen.indicators.models import Metric, MetricSource
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.indicators.services import provider_values_sync
from binhyen.indicators.tasks import provider_resync_enqueue
from binhyen.tips.providers import PROVIDER_KEY


def _month_code(moment: datetime | date) -> str:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return Period.containing(PeriodKind.MONTH, day).code


def tips_metrics_sync(
    *, actor: Actor | None, period_codes: Iterable[str] | None = None, now: datetime | None = None
) -> int:
    """Re-publish every active tip metric for the given months; return how many values changed.

    Without ``period_codes``: this month and the last (as of ``now``), so numbers missed by
    the intake throttle catch up. The scheduler runs it every five minutes (task and command
    ``tips_metrics_sync``); each value written is audited by ``provider_values_sync``.
    """
    if period_codes is None:
        this_month = Period.containing(PeriodKind.MONTH, timezone.localdate(now))
        period_codes = [this_month.code, this_month.shift(-1).code]
    metrics = list(
        Metric.objects.filter(
            source=MetricSource.PROVIDER, provider_key=PROVIDER_KEY, is_active=True
        )
    )
    changed = 0
    for code in sorted(set(period_codes)):
        for metric in metrics:
            if metric.period_kind == PeriodKind.MONTH:
                changed += provider_values_sync(actor=actor, metric=metric, period_code=code)
    return changed


# Month code → monotonic time until which this process knows a re-sync is already due
# somewhere (asked the shared cache within the window): spares a cache round trip per tip.
_SYNC_KNOWN: dict[str, float] = {}


def metrics_sync_memo_clear() -> None:
    """Forget which re-syncs this process knows are due (tests, after clearing the cache)."""
    _SYNC_KNOWN.clear()


def _sync_due(code: str, window: int) -> bool:
    """Return True when this call should schedule the re-sync of ``code`` (once per window
    across processes, through the shared cache)."""
    now = time.monotonic()
    if _SYNC_KNOWN.get(code, 0.0) > now:
        return False
    _SYNC_KNOWN[code] = now + window
    return bool(cache.add(f"tips:metrics-sync:{code}", 1, window))


def metrics_resync_enqueue(period_codes: Iterable[str]) -> int:
    """Enqueue the re-sync of every active tip metric for the given months (coalesced)."""
    metrics = [
        m
        for m in Metric.objects.filter(
            source=MetricSource.PROVIDER, provider_key=PROVIDER_KEY, is_active=True
        )
        if m.period_kind == PeriodKind.MONTH
    ]
    return provider_resync_enqueue(metrics=metrics, period_codes=period_codes)


def metrics_after_commit(moments: Iterable[datetime | None], *, throttle: bool) -> None:
    """Enqueue the re-sync of the months of ``moments`` once the transaction commits."""
    codes = {_month_code(m) for m in moments if m is not None}
    if throttle:
        window = settings.TIPS_METRICS_SYNC_SECONDS
        codes = {c for c in codes if _sync_due(c, window)}
    if codes:
        transaction.on_commit(lambda: metrics_resync_enqueue(codes), robust=True)
