"""Background tasks of the core app (Django Tasks API); the scheduler enqueues them."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from binhyen.core.backup import backup_create


@task()
def backup_daily() -> str:
    """Write the daily backup to ``BACKUP_DIR`` and keep the ``BACKUP_KEEP`` newest."""
    result = backup_create(output_dir=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    return result.path.name
