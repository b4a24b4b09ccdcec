"""A worker's lock on each task it runs, so a task whose worker died can be run again.

``django-tasks-db`` marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed by the OOM killer, a reboot or ``kill -9`` would leave its task RUNNING for
ever. Here:

- **PostgreSQL:** a worker holds a session advisory lock named after the task while it runs
  it (``task_started``/``task_finished`` signals, in the worker process only). A session that
  dies releases its locks, so a RUNNING task whose lock can be taken has no live worker.
- **SQLite** (the embedded, one-machine default): no such lock across processes; a task
  RUNNING for longer than ``TASKS_RUNNING_TIMEOUT_SECONDS`` is taken as lost.

``binhyen.core.tasks.requeue_stale_tasks`` (the scheduler's ``tasks_requeue`` job) puts such
tasks back to READY, so another worker runs them. Invariants:
- a task is only requeued after ``TASKS_REQUEUE_GRACE_SECONDS`` RUNNING (a worker takes its
  lock right after the claim; the grace covers the gap);
- the requeue runs in one transaction over rows locked with SKIP LOCKED: two schedulers
  cannot both requeue a task;
- a long task whose worker lives keeps its lock and is never requeued (PostgreSQL);
- tasks must be idempotent (they are: docs/adr/0011-scheduler.md): a task killed after its
  work committed runs once more and changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

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


def locks_held_by_workers() -> bool:
    """True where workers hold a lock per running task (PostgreSQL)."""
    return bool(_worker_connection().vendor == "postgresql")


def abandoned(task_id: Any) -> bool:
    """True when no live session holds the task's lock (PostgreSQL)."""
    conn = _worker_connection()
    key = _lock_key(task_id)
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, key])
        free = bool(cursor.fetchone()[0])
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, key])
    return free
