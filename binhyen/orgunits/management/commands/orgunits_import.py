"""Import (or refresh) the national administrative map: 2025 units, pre-2025 units, lineage."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from binhyen.orgunits.importer import ImportReport, MapSourceError, orgunits_import_map

# Warnings shown at the default verbosity; -v 2 shows them all.
WARNINGS_SHOWN = 10


class Command(BaseCommand):
    help = (
        "Import the administrative map from vietnamadminunits: the 34 provinces and 3,321 "
        "communes of 2025, the pre-2025 units and their lineage. Safe to re-run: only "
        "differences are written."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        try:
            report = orgunits_import_map(stdout=self.stdout if verbosity >= 1 else None)
        except MapSourceError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            self._print_report(report, verbosity)

    def _print_report(self, report: ImportReport, verbosity: int) -> None:
        if report.warnings:
            self.stdout.write(
                self.style.WARNING(
                    _("Có %(count)s điểm chênh lệch giữa các nguồn (không ảnh hưởng việc nhập):")
                    % {"count": len(report.warnings)}
                )
            )
            shown = report.warnings if verbosity >= 2 else report.warnings[:WARNINGS_SHOWN]
            for warning in shown:
                self.stdout.write("  - " + warning)
            if len(shown) < len(report.warnings):
                self.stdout.write(
                    _("  … và %(count)s điểm khác (xem tất cả với -v 2).")
                    % {"count": len(report.warnings) - len(shown)}
                )
        by_subkind = report.current_communes_by_subkind
        lines = [
            _(
                "Đơn vị hiện hành: %(provinces)s tỉnh/thành phố, %(communes)s xã/phường/đặc khu "
                "(%(xa)s xã, %(phuong)s phường, %(dac_khu)s đặc khu)."
            )
            % {
                "provinces": report.current_provinces,
                "communes": report.current_communes,
                "xa": by_subkind.get("xa", 0),
                "phuong": by_subkind.get("phuong", 0),
                "dac_khu": by_subkind.get("dac_khu", 0),
            },
            _(
                "Đơn vị trước 2025: %(provinces)s tỉnh/thành phố, %(districts)s quận/huyện, "
                "%(communes)s xã/phường/thị trấn."
            )
            % {
                "provinces": report.legacy_provinces,
                "districts": report.legacy_districts,
                "communes": report.legacy_communes,
            },
            _("Quan hệ kế thừa: %(merge)s sáp nhập, %(split)s chia tách.")
            % {"merge": report.lineage_merge, "split": report.lineage_split},
        ]
        for line in lines:
            self.stdout.write(line)
        if report.units_not_in_source or report.lineage_not_in_source:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Giữ nguyên %(units)s đơn vị và %(edges)s quan hệ có trong cơ sở dữ liệu "
                        "nhưng không có trong nguồn."
                    )
                    % {"units": report.units_not_in_source, "edges": report.lineage_not_in_source}
                )
            )
        if report.changed:
            message = _(
                "Đã cập nhật: thêm %(created)s, sửa %(updated)s đơn vị (chuyển %(moved)s đơn vị "
                "con); thêm %(lcreated)s, sửa %(lupdated)s quan hệ. Thời gian: %(seconds).1f giây."
            ) % {
                "created": report.units_created,
                "updated": report.units_updated,
                "moved": report.descendants_moved,
                "lcreated": report.lineage_created,
                "lupdated": report.lineage_updated,
                "seconds": report.elapsed_seconds,
            }
        else:
            message = _(
                "Không có gì thay đổi: cơ sở dữ liệu đã khớp với nguồn. "
                "Thời gian: %(seconds).1f giây."
            ) % {"seconds": report.elapsed_seconds}
        self.stdout.write(self.style.SUCCESS(message))
