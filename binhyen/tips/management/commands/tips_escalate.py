"""Escalate overdue tips and re-sync tip metrics; run every few minutes by cron or a timer.

The same service backs the ``escalate_overdue_tips`` task, for deployments that schedule
work through the task queue instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from binhyen.tips import services


class Command(BaseCommand):
    help = (
        "Escalate tips not acknowledged or not concluded in time to the parent level and "
        "re-sync the tip metrics of this month and the last. Schedule it every few minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = services.tips_escalate_overdue(actor=None)
        self.stdout.write(f"Escalated {count} tip(s).")
