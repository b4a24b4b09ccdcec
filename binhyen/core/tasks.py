"""Background tasks of the core app (Django Tasks API): webhook deliveries."""

from __future__ import annotations

from django_tasks import task

from binhyen.core import webhooks


@task()
def webhook_deliver(delivery_id: int) -> str | None:
    """Make one attempt of a webhook delivery (enqueued when the event's write commits)."""
    return webhooks.webhook_deliver(delivery_id)


@task()
def webhooks_deliver_due() -> int:
    """Retry every due webhook delivery; the scheduler enqueues this every minute."""
    return webhooks.webhooks_deliver_due()
