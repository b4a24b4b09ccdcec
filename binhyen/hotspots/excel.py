"""Excel export of hotspot areas: one row per designation, texts never turned into formulas."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from binhyen.core import tabular
from binhyen.core.db_router import analytics
from binhyen.hotspots.models import Designation, TaskStatus

HEADERS: tuple[Any, ...] = (
    gettext_lazy("Mã"),
    gettext_lazy("Xã, phường"),
    gettext_lazy("Mã đơn vị"),
    gettext_lazy("Tỉnh"),
    gettext_lazy("Diện"),
    gettext_lazy("Năm danh sách"),
    gettext_lazy("Phân loại ma túy"),
    gettext_lazy("Nhóm vấn đề"),
    gettext_lazy("Số quyết định"),
    gettext_lazy("Ngày quyết định"),
    gettext_lazy("Cơ quan ban hành"),
    gettext_lazy("Phân công phụ trách"),
    gettext_lazy("Nhiệm vụ"),
    gettext_lazy("Nhiệm vụ hoàn thành"),
    gettext_lazy("Nhiệm vụ quá hạn"),
    gettext_lazy("Ngày đề nghị đưa ra khỏi diện"),
    gettext_lazy("Số quyết định đưa ra khỏi diện"),
    gettext_lazy("Ngày đưa ra khỏi diện"),
    gettext_lazy("Số lần tái phức tạp"),
)


def _cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    return tabular.cell(sheet, value, bold=bold)


@analytics
def export_workbook(designations: Iterable[Designation]) -> bytes:
    """Return the designations as a one-sheet workbook, streamed row by row."""
    today = timezone.localdate()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(gettext_lazy("Địa bàn trọng điểm"))[:31])
    sheet.append([_cell(sheet, str(h), bold=True) for h in HEADERS])
    for d in designations:
        tasks = list(d.tasks.all())
        sheet.append(
            [
                _cell(sheet, v)
                for v in (
                    d.pk,
                    d.orgunit.name,
                    d.orgunit.code,
                    d.orgunit.parent.name if d.orgunit.parent else "",
                    d.get_regime_display(),
                    d.year,
                    d.get_drug_area_type_display() if d.drug_area_type else "",
                    "; ".join(c.name for c in d.categories.all()),
                    d.decision_number,
                    d.decision_date,
                    d.issuing_body,
                    "; ".join(str(r) for r in d.responsibilities.all()),
                    len(tasks),
                    sum(1 for t in tasks if t.status == TaskStatus.DONE),
                    sum(1 for t in tasks if t.is_overdue(today)),
                    d.removal_proposed_on,
                    d.removal_decision_number,
                    d.removal_date,
                    len(d.relapses.all()),
                )
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
