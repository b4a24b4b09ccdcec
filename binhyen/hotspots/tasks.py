"""Background tasks of the hotspots app (Django Tasks API); the scheduler enqueues them."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from binhyen.hotspots import services


@task()
def hotspots_metrics_sync() -> int:
    """Re-publish the hotspot metrics of this year and the last (as the command of that name)."""
    today = timezone.localdate()
    return services.hotspots_metrics_sync(
        actor=None, list_years=[today.year - 1, today.year], since=date(today.year - 1, 1, 1)
    )
