"""Background tasks of the community app (Django Tasks API); the scheduler enqueues them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from binhyen.community.services import community_metrics_sync


@task()
def community_metrics_daily() -> int:
    """Recompute the community metrics of the last 31 days (as ``community_sync`` does)."""
    today = timezone.localdate()
    return community_metrics_sync(actor=None, start=today - timedelta(days=31), end=today)
