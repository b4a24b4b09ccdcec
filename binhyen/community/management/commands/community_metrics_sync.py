"""Recompute the numbers the community app publishes, for a range of dates.

Run daily (for example from cron) so the current period has values even on days nobody
edits a record, and after restoring or importing data to back-fill older periods.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from binhyen.community import services


class Command(BaseCommand):
    help = "Recompute community metrics (schemes, teams, pledges) from --start to --end."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--start", help="First day, YYYY-MM-DD (default: 31 days ago)")
        parser.add_argument("--end", help="Last day, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        try:
            start = (
                date.fromisoformat(options["start"])
                if options["start"]
                else today - timedelta(days=31)
            )
            end = date.fromisoformat(options["end"]) if options["end"] else today
        except ValueError as exc:
            raise CommandError(f"Bad date: {exc}") from exc
        try:
            changed = services.community_metrics_sync(actor=None, start=start, end=end)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Community metrics synced {start}..{end}: {changed} values changed.")
