"""Re-publish the values of provider-computed metrics for one or more periods.

    manage.py indicators_metrics_sync --period 2025M07 [--period 2025M08] [--metric villages]

Each metric whose source is ``provider`` is asked for the given periods (of its own kind);
the command only parses input and calls ``services.indicators_metrics_sync``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from binhyen.indicators import services
from binhyen.indicators.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = _("Tính lại số liệu của các chỉ tiêu tính tự động cho các kỳ đã chọn.")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", action="append", required=True, help="Mã kỳ, ví dụ 2025M07")
        parser.add_argument("--metric", action="append", help="Mã chỉ tiêu (mặc định: tất cả)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            periods = [parse_period(code) for code in options["period"]]
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        try:
            outcomes = services.indicators_metrics_sync(
                actor=None, periods=periods, metric_codes=options.get("metric") or None
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for outcome in outcomes:
            if not outcome.refused:
                self.stdout.write(f"{outcome.metric} {outcome.period}: {outcome.changed}")
        refused = [o for o in outcomes if o.refused]
        if refused:
            raise CommandError("; ".join(f"{o.metric} {o.period}: {o.refused}" for o in refused))
