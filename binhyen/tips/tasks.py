"""Background tasks of the tips app (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from binhyen.tips import services


@task()
def escalate_overdue_tips() -> int:
    """Escalate tips past their deadlines; the scheduler enqueues this every few minutes."""
    return services.tips_escalate_overdue(actor=None)
