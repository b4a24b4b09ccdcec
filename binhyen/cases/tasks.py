"""Background tasks of the cases app (Django Tasks API); the scheduler enqueues them."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from binhyen.cases import services


@task()
def cases_anonymise_expired() -> int:
    """Anonymise the cases closed longer ago than ``CASES_RETENTION_DAYS`` (daily)."""
    return services.cases_anonymise_expired(actor=None)


@task()
def cases_metrics_sync() -> int:
    """Re-publish the case counts of this year and the last ("open" changes with the date)."""
    year = timezone.localdate().year
    return services.cases_metrics_sync(actor=None, years=[year - 1, year])
