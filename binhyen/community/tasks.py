"""Background tasks of the community app (Django Tasks API); the scheduler enqueues them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from binhyen.community import services


@task()
def community_metrics_sync() -> int:
    """Recompute the community metrics of the last 31 days (as the command of that name)."""
    today = timezone.localdate()
    return services.community_metrics_sync(actor=None, start=today - timedelta(days=31), end=today)
