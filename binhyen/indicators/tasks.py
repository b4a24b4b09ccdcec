"""Background tasks of the indicators app (Django Tasks API); the scheduler enqueues them.

``provider_metric_sync`` re-publishes one provider metric for one period; writes elsewhere
enqueue it through ``provider_resync_enqueue``, coalesced: at most one pending re-sync per
metric and period, however many changes asked for it.

The daily ``indicators_metrics_sync`` re-publishes every provider metric for the period of
its kind that contains today and the one before it, so numbers that change with the
calendar alone (no write happened) stay current; ``rollups_if_stale`` runs after it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django_tasks import task

from binhyen.core.tasks import coalesced_start, enqueue_coalesced, pending_keys
from binhyen.indicators import services
from binhyen.indicators.models import Metric, MetricSource

logger = logging.getLogger(__name__)


def _resync_key(metric_code: str, period_code: str) -> str:
    return f"indicators.resync:{metric_code}:{period_code}"


@task()
def provider_metric_sync(metric_code: str, period_code: str) -> int:
    """Re-publish one provider metric for one period; return how many values changed."""
    coalesced_start(_resync_key(metric_code, period_code))
    metric = Metric.objects.filter(
        code=metric_code, source=MetricSource.PROVIDER, is_active=True
    ).first()
    if metric is None:  # retired since it was enqueued
        return 0
    return services.provider_values_sync(actor=None, metric=metric, period_code=period_code)


def provider_resync_enqueue(*, metrics: Iterable[Metric], period_codes: Iterable[str]) -> int:
    """Enqueue the re-sync of each metric for each period unless one is pending already.

    Call after commit. Returns how many tasks were enqueued (0 when all were pending).
    """
    wanted = sorted({(m.code, p) for m in metrics for p in period_codes})
    pending = pending_keys([_resync_key(m, p) for m, p in wanted])
    enqueued = 0
    for metric_code, period_code in wanted:
        key = _resync_key(metric_code, period_code)
        if key not in pending and enqueue_coalesced(
            provider_metric_sync, key=key, args=(metric_code, period_code)
        ):
            enqueued += 1
    return enqueued


def provider_resync_after_commit(*, metrics: Iterable[Metric], period_codes: list[str]) -> None:
    """Enqueue the re-sync of ``metrics`` for ``period_codes`` once the transaction commits
    (nothing when it rolls back)."""
    metrics = list(metrics)
    transaction.on_commit(
        lambda: provider_resync_enqueue(metrics=metrics, period_codes=period_codes), robust=True
    )


@task()
def indicators_metrics_sync() -> int:
    """Re-publish every active provider metric for its current and previous period.

    The same service as ``manage.py indicators_metrics_sync``; one metric refused (its
    provider is not registered in this deployment) is logged and the others still run.
    """
    changed = 0
    for outcome in services.indicators_metrics_sync(actor=None):
        if outcome.refused:
            logger.warning(
                "provider sync of %s %s refused: %s",
                outcome.metric,
                outcome.period,
                outcome.refused,
            )
        changed += outcome.changed
    return changed


@task()
def rollups_if_stale() -> bool:
    """Rebuild the pre-aggregated figures when stale (as ``indicators_rollups --if-stale``)."""
    return services.rollups_rebuild(actor=None, only_if_stale=True) is not None
