"""Health checks (``django-health-check`` 4.x checks) and the operations status.

Two sets:
- ``READINESS``: what an app server needs to answer requests (database, cache, migrations
  applied). ``/healthz`` runs these for load balancers and tells only up or down.
- ``DETAILED``: the readiness set plus storage, the task queue, the scheduler heartbeat and
  the replica lag; the staff page shows each with its message and time.

Invariant: check messages name a component and a number, never data rows or secrets (the
detailed page is staff-only, but messages also reach logs).
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Database, Storage
from health_check.exceptions import HealthCheckException, ServiceUnavailable, ServiceWarning

from binhyen.core.models import SchedulerLease
from binhyen.core.scheduler import LEASE_NAME

logger = logging.getLogger(__name__)


def uses_database_queue() -> bool:
    """Return True when the default task backend is the database queue."""
    return "django_tasks_db" in str(settings.TASKS.get("default", {}).get("BACKEND", ""))


@dataclasses.dataclass(frozen=True)
class QueueState:
    depth: int
    oldest_enqueued_at: datetime | None
    running: int
    failed_last_day: int

    @property
    def oldest_age_seconds(self) -> float | None:
        if self.oldest_enqueued_at is None:
            return None
        return max(0.0, (timezone.now() - self.oldest_enqueued_at).total_seconds())


def queue_state() -> QueueState | None:
    """Return the depth of the database queue and its oldest waiting task (None: no queue)."""
    if not uses_database_queue():
        return None
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return QueueState(
        depth=ready.count(),
        oldest_enqueued_at=oldest,
        running=DBTaskResult.objects.running().count(),
        failed_last_day=DBTaskResult.objects.failed()
        .filter(finished_at__gte=timezone.now() - timedelta(days=1))
        .count(),
    )


@dataclasses.dataclass
class Cache(HealthCheck):
    """The cache stores and returns a value (synchronously: no event loop per probe).

    The package's own check is async; run from a request thread it costs ~9 ms of event-loop
    set-up per probe, this one a cache round trip.
    """

    alias: str = "default"

    def run(self) -> None:
        key = f"healthcheck:{uuid.uuid4().hex}"
        try:
            cache = caches[self.alias]
            cache.set(key, "ok", timeout=5)
            if cache.get(key) != "ok":
                raise ServiceUnavailable("cache did not return the value it stored")
            cache.delete(key)
        except ServiceUnavailable:
            raise
        except Exception as exc:  # Redis connection and timeout errors included
            raise ServiceUnavailable("cache unreachable") from exc


# Aliases whose migrations this process has seen applied: the code cannot change under a
# running process, so once applied they stay applied (spares building the graph per probe).
_MIGRATED: set[str] = set()


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration of the code is applied to the database."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        if self.alias in _MIGRATED:
            return
        executor = MigrationExecutor(connections[self.alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")
        _MIGRATED.add(self.alias)


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The database queue is drained: not too deep, nothing waiting too long."""

    max_depth: int = 1000
    max_wait_seconds: int = 900

    def run(self) -> None:
        state = queue_state()
        if state is None:
            return
        age = state.oldest_age_seconds
        if age is not None and age > self.max_wait_seconds:
            raise ServiceUnavailable(
                f"oldest waiting task is {int(age)} s old (depth {state.depth}): "
                "are workers running?"
            )
        if state.depth > self.max_depth:
            raise ServiceWarning(f"{state.depth} tasks waiting")


@dataclasses.dataclass
class SchedulerHeartbeat(HealthCheck):
    """A scheduler holds a live lease (it renews it every few seconds)."""

    def run(self) -> None:
        lease = SchedulerLease.objects.filter(name=LEASE_NAME).first()
        if lease is None:
            raise ServiceUnavailable("no scheduler has ever run")
        age = (timezone.now() - lease.heartbeat_at).total_seconds()
        if lease.expires_at < timezone.now():
            raise ServiceUnavailable(f"no scheduler heartbeat for {int(age)} s")


@dataclasses.dataclass
class ReplicaLag(HealthCheck):
    """The read replica (database alias ``replica``) is close behind the primary.

    A no-op when no replica is configured.
    """

    alias: str = "replica"
    max_lag_seconds: int = 30

    def run(self) -> None:
        if self.alias not in settings.DATABASES:
            return
        connection = connections[self.alias]
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), CASE "
                "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) "
                "END"
            )
            in_recovery, lag = cursor.fetchone()
        if not in_recovery:
            raise ServiceWarning("the replica alias points at a primary")
        if float(lag) > self.max_lag_seconds:
            raise ServiceUnavailable(f"replica is {float(lag):.0f} s behind")


def readiness_checks() -> list[HealthCheck]:
    return [Database(), Cache(), MigrationsApplied()]


def detailed_checks() -> list[HealthCheck]:
    return [
        *readiness_checks(),
        Storage(),
        TaskQueue(
            max_depth=settings.HEALTH_QUEUE_MAX_DEPTH,
            max_wait_seconds=settings.HEALTH_QUEUE_MAX_WAIT_SECONDS,
        ),
        SchedulerHeartbeat(),
        ReplicaLag(max_lag_seconds=settings.HEALTH_REPLICA_MAX_LAG_SECONDS),
    ]


@dataclasses.dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    warning: bool
    message: str
    seconds: float

    @property
    def milliseconds(self) -> float:
        return self.seconds * 1000


def run_checks(checks: Iterable[HealthCheck]) -> list[Outcome]:
    """Run ``checks`` in this thread, one after another, and return their outcomes.

    In the request's own thread (not the package's executor) so the checks use the
    request's database connections and never leave connections open in pool threads.
    """
    outcomes = []
    for check in checks:
        start = time.perf_counter()
        error: HealthCheckException | None = None
        try:
            if inspect.iscoroutinefunction(check.run):
                async_to_sync(check.run)()
            else:
                check.run()
        except HealthCheckException as exc:
            error = exc
        except Exception:
            logger.exception("health check %s failed unexpectedly", type(check).__name__)
            error = HealthCheckException("unknown error")
        outcomes.append(
            Outcome(
                name=type(check).__name__,
                ok=error is None or isinstance(error, ServiceWarning),
                warning=isinstance(error, ServiceWarning),
                message=str(error) if error else "OK",
                seconds=time.perf_counter() - start,
            )
        )
    return outcomes


def healthy(outcomes: Iterable[Outcome]) -> bool:
    return all(o.ok for o in outcomes)


def ops_summary() -> dict[str, Any]:
    """Return the schedule, the lease and the queue for the operations page and API."""
    from binhyen.core.models import ScheduledJob

    lease = SchedulerLease.objects.filter(name=LEASE_NAME).first()
    return {
        "jobs": list(ScheduledJob.objects.all()),
        "lease": lease,
        "lease_alive": bool(lease and lease.expires_at >= timezone.now()),
        "queue": queue_state(),
    }
