"""Tasks through the real database queue and a real worker run (``db_worker --batch``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from binhyen.accounts.tests.factories import scene
from binhyen.core.backup import backups_list
from binhyen.core.tasks import backup_daily
from binhyen.tips.models import Tip
from binhyen.tips.tasks import escalate_overdue_tips
from binhyen.tips.tests.factories import make_tip

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_worker_runs_an_enqueued_escalation(settings):
    # Given the database backend and an overdue tip
    settings.TASKS = DB_TASKS
    s = scene()
    tip = make_tip(s.commune)
    Tip.objects.filter(pk=tip.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    # When the task is enqueued, nothing happens until a worker runs
    result = escalate_overdue_tips.enqueue()
    tip.refresh_from_db()
    assert tip.escalation_level == 0
    run_worker()
    # Then the worker ran it once and stored its result
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 1
    tip.refresh_from_db()
    assert tip.escalation_level == 1
    assert tip.escalated_to == s.province


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_daily_backup_with_retention(settings, tmp_path: Path):
    # Given the database backend, a backup directory keeping two archives
    settings.TASKS = DB_TASKS
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_KEEP = 2
    settings.MEDIA_ROOT = tmp_path / "media"
    # When three daily backups are enqueued and a worker drains the queue
    for _ in range(3):
        backup_daily.enqueue()
    run_worker()
    # Then all three ran and only the two newest archives remain
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    assert len(backups_list(settings.BACKUP_DIR)) == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_recorded_failed(settings, tmp_path: Path):
    # Given a backup directory that cannot be created (a file is in the way)
    settings.TASKS = DB_TASKS
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.BACKUP_DIR = blocker / "backups"
    # When the worker runs the task
    result = backup_daily.enqueue()
    run_worker()
    # Then the failure is recorded with its exception, and the worker did not crash
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path


@pytest.mark.django_db
def test_coalesced_enqueue_keeps_one_pending_per_key(settings):
    # Given the database queue
    from binhyen.core.models import PendingTask
    from binhyen.core.tasks import STALE_AFTER, coalesced_start, enqueue_coalesced

    settings.TASKS = DB_TASKS
    # When the same key is enqueued twice, then only the first is queued
    assert enqueue_coalesced(escalate_overdue_tips, key="k") is True
    assert enqueue_coalesced(escalate_overdue_tips, key="k") is False
    assert DBTaskResult.objects.count() == 1
    # When the task has started, the next change enqueues again
    coalesced_start("k")
    assert enqueue_coalesced(escalate_overdue_tips, key="k") is True
    # When a marker is stale (its task was lost), it no longer blocks the key
    PendingTask.objects.filter(key="k").update(created_at=timezone.now() - STALE_AFTER * 2)
    assert enqueue_coalesced(escalate_overdue_tips, key="k") is True
    assert DBTaskResult.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_task_orphaned_by_a_dead_worker_runs_again_once(settings):
    # Given a task a worker took and then died with (still RUNNING an hour later)
    from binhyen.core.tasks import requeue_stale_tasks

    settings.TASKS = DB_TASKS
    settings.TASKS_RUNNING_TIMEOUT_SECONDS = 600
    s = scene()
    tip = make_tip(s.commune)
    Tip.objects.filter(pk=tip.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    orphan = escalate_overdue_tips.enqueue()
    DBTaskResult.objects.filter(id=orphan.id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=1), worker_ids=["dead"]
    )
    fresh = escalate_overdue_tips.enqueue()
    DBTaskResult.objects.filter(id=fresh.id).update(status="RUNNING", started_at=timezone.now())
    # When the requeue job runs, then only the orphan is ready again
    assert requeue_stale_tasks.call() == 1
    assert DBTaskResult.objects.get(id=fresh.id).status == "RUNNING"
    # And a worker completes it, once, with the tip escalated once
    run_worker()
    row = DBTaskResult.objects.get(id=orphan.id)
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids[0] == "dead" and len(row.worker_ids) == 2
    tip.refresh_from_db()
    assert tip.escalation_level == 1
