"""The scheduler: APScheduler cron triggers that only enqueue tasks (docs/adr/0011-scheduler.md).

Invariants:
- The scheduler never runs a job's work itself: it enqueues the job's task on the task
  backend and the workers (``manage.py db_worker``) run it.
- One scheduler is active at a time across machines: the one holding the ``SchedulerLease``
  row. It renews the lease on every heartbeat; a standby takes the row over once the lease
  has expired, and an active scheduler that fails to renew stops enqueueing at once.
- Each fire time of a job is enqueued at most once: the enqueue happens in the transaction
  of the conditional update that moves the job's ``next_run_at`` past it, so two schedulers
  that overlap for a moment cannot both enqueue it.
- Fire times missed while no scheduler ran are caught up once, coalesced, when a scheduler
  becomes active (within ``SCHEDULER_MISFIRE_GRACE_SECONDS``), never once per missed time.
- Lease heartbeats and job bookkeeping are operational state, not records: they are not
  audited (a row every few seconds would drown the trail); a scheduler taking the lease is.

The jobs come from ``settings.SCHEDULER_JOBS``: (job id, task import path, cron expression);
``SCHEDULER_CRONTABS`` overrides a cron by job id, an empty cron turns the job off.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from binhyen.core.models import ScheduledJob, SchedulerLease
from binhyen.core.services import audit_event_record

logger = logging.getLogger("binhyen.scheduler")

LEASE_NAME = "scheduler"
# Upper bound on fire times walked to find the latest missed one (a 1-minute cron for a week).
_MAX_WALK = 20_000


@dataclass(frozen=True)
class JobSpec:
    """One configured job: its id, the task it enqueues and its cron expression."""

    job_id: str
    task_path: str
    cron: str

    def trigger(self, tz: tzinfo) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=tz)

    def task(self) -> Task[Any, Any]:
        task = import_string(self.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"{self.task_path} is not a task")
        return task


def job_specs() -> list[JobSpec]:
    """Return the configured jobs with their cron overrides applied (disabled ones left out)."""
    overrides: dict[str, str] = getattr(settings, "SCHEDULER_CRONTABS", {})
    specs = []
    for job_id, task_path, cron in settings.SCHEDULER_JOBS:
        cron = overrides.get(job_id, cron).strip()
        if cron:
            specs.append(JobSpec(job_id=job_id, task_path=task_path, cron=cron))
    return specs


def local_tz() -> tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


def holder_name() -> str:
    """Return a name for this process that is unique across machines."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# --- the lease ---------------------------------------------------------------------------


def lease_acquire(*, holder: str, now: datetime | None = None) -> bool:
    """Take or renew the scheduler lease for ``holder``; return True when it holds it.

    One conditional UPDATE (held by ``holder`` or expired) or the first INSERT wins, on
    SQLite and PostgreSQL alike; a lease held by another live process is left alone.
    """
    now = now or timezone.now()
    expires = now + timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS)
    with transaction.atomic():
        renewed = SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(
            heartbeat_at=now, expires_at=expires
        )
        if renewed:
            return True
        taken = SchedulerLease.objects.filter(name=LEASE_NAME, expires_at__lt=now).update(
            holder=holder, acquired_at=now, heartbeat_at=now, expires_at=expires
        )
        if not taken:
            try:
                with transaction.atomic():
                    SchedulerLease.objects.create(
                        name=LEASE_NAME,
                        holder=holder,
                        acquired_at=now,
                        heartbeat_at=now,
                        expires_at=expires,
                    )
            except IntegrityError:
                return False
        audit_event_record(
            actor=None, action="scheduler.activate", after={"holder": holder, "at": now}
        )
    return True


def lease_release(*, holder: str) -> None:
    """Give the lease up at once (a clean stop), so a standby need not wait for expiry."""
    SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def lease_current() -> SchedulerLease | None:
    return SchedulerLease.objects.filter(name=LEASE_NAME).first()


# --- jobs ---------------------------------------------------------------------------------


def _next_fire(trigger: CronTrigger, after: datetime) -> datetime | None:
    """Return the first fire time strictly after ``after``."""
    fire: datetime | None = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    return fire


def _latest_fire(trigger: CronTrigger, due: datetime, now: datetime) -> datetime:
    """Return the latest fire time at or before ``now``, starting from the owed ``due``."""
    latest = due
    for _ in range(_MAX_WALK):
        following = _next_fire(trigger, latest)
        if following is None or following > now:
            break
        latest = following
    return latest


def jobs_register(*, now: datetime | None = None) -> list[ScheduledJob]:
    """Create or update the state rows of the configured jobs; a new job owes its next time.

    A job whose cron changed gets its next time recomputed from now (nothing is caught up
    for the old expression); removed jobs' rows stay, with no next time, for the record.
    """
    now = now or timezone.now()
    tz = local_tz()
    specs = job_specs()
    rows = []
    with transaction.atomic():
        for spec in specs:
            row, created = ScheduledJob.objects.get_or_create(
                job_id=spec.job_id,
                defaults={
                    "task_path": spec.task_path,
                    "cron": spec.cron,
                    "next_run_at": _next_fire(spec.trigger(tz), now),
                },
            )
            if not created and (row.cron != spec.cron or row.task_path != spec.task_path):
                row.cron = spec.cron
                row.task_path = spec.task_path
                row.next_run_at = _next_fire(spec.trigger(tz), now)
                row.save(update_fields=["cron", "task_path", "next_run_at", "updated_at"])
            elif not created and row.next_run_at is None:
                row.next_run_at = _next_fire(spec.trigger(tz), now)
                row.save(update_fields=["next_run_at", "updated_at"])
            rows.append(row)
        ScheduledJob.objects.exclude(job_id__in=[s.job_id for s in specs]).update(next_run_at=None)
    return rows


def job_fire(*, spec: JobSpec, now: datetime | None = None) -> str | None:
    """Enqueue ``spec``'s task if a fire time is owed; return the task id, else None.

    All owed fire times up to ``now`` coalesce into one run; when the latest of them is
    older than the misfire grace, the run is recorded as missed and nothing is enqueued.
    """
    now = now or timezone.now()
    trigger = spec.trigger(local_tz())
    row = ScheduledJob.objects.filter(job_id=spec.job_id).first()
    if row is None or row.next_run_at is None or row.next_run_at > now:
        return None
    due = row.next_run_at
    latest = _latest_fire(trigger, due, now)
    following = _next_fire(trigger, now)
    grace = timedelta(seconds=settings.SCHEDULER_MISFIRE_GRACE_SECONDS)
    owed = ScheduledJob.objects.filter(pk=row.pk, next_run_at=due)
    if now - latest > grace:
        owed.update(next_run_at=following, last_status=ScheduledJob.Status.MISSED)
        logger.warning("job %s missed its run of %s (beyond the grace)", spec.job_id, latest)
        return None
    task = spec.task()
    with transaction.atomic():
        # Whoever moves next_run_at past ``due`` enqueues; a racing scheduler updates 0 rows.
        if not owed.update(next_run_at=following, last_run_at=latest, last_enqueued_at=now):
            return None
        result = task.enqueue()
        ScheduledJob.objects.filter(pk=row.pk).update(
            last_status=ScheduledJob.Status.ENQUEUED, last_task_id=str(result.id)
        )
    logger.info("job %s enqueued as %s (fire time %s)", spec.job_id, result.id, latest)
    return str(result.id)


# --- the process ----------------------------------------------------------------------------


class SchedulerProcess:
    """Heartbeat, lease and firing of one ``manage.py scheduler`` process.

    APScheduler drives the timing: an interval job renews (or tries to take) the lease, one
    cron job per configured job calls ``fire``. Only the lease holder enqueues.
    """

    def __init__(self, *, holder: str | None = None) -> None:
        self.holder = holder or holder_name()
        self.active = False
        self.specs = {spec.job_id: spec for spec in job_specs()}

    def heartbeat(self, now: datetime | None = None) -> bool:
        """Renew or take the lease; on becoming active, catch up what was missed (once)."""
        was_active = self.active
        try:
            self.active = lease_acquire(holder=self.holder, now=now)
        except Exception:
            # A database outage: stop enqueueing until a heartbeat succeeds again.
            logger.exception("scheduler heartbeat failed")
            self.active = False
        if self.active and not was_active:
            logger.info("scheduler %s is active", self.holder)
            jobs_register(now=now)
            for spec in self.specs.values():
                self._fire_safely(spec, now)
        elif was_active and not self.active:
            logger.warning("scheduler %s lost the lease: standing by", self.holder)
        return self.active

    def fire(self, job_id: str, now: datetime | None = None) -> str | None:
        """Enqueue ``job_id`` if this process is active and its fire time is owed."""
        if not self.active:
            return None
        return self._fire_safely(self.specs[job_id], now)

    def _fire_safely(self, spec: JobSpec, now: datetime | None) -> str | None:
        try:
            return job_fire(spec=spec, now=now)
        except Exception:
            logger.exception("job %s could not be enqueued", spec.job_id)
            ScheduledJob.objects.filter(job_id=spec.job_id).update(
                last_status=ScheduledJob.Status.FAILED
            )
            return None

    def stop(self) -> None:
        if self.active:
            lease_release(holder=self.holder)
        self.active = False

    def build(self, scheduler: BaseScheduler | None = None) -> BaseScheduler:
        """Return an APScheduler with the heartbeat and one cron job per configured job."""
        tz = local_tz()
        scheduler = scheduler or BlockingScheduler(timezone=tz)
        grace = settings.SCHEDULER_MISFIRE_GRACE_SECONDS
        scheduler.add_job(
            self.heartbeat,
            IntervalTrigger(seconds=settings.SCHEDULER_HEARTBEAT_SECONDS, timezone=tz),
            id="_heartbeat",
            next_run_time=timezone.now(),
            max_instances=1,
            coalesce=True,
        )
        for spec in self.specs.values():
            scheduler.add_job(
                self.fire,
                spec.trigger(tz),
                args=[spec.job_id],
                id=spec.job_id,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=grace,
            )
        return scheduler
