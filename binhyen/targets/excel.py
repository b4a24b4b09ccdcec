"""Excel in and out for targets and allocations (openpyxl; texts never become formulas).

Invariants:
- Imports are all-or-nothing: a file is read whole, every problem is reported with its
  Excel row and column, and nothing is saved unless every row is good (the services run in
  one transaction).
- The allocation sheet is the one the export gives: unit code, unit name, share; only the
  code and the share are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from binhyen.core import tabular
from binhyen.core.db_router import analytics
from binhyen.core.tabular import Column
from binhyen.core.text import fold
from binhyen.indicators.models import Metric
from binhyen.orgunits.models import OrgUnit
from binhyen.targets.models import Comparison, Target, TargetKind
from binhyen.targets.progress import Progress, number

MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 20
MAX_ROWS = 5000


TARGET_COLUMNS = (
    Column(
        "metric",
        "Mã số liệu",
        True,
        gettext_lazy("Mã trong danh mục số liệu, ví dụ schemes_active."),
    ),
    Column(
        "kind",
        "Loại chỉ tiêu",
        True,
        gettext_lazy("count, increase, rate hoặc change (hoặc tên tiếng Việt)."),
    ),
    Column("comparison", "So sánh", False, gettext_lazy("≥ (mặc định) hoặc ≤.")),
    Column("value", "Mức chỉ tiêu", True, gettext_lazy("Số; tỷ lệ và mức thay đổi tính bằng %.")),
    Column("period", "Kỳ", True, gettext_lazy("Mã kỳ: 2026, 2026Q3, 2026M07…")),
    Column("name", "Tên chỉ tiêu", False, gettext_lazy("Tên hiển thị; để trống dùng tên số liệu.")),
    Column("option", "Nhóm phân tổ", False, gettext_lazy("Mã nhóm phân tổ của số liệu, nếu có.")),
    Column(
        "denominator",
        "Mẫu số",
        False,
        gettext_lazy("Mã số liệu làm mẫu số (bắt buộc với chỉ tiêu tỷ lệ)."),
    ),
)
SHARE_COLUMNS = (
    Column("unit", "Mã đơn vị", True, gettext_lazy("Mã đơn vị cấp dưới trực tiếp.")),
    Column("name", "Tên đơn vị", False, gettext_lazy("Chỉ để đọc, không cần sửa.")),
    Column("value", "Mức giao", True, gettext_lazy("Số không âm.")),
)


@dataclass
class TargetRow:
    row: int
    metric: Metric | None
    metric_code: str
    kind: str
    comparison: str
    value: Any
    period: str
    name: str
    option: str
    denominator: Metric | None
    denominator_code: str


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _choices(choices: Iterable[tuple[str, Any]], extra: dict[str, str]) -> dict[str, str]:
    table = dict(extra)
    for value, label in choices:
        table[fold(value)] = value
        table[fold(str(label))] = value
        with translation.override("vi"):
            table[fold(str(label))] = value
    return table


def _rows(upload: UploadedFile) -> Iterator[tuple[int, list[Any]]]:
    tabular.size_check(upload, MAX_BYTES)
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise tabular.file_error(_("Chỉ nhận tệp Excel (.xlsx)."))
    return tabular.rows_xlsx(upload, MAX_COLUMNS)


def _read(upload: UploadedFile, columns: tuple[Column, ...]) -> list[tuple[int, dict[str, Any]]]:
    """Return (Excel row, {field: value}) of the data rows; raise on a bad file or header."""
    rows = _rows(upload)
    mapping: dict[int, Column] | None = None
    out: list[tuple[int, dict[str, Any]]] = []
    for number_, values in rows:
        if mapping is None:
            match = tabular.header_match(values, columns)
            if match.problems:
                raise tabular.ImportFileError(match.problems)
            mapping = match.mapping
            continue
        if all(tabular.blank(v) for v in values):
            continue
        out.append(
            (number_, {c.field: values[i] if i < len(values) else None for i, c in mapping.items()})
        )
        if len(out) > MAX_ROWS:
            raise tabular.file_error(_("Tệp quá nhiều dòng (tối đa %(n)s).") % {"n": MAX_ROWS})
    if mapping is None:
        raise tabular.file_error(_("Tệp không có dòng tiêu đề."))
    if not out:
        raise tabular.file_error(_("Tệp không có dòng dữ liệu nào."))
    return out


def read_targets(upload: UploadedFile) -> tuple[list[TargetRow], list[tabular.ImportProblem]]:
    """Parse a targets sheet; return the rows and the problems found while parsing."""
    kinds = _choices(TargetKind.choices, {})
    comparisons = _choices(
        Comparison.choices,
        {
            "≥": Comparison.AT_LEAST,
            ">=": Comparison.AT_LEAST,
            "≤": Comparison.AT_MOST,
            "<=": Comparison.AT_MOST,
        },
    )
    metrics = {m.code: m for m in Metric.objects.filter(is_active=True)}
    problems: list[tabular.ImportProblem] = []
    parsed: list[TargetRow] = []
    for row, data in _read(upload, TARGET_COLUMNS):
        code = _text(data.get("metric"))
        kind_raw = _text(data.get("kind"))
        comparison_raw = _text(data.get("comparison")) or "≥"
        denominator_code = _text(data.get("denominator"))
        kind = kinds.get(fold(kind_raw), "")
        comparison = comparisons.get(fold(comparison_raw)) or comparisons.get(comparison_raw, "")
        if code not in metrics:
            problems.append(
                tabular.ImportProblem(
                    row,
                    "Mã số liệu",
                    _("Dòng %(row)s: không có số liệu “%(code)s” trong danh mục.")
                    % {"row": row, "code": code},
                )
            )
        if not kind:
            problems.append(
                tabular.ImportProblem(
                    row,
                    "Loại chỉ tiêu",
                    _("Dòng %(row)s: loại chỉ tiêu “%(kind)s” không hợp lệ.")
                    % {"row": row, "kind": kind_raw},
                )
            )
        if not comparison:
            problems.append(
                tabular.ImportProblem(
                    row,
                    "So sánh",
                    _("Dòng %(row)s: cách so sánh “%(c)s” không hợp lệ (≥ hoặc ≤).")
                    % {"row": row, "c": comparison_raw},
                )
            )
        if denominator_code and denominator_code not in metrics:
            problems.append(
                tabular.ImportProblem(
                    row,
                    "Mẫu số",
                    _("Dòng %(row)s: không có số liệu “%(code)s” làm mẫu số.")
                    % {"row": row, "code": denominator_code},
                )
            )
        parsed.append(
            TargetRow(
                row=row,
                metric=metrics.get(code),
                metric_code=code,
                kind=kind,
                comparison=comparison,
                value=data.get("value"),
                period=_text(data.get("period")),
                name=_text(data.get("name")),
                option=_text(data.get("option")),
                denominator=metrics.get(denominator_code),
                denominator_code=denominator_code,
            )
        )
    return parsed, problems


def read_shares(upload: UploadedFile) -> tuple[dict[str, Any], list[tabular.ImportProblem]]:
    """Parse an allocation sheet into {unit code: raw share}; repeated units are problems."""
    shares: dict[str, Any] = {}
    problems: list[tabular.ImportProblem] = []
    for row, data in _read(upload, SHARE_COLUMNS):
        code = _text(data.get("unit"))
        if not code:
            problems.append(
                tabular.ImportProblem(
                    row, "Mã đơn vị", _("Dòng %(row)s: thiếu mã đơn vị.") % {"row": row}
                )
            )
        elif code in shares:
            problems.append(
                tabular.ImportProblem(
                    row,
                    "Mã đơn vị",
                    _("Dòng %(row)s: đơn vị %(code)s xuất hiện nhiều lần.")
                    % {"row": row, "code": code},
                )
            )
        else:
            shares[code] = (row, data.get("value"))
    return shares, problems


@analytics
def progress_workbook(items: Iterable[Progress]) -> bytes:
    """Return targets with actual, percent, status and projection as one sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Chỉ tiêu")[:31])
    headers = [
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Chỉ tiêu"),
        _("Mã số liệu"),
        _("Loại"),
        _("So sánh"),
        _("Kỳ"),
        _("Nguồn"),
        _("Mức chỉ tiêu"),
        _("Thực hiện"),
        _("Tỷ lệ đạt (%)"),
        _("Đánh giá"),
        _("Dự báo cuối kỳ"),
        _("Tiến độ"),
    ]
    sheet.append([tabular.cell(sheet, h, bold=True) for h in headers])
    for p in items:
        t = p.target
        sheet.append(
            [
                tabular.cell(sheet, v)
                for v in (
                    t.orgunit.code,
                    t.orgunit.name,
                    t.name,
                    t.metric.code,
                    t.get_kind_display(),
                    t.get_comparison_display(),
                    t.period,
                    t.get_source_display(),
                    t.value,
                    p.actual,
                    p.percent,
                    p.label,
                    p.projection,
                    p.light_label,
                )
            ]
        )
    return tabular.workbook_bytes(workbook)


def shares_workbook(target: Target, children: Iterable[OrgUnit]) -> bytes:
    """Return the allocation sheet of ``target``: its children with their current shares."""
    current = {t.orgunit_id: t.value for t in Target.objects.filter(parent=target)}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Phân bổ")[:31])
    sheet.append([tabular.cell(sheet, c.header, bold=True) for c in SHARE_COLUMNS])
    for unit in children:
        sheet.append(
            [
                tabular.cell(sheet, unit.code),
                tabular.cell(sheet, unit.name),
                tabular.cell(sheet, current.get(unit.pk)),
            ]
        )
    guide = workbook.create_sheet(_("Hướng dẫn")[:31])
    guide.append(
        [
            tabular.cell(
                guide,
                _("Chỉ tiêu: %(name)s, kỳ %(p)s, mức %(v)s.")
                % {"name": target.name, "p": target.period, "v": number(target.value)},
            )
        ]
    )
    tabular.guide_columns(guide, SHARE_COLUMNS)
    return tabular.workbook_bytes(workbook)


def targets_template() -> bytes:
    """Return an empty targets sheet with its guide."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Chỉ tiêu")[:31])
    sheet.append([tabular.cell(sheet, c.header, bold=True) for c in TARGET_COLUMNS])
    guide = workbook.create_sheet(_("Hướng dẫn")[:31])
    tabular.guide_columns(guide, TARGET_COLUMNS)
    return tabular.workbook_bytes(workbook)
