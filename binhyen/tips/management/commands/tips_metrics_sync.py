"""Re-publish the tip metrics at once (a manual run).

The scheduler enqueues the ``tips_metrics_sync`` task, backed by the same service, every
five minutes (``SCHEDULER_JOBS``); nothing needs cron.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from binhyen.indicators.periods import PeriodError, PeriodKind, parse_period
from binhyen.tips import services


class Command(BaseCommand):
    help = (
        "Re-publish the tip metrics (received, valuable, on time) of the given months, or of "
        "this month and the last (the scheduler runs it every five minutes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("months", nargs="*", help="month codes such as 2026-03")

    def handle(self, *args: Any, **options: Any) -> None:
        codes: list[str] | None = None
        if options["months"]:
            codes = []
            for code in options["months"]:
                try:
                    period = parse_period(code)
                except PeriodError as exc:
                    raise CommandError(f"{code}: {exc}") from None
                if period.kind != PeriodKind.MONTH:
                    raise CommandError(f"{code}: not a month (e.g. 2026-03)")
                codes.append(period.code)
        changed = services.tips_metrics_sync(actor=None, period_codes=codes)
        self.stdout.write(f"Changed {changed} value(s).")
