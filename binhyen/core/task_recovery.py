"""Tasks whose worker died mid-run are run again (the database queue's missing half).

``django-tasks-db`` marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed by the OOM killer, a reboot or ``kill -9`` would leave its task RUNNING for
ever. Here:

- **PostgreSQL:** a worker holds a session advisory lock named after the task while it runs
  it (``task_started``/``task_finished`` signals, in the worker process only). A session that
  dies releases its locks, so a RUNNING task whose lock can be taken has no live worker.
- **SQLite** (the embedded, one-machine default): no such lock across processes; a task
  RUNNING for longer than ``TASKS_STALE_SECONDS`` is taken as lost.

``requeue_orphaned()`` (the scheduler's ``tasks_requeue`` job, every minute) puts such tasks
back to READY, so another worker runs them. Invariants:
- a task is only requeued after ``TASKS_REQUEUE_GRACE_SECONDS`` RUNNING (a worker takes its
  lock right after the claim; the grace covers the gap);
- the requeue is one conditional UPDATE (status still RUNNING): two schedulers or a worker
  finishing at the same moment cannot both win;
- tasks must be idempotent (they are: docs/adr/0011-scheduler.md): a task killed after its
  work committed runs once more and changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

logger = logging.getLogger(__name__)

# First key of the two-key advisory locks: "BY" + 1; the second is derived from the task id.
LOCK_NAMESPACE = 0x42590001


def _lock_key(task_id: Any) -> int:
    value = uuid.UUID(str(task_id)).int
    return int((value & 0xFFFFFFFF) - (1 << 31))  # a signed 32-bit integer


def _is_database_backend(sender: Any) -> bool:
    try:
        from django_tasks_db import DatabaseBackend
    except ImportError:  # pragma: no cover - the dependency is pinned
        return False
    return isinstance(sender, type) and issubclass(sender, DatabaseBackend)


def _worker_connection() -> Any:
    return connections[DEFAULT_DB_ALIAS]


def on_task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Hold the task's lock while this worker runs it (PostgreSQL)."""
    if not _is_database_backend(sender):
        return
    conn = _worker_connection()
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, _lock_key(task_result.id)]
        )


def on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Release the task's lock (it is released anyway when the worker's session ends)."""
    if not _is_database_backend(sender):
        return
    conn = _worker_connection()
    if conn.vendor != "postgresql" or conn.connection is None:
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, _lock_key(task_result.id)]
        )


def _abandoned(task_id: Any) -> bool:
    """True when no live session holds the task's lock (PostgreSQL)."""
    conn = _worker_connection()
    key = _lock_key(task_id)
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key])
        free = bool(cursor.fetchone()[0])
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, key])
    return free


def requeue_orphaned(*, now: datetime | None = None) -> list[str]:
    """Put RUNNING tasks without a live worker back to READY; return their ids."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    grace = timedelta(seconds=settings.TASKS_REQUEUE_GRACE_SECONDS)
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - grace
    )
    if _worker_connection().vendor != "postgresql":
        stale = timedelta(seconds=settings.TASKS_STALE_SECONDS)
        running = running.filter(started_at__lt=now - stale)
    requeued: list[str] = []
    for task_id in running.values_list("id", flat=True):
        if _worker_connection().vendor == "postgresql" and not _abandoned(task_id):
            continue
        changed = DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
        if changed:
            requeued.append(str(task_id))
            logger.warning("task %s lost its worker: queued again", task_id)
    return requeued


@task()
def requeue_orphaned_tasks() -> list[str]:
    """Scheduled every minute: run again the tasks whose worker died."""
    return requeue_orphaned()
