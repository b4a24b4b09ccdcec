"""REST endpoint of the operations status, under /api/v1/ops (operators only).

``GET /status``: the scheduled jobs (last and next run, last status), the scheduler lease
and the task queue (depth, oldest waiting task) — what ``/ops/`` shows. Anyone who is not
an operator (``permissions.can_view_operations``) gets 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from binhyen.core import health
from binhyen.core.permissions import can_view_operations
from binhyen.core.schemas import ErrorOut

router = Router(tags=["operations"])


class JobOut(Schema):
    job_id: str
    task_path: str
    cron: str
    last_run_at: datetime | None
    last_status: str
    next_run_at: datetime | None


class SchedulerOut(Schema):
    active: bool
    holder: str | None
    heartbeat_at: datetime | None


class QueueOut(Schema):
    depth: int
    oldest_enqueued_at: datetime | None
    oldest_wait_seconds: float | None
    running: int
    failed_last_day: int


class StatusOut(Schema):
    scheduler: SchedulerOut
    queue: QueueOut | None
    jobs: list[JobOut]


@router.get("/status", response={200: StatusOut, 404: ErrorOut})
def status(request: HttpRequest) -> Any:
    """Scheduled jobs, the scheduler lease and the task queue (operators only)."""
    if not can_view_operations(request.user):
        raise Http404
    summary = health.ops_summary()
    lease = summary["lease"]
    queue = summary["queue"]
    return {
        "scheduler": {
            "active": summary["lease_alive"],
            "holder": lease.holder if lease else None,
            "heartbeat_at": lease.heartbeat_at if lease else None,
        },
        "queue": None
        if queue is None
        else {
            "depth": queue.depth,
            "oldest_enqueued_at": queue.oldest_enqueued_at,
            "oldest_wait_seconds": queue.oldest_age_seconds,
            "running": queue.running,
            "failed_last_day": queue.failed_last_day,
        },
        "jobs": summary["jobs"],
    }
