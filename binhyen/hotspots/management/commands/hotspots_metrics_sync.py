"""Refresh the hotspot metrics that change with the calendar (run daily, e.g. from cron).

"In force" and "overdue tasks" are read at the end of each period or today, so a task
becomes overdue without any write. This command re-publishes them for this year and the
last one (the last one's final value is fixed once its 31 December has passed), plus the
list metrics of both years.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from binhyen.hotspots.services import hotspots_metrics_sync


class Command(BaseCommand):
    help = "Re-publish the hotspot metrics of this year and the last (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        changed = hotspots_metrics_sync(
            actor=None,
            list_years=[today.year - 1, today.year],
            since=date(today.year - 1, 1, 1),
        )
        self.stdout.write(f"Hotspot metrics refreshed: {changed} values changed.")
