"""Background tasks of the tips app (Django Tasks API).

Tasks call services; services never import this module. The push of one officer reply,
``zalo_push_send``, is defined beside its worker in ``services.zalo_delivery`` (a failed
attempt enqueues it again) and re-exported here under its historical path.
"""

from __future__ import annotations

from django_tasks import task

from binhyen.tips import services
from binhyen.tips.services.zalo_delivery import zalo_push_send

__all__ = [
    "escalate_overdue_tips",
    "tips_metrics_sync",
    "zalo_contacts_purge",
    "zalo_push_send",
    "zalo_pushes_due",
    "zalo_token_refresh",
]


@task()
def escalate_overdue_tips() -> int:
    """Escalate tips past their deadlines; the scheduler enqueues this every few minutes."""
    return services.tips_escalate_overdue(actor=None)


@task()
def tips_metrics_sync() -> int:
    """Re-publish the tip metrics of this month and the last; the scheduler enqueues this
    every five minutes (``manage.py tips_metrics_sync`` does the same by hand)."""
    return services.tips_metrics_sync(actor=None)


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
