"""Background tasks of the tips app (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from binhyen.tips import services


@task()
def escalate_overdue_tips() -> int:
    """Escalate tips past their deadlines; the scheduler enqueues this every few minutes."""
    return services.tips_escalate_overdue(actor=None)


@task()
def zalo_push_send(push_id: int) -> str | None:
    """Push one officer reply to its Zalo sender (enqueued when the reply commits)."""
    return services.zalo_push_attempt(push_id)


@task()
def zalo_pushes_due() -> int:
    """Retry due Zalo pushes; the scheduler enqueues this every minute."""
    return services.zalo_pushes_due()


@task()
def zalo_token_refresh() -> bool:
    """Refresh the OA access token before it expires; the scheduler enqueues this every
    30 minutes (``manage.py zalo_token_refresh`` does the same by hand)."""
    return services.zalo_token_refresh_if_due()


@task()
def zalo_contacts_purge() -> int:
    """Forget Zalo user ids past the reply window; the scheduler enqueues this daily."""
    return services.zalo_contacts_purge()
