"""Rebuild the pre-aggregated figures the engine reads for national, provincial and yearly
questions.

    manage.py indicators_rollups [--if-stale]

Every value write keeps them current and a map import rebuilds them; run this after a
restore, after loading values outside the services, or daily with ``--if-stale`` (cheap when
nothing changed).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhyen.indicators import services


class Command(BaseCommand):
    help = gettext_lazy("Xây lại số liệu tổng hợp sẵn cho các câu hỏi toàn quốc, tỉnh và năm.")  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="Chỉ xây lại khi bản đồ đã đổi hoặc chưa từng xây.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.rollups_rebuild(actor=None, only_if_stale=options["if_stale"])
        if report is None:
            self.stdout.write(_("Số liệu tổng hợp sẵn đã khớp, không cần xây lại."))
            return
        self.stdout.write(
            _("Đã xây lại %(cells)s ô tổng hợp từ số liệu của %(units)s đơn vị trong %(s)s giây.")
            % {"cells": report["cells"], "units": report["units"], "s": report["seconds"]}
        )
