"""The scheduler: one active process (lease), catch-up once, enqueue only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from binhyen.accounts.tests.factories import scene
from binhyen.core.models import AuditEvent, ScheduledJob, SchedulerLease
from binhyen.core.scheduler import (
    SchedulerProcess,
    job_fire,
    job_specs,
    jobs_register,
    lease_acquire,
    lease_release,
)
from binhyen.tips.models import Tip
from binhyen.tips.tests.factories import make_tip

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _jobs(settings):
    settings.TASKS = DB_TASKS
    settings.SCHEDULER_JOBS = [
        ("tips_escalate", "binhyen.tips.tasks.escalate_overdue_tips", "*/5 * * * *"),
        ("rollups", "binhyen.indicators.tasks.rollups_if_stale", "0 2 * * *"),
    ]
    settings.SCHEDULER_CRONTABS = {}
    settings.SCHEDULER_LEASE_SECONDS = 60
    settings.SCHEDULER_MISFIRE_GRACE_SECONDS = 3600


def spec(job_id: str):
    return next(s for s in job_specs() if s.job_id == job_id)


# --- the lease ----------------------------------------------------------------------------


def test_two_schedulers_one_wins():
    # Given two scheduler processes starting at the same moment
    a, b = SchedulerProcess(holder="a"), SchedulerProcess(holder="b")
    # When both heartbeat
    assert a.heartbeat(T0) is True
    assert b.heartbeat(T0 + timedelta(seconds=1)) is False
    # Then only the first is active, and a renewal keeps it so
    assert a.heartbeat(T0 + timedelta(seconds=30)) is True
    assert b.heartbeat(T0 + timedelta(seconds=45)) is False
    assert SchedulerLease.objects.get().holder == "a"


def test_standby_takes_over_after_expiry_and_old_holder_stands_by():
    # Given an active scheduler that stops renewing (a crashed or frozen machine)
    a, b = SchedulerProcess(holder="a"), SchedulerProcess(holder="b")
    a.heartbeat(T0)
    # When the lease has expired, the standby takes it
    assert b.heartbeat(T0 + timedelta(seconds=61)) is True
    # Then the old holder, waking up, finds it lost the lease and enqueues nothing
    assert a.heartbeat(T0 + timedelta(seconds=62)) is False
    assert a.fire("tips_escalate", T0 + timedelta(minutes=5)) is None
    assert SchedulerLease.objects.get().holder == "b"
    assert AuditEvent.objects.filter(action="scheduler.activate").count() == 2


def test_released_lease_is_free_at_once():
    # Given an active scheduler stopped cleanly
    assert lease_acquire(holder="a", now=timezone.now())
    lease_release(holder="a")
    # Then a standby takes over without waiting for the expiry
    assert lease_acquire(holder="b", now=timezone.now())


# --- firing -------------------------------------------------------------------------------


def test_fire_enqueues_only_and_records_the_run():
    # Given a tip overdue for acknowledgement and a registered job that is due
    s = scene()
    tip = make_tip(s.commune)
    Tip.objects.filter(pk=tip.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    jobs_register(now=T0)
    job = ScheduledJob.objects.get(job_id="tips_escalate")
    assert job.next_run_at == T0 + timedelta(minutes=5)
    # When the scheduler fires it
    task_id = job_fire(spec=spec("tips_escalate"), now=T0 + timedelta(minutes=5, seconds=1))
    # Then one task waits in the queue and the tip is not escalated yet (workers do that)
    queued = DBTaskResult.objects.get(id=task_id)
    assert queued.status == "READY"
    assert queued.task_path == "binhyen.tips.tasks.escalate_overdue_tips"
    tip.refresh_from_db()
    assert tip.escalation_level == 0
    job.refresh_from_db()
    assert job.last_run_at == T0 + timedelta(minutes=5)
    assert job.next_run_at == T0 + timedelta(minutes=10)
    assert job.last_status == ScheduledJob.Status.ENQUEUED
    assert job.last_task_id == task_id


def test_fire_before_due_and_second_fire_of_same_time_do_nothing():
    # Given a registered job
    jobs_register(now=T0)
    # When fired before its time, then twice for the same time (two overlapping schedulers)
    assert job_fire(spec=spec("tips_escalate"), now=T0 + timedelta(minutes=1)) is None
    first = job_fire(spec=spec("tips_escalate"), now=T0 + timedelta(minutes=5))
    second = job_fire(spec=spec("tips_escalate"), now=T0 + timedelta(minutes=5, seconds=2))
    # Then exactly one task was enqueued
    assert first is not None and second is None
    assert DBTaskResult.objects.count() == 1


def test_missed_runs_are_caught_up_once():
    # Given a job registered, then no scheduler for 40 minutes (8 five-minute runs missed)
    jobs_register(now=T0)
    process = SchedulerProcess(holder="a")
    # When a scheduler becomes active
    process.heartbeat(T0 + timedelta(minutes=40, seconds=10))
    # Then the missed runs coalesce into one enqueued task, and the next is in the future
    assert DBTaskResult.objects.filter(task_path__endswith="escalate_overdue_tips").count() == 1
    job = ScheduledJob.objects.get(job_id="tips_escalate")
    assert job.last_run_at == T0 + timedelta(minutes=40)
    assert job.next_run_at == T0 + timedelta(minutes=45)
    # And the daily job that was not due is not run
    assert not DBTaskResult.objects.filter(task_path__endswith="rollups_if_stale").exists()
    # And a renewal or another start does not run it again
    process.heartbeat(T0 + timedelta(minutes=40, seconds=20))
    SchedulerProcess(holder="b").heartbeat(T0 + timedelta(minutes=40, seconds=30))
    assert DBTaskResult.objects.count() == 1


def test_run_missed_beyond_the_grace_is_skipped(settings):
    # Given a daily job whose run was missed by more than the grace
    jobs_register(now=T0)
    settings.SCHEDULER_MISFIRE_GRACE_SECONDS = 600
    # When a scheduler starts a day later
    SchedulerProcess(holder="a").heartbeat(T0 + timedelta(days=1, hours=2))
    # Then nothing old is enqueued, the miss is recorded, the next time is ahead
    job = ScheduledJob.objects.get(job_id="rollups")
    assert job.last_status == ScheduledJob.Status.MISSED
    assert job.next_run_at > T0 + timedelta(days=1, hours=2)
    assert not DBTaskResult.objects.filter(task_path__endswith="rollups_if_stale").exists()


def test_changed_cron_is_recomputed_and_disabled_job_keeps_no_next_time(settings):
    # Given registered jobs
    jobs_register(now=T0)
    # When one cron changes and the other is turned off
    settings.SCHEDULER_CRONTABS = {"tips_escalate": "0 * * * *", "rollups": ""}
    jobs_register(now=T0)
    # Then the new expression applies and the disabled job owes nothing
    assert ScheduledJob.objects.get(job_id="tips_escalate").next_run_at == T0 + timedelta(hours=1)
    assert ScheduledJob.objects.get(job_id="rollups").next_run_at is None


def test_a_task_path_that_is_not_a_task_is_recorded_as_failed(settings):
    # Given a job pointing at something that is not a task
    settings.SCHEDULER_JOBS = [("bad", "binhyen.core.scheduler.job_specs", "* * * * *")]
    jobs_register(now=T0)
    # When a scheduler becomes active after its time
    SchedulerProcess(holder="a").heartbeat(T0 + timedelta(minutes=2))
    # Then nothing is enqueued and the failure shows on the job
    assert ScheduledJob.objects.get(job_id="bad").last_status == ScheduledJob.Status.FAILED
    assert not DBTaskResult.objects.exists()


def test_build_registers_heartbeat_and_one_cron_job_per_entry():
    # Given a process, when its APScheduler is built (not started)
    scheduler = SchedulerProcess(holder="a").build(BackgroundScheduler(timezone="UTC"))
    # Then it has the heartbeat and the configured jobs, coalescing missed runs
    ids = sorted(job.id for job in scheduler.get_jobs())
    assert ids == ["_heartbeat", "rollups", "tips_escalate"]
    job = next(j for j in scheduler.get_jobs() if j.id == "tips_escalate")
    assert job.coalesce is True


def test_command_once_takes_the_lease_and_lists_jobs():
    # Given no scheduler, when `scheduler --once` runs
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    # Then it was active, listed the jobs and gave the lease back
    assert "active: True" in out.getvalue()
    assert "tips_escalate" in out.getvalue()
    assert SchedulerLease.objects.get().expires_at < timezone.now()
