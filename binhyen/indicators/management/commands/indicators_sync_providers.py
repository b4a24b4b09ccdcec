"""Store the values of provider-computed metrics for one or more periods.

    manage.py indicators_sync_providers --period 2025M07 [--period 2025M08] [--metric villages]

Each metric whose source is ``provider`` is asked for the given periods (of its own kind);
the command only parses input and calls ``services.provider_values_sync``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext_lazy as _

from binhyen.indicators import services
from binhyen.indicators.models import Metric, MetricSource
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
        metrics = Metric.objects.filter(source=MetricSource.PROVIDER, is_active=True)
        if options.get("metric"):
            metrics = metrics.filter(code__in=options["metric"])
            missing = set(options["metric"]) - set(metrics.values_list("code", flat=True))
            if missing:
                raise CommandError(
                    _("Không có chỉ tiêu tính tự động: %(codes)s.")
                    % {"codes": ", ".join(sorted(missing))}
                )
        for metric in metrics:
            for period in periods:
                if period.kind != metric.period_kind:
                    continue
                try:
                    changed = services.provider_values_sync(
                        actor=None, metric=metric, period_code=period.code
                    )
                except ValidationError as exc:
                    raise CommandError(
                        f"{metric.code} {period.code}: {'; '.join(exc.messages)}"
                    ) from exc
                self.stdout.write(f"{metric.code} {period.code}: {changed}")
