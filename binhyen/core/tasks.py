"""Background tasks of the core app (backups, exports, webhook deliveries) and the coalesced
enqueue every app uses.

Invariant of ``enqueue_coalesced``: at most one task per key waits in the queue. The
``PendingTask`` marker (unique key) and the task are written in one transaction; the task
calls ``coalesced_start`` first thing, so work arriving while it runs enqueues a new one
and nothing is lost. A marker older than ``STALE_AFTER`` (its task row pruned or lost) no
longer blocks the key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from binhyen.core import webhooks
from binhyen.core.backup import backup_create
from binhyen.core.exports import export_run  # noqa: F401 (its task path stays valid here)
from binhyen.core.models import PendingTask

STALE_AFTER = timedelta(hours=1)

# Tasks defined beside the code that enqueues them, kept under their old paths here too (the
# scheduler's job table and rows already queued name them so).
webhook_deliver = webhooks.webhook_deliver_task
webhooks_deliver_due = webhooks.webhooks_deliver_due_task


def enqueue_coalesced(
    task: Task[Any, Any],
    *,
    key: str,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
) -> bool:
    """Enqueue ``task`` unless one with ``key`` is already pending; return True if enqueued."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                PendingTask.objects.create(key=key)
                task.enqueue(*args, **(kwargs or {}))
        except IntegrityError:
            stale = timezone.now() - STALE_AFTER
            if (
                attempt == 1
                and PendingTask.objects.filter(key=key, created_at__lt=stale).delete()[0]
            ):
                continue
            return False
        return True
    return False


def pending_keys(keys: list[str]) -> set[str]:
    """Return which of ``keys`` have a task pending (one query for a batch)."""
    return set(PendingTask.objects.filter(key__in=keys).values_list("key", flat=True))


def coalesced_start(key: str) -> None:
    """Mark the pending task of ``key`` as started (call first thing in the task)."""
    PendingTask.objects.filter(key=key).delete()


@task()
def backup_daily() -> str:
    """Write the daily backup to ``BACKUP_DIR`` and keep the ``BACKUP_KEEP`` newest."""
    result = backup_create(output_dir=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    return result.path.name


@task()
def exports_prune() -> int:
    """Delete export files older than ``EXPORT_KEEP_DAYS``."""
    from binhyen.core.services import export_jobs_prune

    return export_jobs_prune(actor=None, older_than=timedelta(days=settings.EXPORT_KEEP_DAYS))


@task()
def idempotency_purge() -> int:
    """Delete the stored answers of idempotent API writes older than ``IDEMPOTENCY_KEEP_DAYS``."""
    from binhyen.core.idempotency import idempotency_purge as purge

    return purge()


@task()
def requeue_stale_tasks() -> int:
    """Put back in the queue the tasks left running by a worker that died.

    ``django-tasks-db`` has no worker heartbeat. On PostgreSQL a worker holds an advisory lock
    per running task (``binhyen.core.task_recovery``): a task RUNNING for more than
    ``TASKS_REQUEUE_GRACE_SECONDS`` whose lock is free has lost its worker, and a long task
    whose worker lives is never taken from it. On SQLite, a task still ``RUNNING`` after
    ``TASKS_RUNNING_TIMEOUT_SECONDS`` is taken to be orphaned. Either way it is made ready
    again, so another worker runs it (tasks are written to be idempotent). Returns how many.
    """
    from django_tasks_db.models import DBTaskResult

    from binhyen.core import task_recovery
    from binhyen.core.services import audit_event_record

    now = timezone.now()
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        if task_recovery.locks_held_by_workers():
            grace = timedelta(seconds=settings.TASKS_REQUEUE_GRACE_SECONDS)
            candidates = running.filter(started_at__lt=now - grace).values_list("id", "task_path")
            stale = [(pk, path) for pk, path in candidates if task_recovery.abandoned(pk)]
        else:
            cutoff = now - timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT_SECONDS)
            stale = list(running.filter(started_at__lt=cutoff).values_list("id", "task_path"))
        if not stale:
            return 0
        DBTaskResult.objects.filter(id__in=[pk for pk, _ in stale]).update(
            status="READY", started_at=None
        )
        audit_event_record(
            actor=None,
            action="tasks.requeue",
            after={"tasks": [f"{path} {pk}" for pk, path in stale]},
        )
    return len(stale)
