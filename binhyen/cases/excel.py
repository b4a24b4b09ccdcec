"""Excel files of the cases app: the commune's own list and the data-subject export.

Texts are written as strings (never formulas). The list shows the identity number and the
judgment masked, like the page: an export is a read of every case in it and is logged.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from binhyen.cases.models import Case, Outcome
from binhyen.cases.selectors import masked


def _cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def case_list_workbook(cases: Iterable[Case]) -> bytes:
    """Return the commune's case list (one row per case, hidden fields masked)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Hồ sơ"))
    headers = [
        _("Mã hồ sơ"),
        _("Loại hồ sơ"),
        _("Họ và tên"),
        _("Năm sinh"),
        _("Số định danh (ẩn)"),
        _("Ngày lập hồ sơ"),
        _("Hết thời hạn quản lý, hỗ trợ"),
        _("Nhu cầu hỗ trợ"),
        _("Kết quả"),
        _("Trạng thái"),
        _("Ngày kết thúc"),
        _("Lý do kết thúc"),
    ]
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    labels = dict(Outcome.Kind.choices)
    for case in cases:
        outcomes = sorted({str(labels[o.kind]) for o in case.outcomes.all()})
        row = [
            case.reference,
            case.case_type.label,
            case.full_name,
            case.birth_year,
            masked(case)["identity_number"],
            case.opened_on,
            case.support_until,
            ", ".join(case.need_labels()),
            ", ".join(outcomes),
            case.get_status_display(),
            case.closed_on,
            case.get_closure_reason_display() if case.closure_reason else "",
        ]
        sheet.append([_cell(sheet, v) for v in row])
    return _save(workbook)


def subject_workbook(sheets: list[tuple[str, list[tuple[str, Any]]]]) -> bytes:
    """Return everything held about a person: one sheet per part, label and value per row."""
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(str(title)[:31])
        sheet.append([_cell(sheet, _("Mục"), bold=True), _cell(sheet, _("Nội dung"), bold=True)])
        for label, value in rows:
            sheet.append([_cell(sheet, str(label)), _cell(sheet, value)])
    return _save(workbook)
