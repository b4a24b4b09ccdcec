"""Background tasks of the indicators app (Django Tasks API); the scheduler enqueues them.

The daily provider sync re-publishes every provider metric for the period of its kind that
contains today and the one before it, so numbers that change with the calendar alone (no
write happened) stay current; ``rollups_if_stale`` runs after it.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks import task

from binhyen.indicators import services
from binhyen.indicators.models import Metric, MetricSource
from binhyen.indicators.periods import Period

logger = logging.getLogger(__name__)


@task()
def provider_metrics_daily() -> int:
    """Sync every active provider metric for its current and previous period.

    The same service as ``indicators_sync_providers``; one metric refused (its provider is
    not registered in this deployment) is logged and the others still run.
    """
    today = timezone.localdate()
    changed = 0
    for metric in Metric.objects.filter(source=MetricSource.PROVIDER, is_active=True):
        current = Period.containing(metric.period_kind, today)
        for period in (current.previous(), current):
            try:
                changed += services.provider_values_sync(
                    actor=None, metric=metric, period_code=period.code
                )
            except ValidationError as exc:
                logger.warning("provider sync of %s %s refused: %s", metric.code, period, exc)
    return changed


@task()
def rollups_if_stale() -> bool:
    """Rebuild the pre-aggregated figures when stale (as ``indicators_rollups --if-stale``)."""
    return services.rollups_rebuild(actor=None, only_if_stale=True) is not None
