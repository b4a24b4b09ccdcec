"""Escalate overdue tips at once (a manual run).

The scheduler enqueues the ``escalate_overdue_tips`` task, backed by the same service,
every five minutes (``SCHEDULER_JOBS``); nothing needs cron.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from binhyen.tips import services


class Command(BaseCommand):
    help = (
        "Escalate tips not acknowledged or not concluded in time to the parent level (the "
        "scheduler runs it every five minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.tips_escalate_overdue(actor=None)
        self.stdout.write(f"Escalated {count} tip(s).")
