"""Tasks whose worker died are queued again; tasks a live worker holds are left alone."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus

from binhyen.core import probes, task_recovery
from binhyen.core.tasks import requeue_stale_tasks

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _running(started_ago: timedelta):
    from django_tasks_db.models import DBTaskResult

    result = probes.probe_sleep.enqueue(key="k", seconds=0)
    row = DBTaskResult.objects.get(id=result.id)
    row.claim("worker-that-died")
    DBTaskResult.objects.filter(id=row.id).update(started_at=timezone.now() - started_ago)
    return row


def _status(row) -> str:
    row.refresh_from_db()
    return str(row.status)


def _other_session():
    """A second database session: a live worker holding locks."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def test_a_task_left_running_by_a_dead_worker_is_queued_again(db_queue, settings):
    settings.TASKS_RUNNING_TIMEOUT_SECONDS = 60
    # given a task claimed two hours ago by a worker that no longer holds it
    row = _running(timedelta(hours=2))
    # when the recovery job runs
    requeued = requeue_stale_tasks.call()
    # then the task is ready again for another worker, the earlier attempt still recorded
    assert requeued == 1
    assert _status(row) == TaskResultStatus.READY
    assert row.started_at is None and row.worker_ids == ["worker-that-died"]


def test_a_task_just_claimed_is_left_alone(db_queue):
    # given a task claimed a moment ago (its worker is taking its lock)
    row = _running(timedelta(seconds=1))
    # when the recovery job runs / then it stays with its worker
    assert requeue_stale_tasks.call() == 0
    assert _status(row) == TaskResultStatus.RUNNING


@on_postgresql
def test_on_postgresql_a_dead_workers_task_is_requeued_before_the_timeout(db_queue, settings):
    # given a task claimed a minute ago whose worker died (nobody holds its lock)
    settings.TASKS_RUNNING_TIMEOUT_SECONDS = 3600
    row = _running(timedelta(minutes=1))
    # when the recovery job runs / then it is queued again without waiting for the timeout
    assert requeue_stale_tasks.call() == 1
    assert _status(row) == TaskResultStatus.READY


@on_postgresql
def test_a_task_held_by_a_live_worker_is_left_alone(db_queue):
    from django_tasks_db import DatabaseBackend

    # given a task running for long on a live worker (its session holds the task's lock)
    row = _running(timedelta(hours=2))
    with _other_session() as worker:
        worker.execute(
            "SELECT pg_advisory_lock(%s, %s)",
            [task_recovery.LOCK_NAMESPACE, task_recovery._lock_key(row.id)],
        )
        # when the recovery job runs / then the task stays RUNNING, however long it has run
        assert requeue_stale_tasks.call() == 0
        assert _status(row) == TaskResultStatus.RUNNING
    # when that worker's session ends (the worker died) / then the task is queued again
    assert requeue_stale_tasks.call() == 1

    # and a worker's signals take and release the lock around a task
    task_recovery.on_task_started(DatabaseBackend, row.task_result)
    with _other_session() as other:
        key = [task_recovery.LOCK_NAMESPACE, task_recovery._lock_key(row.id)]
        assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0] is False
        task_recovery.on_task_finished(DatabaseBackend, row.task_result)
        assert other.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()[0] is True


def test_tasks_run_in_the_request_take_no_lock():
    # given the immediate backend (tests, development) / when a task starts / then no query
    from django.test.utils import CaptureQueriesContext
    from django_tasks.backends.immediate import ImmediateBackend

    with CaptureQueriesContext(connection) as queries:
        task_recovery.on_task_started(ImmediateBackend, object())
    assert queries.captured_queries == []
