"""Background tasks of the hotspots app (Django Tasks API); the scheduler enqueues them."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from binhyen.hotspots.services import metrics_sync


@task()
def hotspots_metrics_daily() -> int:
    """Re-publish the hotspot metrics of this year and the last (as ``hotspots_sync_metrics``)."""
    today = timezone.localdate()
    return metrics_sync(
        actor=None, list_years=[today.year - 1, today.year], since=date(today.year - 1, 1, 1)
    )
