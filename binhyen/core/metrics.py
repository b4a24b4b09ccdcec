"""Gauges of the queue and the scheduler, read from the database when /metrics is scraped.

Every app server reports the same values (they come from the shared database); alert on
one series per deployment, e.g. ``max(binhyen_tasks_waiting)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from binhyen.core.health import queue_state
from binhyen.core.models import ScheduledJob, SchedulerLease
from binhyen.core.scheduler import LEASE_NAME


class OperationsCollector(Collector):
    """Queue depth, oldest waiting task, scheduler heartbeat age, last run of each job."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        state = queue_state()
        if state is not None:
            yield GaugeMetricFamily(
                "binhyen_tasks_waiting", "Tasks ready and waiting for a worker", value=state.depth
            )
            yield GaugeMetricFamily(
                "binhyen_tasks_running", "Tasks a worker is running", value=state.running
            )
            yield GaugeMetricFamily(
                "binhyen_tasks_oldest_wait_seconds",
                "Age of the oldest waiting task (0 when none)",
                value=state.oldest_age_seconds or 0.0,
            )
            yield GaugeMetricFamily(
                "binhyen_tasks_failed_last_day",
                "Tasks that failed in the last 24 hours",
                value=state.failed_last_day,
            )
        lease = SchedulerLease.objects.filter(name=LEASE_NAME).first()
        yield GaugeMetricFamily(
            "binhyen_scheduler_heartbeat_age_seconds",
            "Seconds since the active scheduler renewed its lease (-1: never ran)",
            value=(now - lease.heartbeat_at).total_seconds() if lease else -1.0,
        )
        last_run = GaugeMetricFamily(
            "binhyen_job_last_run_timestamp_seconds",
            "Fire time of the last enqueued run of each scheduled job",
            labels=["job"],
        )
        for job_id, last_run_at in ScheduledJob.objects.exclude(last_run_at=None).values_list(
            "job_id", "last_run_at"
        ):
            if last_run_at is not None:
                last_run.add_metric([job_id], last_run_at.timestamp())
        yield last_run


_collector: OperationsCollector | None = None


def register_collector() -> None:
    """Register the collector once per process (on the first scrape)."""
    global _collector
    if _collector is None:
        _collector = OperationsCollector()
        REGISTRY.register(_collector)
