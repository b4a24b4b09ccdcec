"""Excel/CSV exchange of a commune's villages and establishments: import, template, export.

Invariants:
- An import is all or nothing. Every row is checked first (file, header, each cell, names
  duplicated within the file or against the commune's open units); if anything is wrong,
  nothing is saved and every problem is returned with the row number the user sees in
  Excel (the header is row 1), the column and the reason. Only a clean file reaches the
  one service call ``orgunit_bulk_create``.
- Accepted files: ``.xlsx`` (a real Office Open XML zip, first sheet) and ``.csv`` (UTF-8,
  with or without BOM, separated by commas, semicolons or tabs); at most 5 MB and 5,000
  data rows. Anything else is refused with a message saying why.
- Column headers are a file-format contract, so they are fixed Vietnamese words (``Tên``,
  ``Loại``, ...) matched without regard to case, diacritics, a trailing ``*`` or a note in
  brackets; their translation into the user's language is accepted too.
- Texts written into a spreadsheet are always stored as text, never as formulas.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from binhyen.core import tabular
from binhyen.core.actors import Actor
from binhyen.core.db_router import analytics
from binhyen.core.formats import format_date
from binhyen.core.tabular import Column, ImportFileError, ImportProblem
from binhyen.core.tabular import blank as _blank
from binhyen.core.tabular import cell as _cell
from binhyen.core.tabular import file_error as _file_error
from binhyen.core.tabular import workbook_bytes as _save
from binhyen.core.text import fold
from binhyen.orgunits.models import SUBKINDS_BY_KIND, OrgUnit, Subkind, UnitKind
from binhyen.orgunits.services import (
    CREATABLE_KINDS,
    BulkValidationError,
    UnitInput,
    former_commune_find,
    former_communes_of,
    orgunit_bulk_create,
    orgunit_inputs_validate,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Rows read (blank ones included) before giving up: a sheet of a million formatted blank rows
# must not keep a worker busy.
MAX_PHYSICAL_ROWS = MAX_ROWS * 4
MAX_COLUMNS = 60
TEMPLATE_SHEET = "Danh sách"
GUIDE_SHEET = "Hướng dẫn"


COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        gettext_noop("Tên"),
        True,
        gettext_lazy("Tên thôn, tổ dân phố, cơ quan, doanh nghiệp."),
    ),
    Column(
        "subkind",
        gettext_noop("Loại"),
        False,
        gettext_lazy(
            "Thôn, Bản, Tổ dân phố, Ấp, Khối, Cơ quan, Doanh nghiệp, Cơ sở giáo dục… (đủ danh "
            "sách ở trang “Hướng dẫn” của tệp mẫu). Để trống: Thôn (ở xã, đặc khu) hoặc Tổ dân "
            "phố (ở phường, thị trấn)."
        ),
    ),
    Column(
        "population", gettext_noop("Dân số"), False, gettext_lazy("Số người, số nguyên không âm.")
    ),
    Column(
        "households",
        gettext_noop("Số hộ"),
        False,
        gettext_lazy("Số hộ gia đình, số nguyên không âm."),
    ),
    Column(
        "latitude", gettext_noop("Vĩ độ"), False, gettext_lazy("Ví dụ 21.0285; nhập cùng kinh độ.")
    ),
    Column(
        "longitude",
        gettext_noop("Kinh độ"),
        False,
        gettext_lazy("Ví dụ 105.8542; nhập cùng vĩ độ."),
    ),
    Column("address", gettext_noop("Địa chỉ"), False, gettext_lazy("Tối đa 255 ký tự.")),
    Column("note", gettext_noop("Ghi chú"), False, gettext_lazy("Không bắt buộc.")),
    Column(
        "former_parent",
        gettext_noop("Xã/phường cũ (trước 01/07/2025)"),
        False,
        gettext_lazy(
            "Xã/phường mà đơn vị thuộc về trước ngày 01/07/2025: mã (có hoặc không có chữ L) "
            "hoặc tên (có hoặc không dấu), phải là xã/phường đã được sắp xếp vào xã/phường này. "
            "Để trống nếu không có."
        ),
    ),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
# Service field names that are reported under another column.
FIELD_COLUMN = {"kind": "Loại", "code": "Tên"}

# Common ways of writing a type that are not its exact label.
SUBKIND_ALIASES: dict[str, str] = {
    "tdp": Subkind.TO_DAN_PHO,
    "to": Subkind.TO_DAN_PHO,
    "phum": Subkind.PHUM_SOC,
    "soc": Subkind.PHUM_SOC,
    "truong": Subkind.CO_SO_GIAO_DUC,
    "truong hoc": Subkind.CO_SO_GIAO_DUC,
    "co so giao duc": Subkind.CO_SO_GIAO_DUC,
    "cong ty": Subkind.DOANH_NGHIEP,
    "dn": Subkind.DOANH_NGHIEP,
    "khu dan cu": Subkind.THON,
}


ImportResult = tabular.ImportResult[OrgUnit]


def _subkind_lookup() -> dict[str, str]:
    """Map folded labels (Vietnamese and current language), values and aliases to subkinds."""
    allowed = [s for kind in CREATABLE_KINDS for s in SUBKINDS_BY_KIND[kind]]
    table: dict[str, str] = dict(SUBKIND_ALIASES)
    labels = dict(Subkind.choices)
    for value in allowed:
        table[fold(value)] = value
        table[fold(value.replace("_", " "))] = value
        table[fold(str(labels[value]))] = value
        with translation.override("vi"):
            table[fold(str(labels[value]))] = value
    return table


def _default_subkind(commune: OrgUnit) -> str:
    if commune.subkind in (Subkind.PHUONG, Subkind.THI_TRAN):
        return Subkind.TO_DAN_PHO
    return Subkind.THON


# --- reading files ------------------------------------------------------------------------


def _read_rows(upload: UploadedFile) -> Iterator[tuple[int, list[Any]]]:
    name = (upload.name or "").lower()
    tabular.size_check(upload, MAX_BYTES)
    if name.endswith(".xlsx"):
        return tabular.rows_xlsx(upload, MAX_COLUMNS)
    if name.endswith(".csv"):
        return tabular.rows_csv(upload, MAX_COLUMNS)
    if name.endswith(".xls"):
        raise _file_error(
            _("Không đọc được định dạng .xls cũ. Hãy mở tệp bằng Excel và lưu lại dưới dạng .xlsx.")
        )
    raise _file_error(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def _map_header(values: list[Any]) -> tuple[dict[int, Column], list[int]]:
    """Return column index → Column, and indexes of blank headers; raise on a bad header."""
    if all(_blank(v) for v in values):
        raise _file_error(
            _("Dòng 1 phải là dòng tiêu đề với các cột: %(columns)s.")
            % {"columns": ", ".join(c.header for c in COLUMNS)},
            row=1,
        )
    match = tabular.header_match(values, COLUMNS)
    if match.problems:
        raise ImportFileError(match.problems)
    return match.mapping, match.blank


# --- parsing cells ------------------------------------------------------------------------

_GROUPED_INT = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    text = str(value).strip()
    if _GROUPED_INT.match(text):
        text = re.sub(r"[.,\s]", "", text)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError
    return int(text)


def _parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError  # a numeric cell holding infinity or NaN
        return float(value)
    text = str(value).strip().replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError
    return float(text)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return format_date(value)
    return str(value).strip()


def _parse_row(
    number: int,
    values: list[Any],
    mapping: dict[int, Column],
    blank: list[int],
    commune: OrgUnit,
    subkinds: dict[str, str],
    formers: dict[str, OrgUnit | str] | None = None,
) -> tuple[UnitInput, list[ImportProblem]]:
    problems: list[ImportProblem] = []
    cells: dict[str, Any] = {}
    for index, column in mapping.items():
        cells[column.field] = values[index] if index < len(values) else None
    for index in blank:
        if index < len(values) and not _blank(values[index]):
            letter = get_column_letter(index + 1)
            problems.append(
                ImportProblem(
                    row=number,
                    column=letter,
                    message=_("Ô có dữ liệu nhưng cột %(letter)s không có tiêu đề.")
                    % {"letter": letter},
                )
            )

    def bad(field_name: str, message: str) -> None:
        problems.append(
            ImportProblem(row=number, column=COLUMN_BY_FIELD[field_name].header, message=message)
        )

    subkind = ""
    raw_subkind = cells.get("subkind")
    if _blank(raw_subkind):
        subkind = _default_subkind(commune)
    else:
        found = subkinds.get(fold(_text(raw_subkind)))
        if found is None:
            bad(
                "subkind",
                _("Loại “%(value)s” không hợp lệ; xem danh sách ở trang “Hướng dẫn”.")
                % {"value": _text(raw_subkind)},
            )
        else:
            subkind = found
    numbers: dict[str, Any] = {}
    for name in ("population", "households"):
        raw = cells.get(name)
        numbers[name] = None
        if not _blank(raw):
            try:
                numbers[name] = _parse_int(raw)
            except ValueError:
                bad(name, _("“%(value)s” không phải là số nguyên.") % {"value": _text(raw)})
    for name in ("latitude", "longitude"):
        raw = cells.get(name)
        numbers[name] = None
        if not _blank(raw):
            try:
                numbers[name] = _parse_float(raw)
            except ValueError:
                bad(name, _("“%(value)s” không phải là một số.") % {"value": _text(raw)})
    former: OrgUnit | None = None
    raw_former = cells.get("former_parent")
    if not _blank(raw_former):
        # Each distinct text is looked up once per file (a file often repeats the old commune).
        text = _text(raw_former)
        cache = formers if formers is not None else {}
        if text not in cache:
            try:
                cache[text] = former_commune_find(text, commune=commune)
            except ValidationError as exc:
                cache[text] = exc.message_dict["former_parent"][0]
        found_former = cache[text]
        if isinstance(found_former, OrgUnit):
            former = found_former
        else:
            bad("former_parent", found_former)
    data = UnitInput(
        former_parent=former,
        name="" if _blank(cells.get("name")) else _text(cells["name"]),
        subkind=subkind,
        address="" if _blank(cells.get("address")) else _text(cells["address"]),
        note="" if _blank(cells.get("note")) else _text(cells["note"]),
        row=number,
        **numbers,
    )
    return data, problems


def _column_of(field_name: str) -> str:
    if field_name in COLUMN_BY_FIELD:
        return COLUMN_BY_FIELD[field_name].header
    return FIELD_COLUMN.get(field_name, field_name)


def _merge(problems: Iterable[ImportProblem]) -> list[ImportProblem]:
    """Keep the first problem per (row, column), ordered by row then column order."""
    order = {c.header: i for i, c in enumerate(COLUMNS)}
    kept: dict[tuple[int | None, str], ImportProblem] = {}
    for problem in problems:
        kept.setdefault((problem.row, problem.column), problem)
    return sorted(kept.values(), key=lambda p: (p.row or 0, order.get(p.column, 99), p.column))


def parse_upload(
    upload: UploadedFile, commune: OrgUnit
) -> tuple[list[UnitInput], list[ImportProblem]]:
    """Read the whole file into inputs and return every problem found (nothing is saved)."""
    try:
        rows = _read_rows(upload)
        header: list[Any] | None = None
        mapping: dict[int, Column] = {}
        blank: list[int] = []
        inputs: list[UnitInput] = []
        problems: list[ImportProblem] = []
        subkinds = _subkind_lookup()
        formers: dict[str, OrgUnit | str] = {}
        for number, values in rows:
            if header is None:
                header = values
                mapping, blank = _map_header(values)
                continue
            if number > MAX_PHYSICAL_ROWS:
                raise _file_error(
                    _(
                        "Tệp có quá nhiều dòng (kể cả dòng trống sau dữ liệu). Hãy xóa các "
                        "dòng thừa hoặc chia thành nhiều tệp."
                    )
                )
            if all(_blank(v) for v in values):
                continue
            if len(inputs) >= MAX_ROWS:
                raise _file_error(
                    _("Tệp có nhiều hơn %(max)s dòng dữ liệu. Hãy chia thành nhiều tệp.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
            data, row_problems = _parse_row(
                number, values, mapping, blank, commune, subkinds, formers
            )
            inputs.append(data)
            problems.extend(row_problems)
    except ImportFileError as exc:
        return [], exc.problems
    if header is None or not inputs:
        return [], [ImportProblem(row=None, column="", message=_("Tệp không có dòng dữ liệu nào."))]
    problems.extend(
        ImportProblem(row=e.row, column=_column_of(e.field), message=e.message)
        for e in orgunit_inputs_validate(parent=commune, inputs=inputs)
    )
    return inputs, _merge(problems)


def import_units(*, actor: Actor, commune: OrgUnit, upload: UploadedFile) -> ImportResult:
    """Check the uploaded file and, if every row is right, create all its units in one go."""
    inputs, problems = parse_upload(upload, commune)
    result = ImportResult(rows_read=len(inputs), problems=problems)
    if problems:
        return result
    try:
        result.created = orgunit_bulk_create(
            actor=actor, commune=commune, rows=inputs, source=upload.name or ""
        )
    except BulkValidationError as exc:
        result.problems = _merge(
            ImportProblem(row=e.row, column=_column_of(e.field), message=e.message)
            for e in exc.row_errors
        )
    return result


# --- writing spreadsheets -----------------------------------------------------------------


def _example_former(commune: OrgUnit) -> str:
    """Return a former commune of ``commune`` as the template's example, or nothing."""
    former = next(iter(former_communes_of(commune)), None)
    return former.name if former is not None else ""


def template_workbook(commune: OrgUnit) -> bytes:
    """Return the import template: header, one example row, and a "Hướng dẫn" sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TEMPLATE_SHEET)
    for index, width in enumerate((32, 16, 10, 10, 12, 12, 36, 30, 30), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, c.header, bold=True) for c in COLUMNS])
    example_subkind = _default_subkind(commune)
    labels = dict(Subkind.choices)
    with translation.override("vi"):
        example_label = str(labels[example_subkind])
    sheet.append(
        tabular.cells(
            sheet,
            (
                _("%(kind)s Đông") % {"kind": example_label},
                example_label,
                1250,
                310,
                21.0285,
                105.8542,
                "",
                _("Dòng ví dụ: xóa hoặc sửa trước khi nhập."),
                _example_former(commune),
            ),
            EXPORT_FORMATS[1:],  # the template has no code column
        )
    )
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 26
    guide.column_dimensions["B"].width = 16
    guide.column_dimensions["C"].width = 80
    guide.append([_cell(guide, _("Nhập thôn, tổ dân phố, cơ quan, doanh nghiệp"), bold=True)])
    guide.append(
        [
            _cell(
                guide,
                _(
                    "Mỗi dòng của trang “%(sheet)s” là một đơn vị của %(commune)s. Dòng 1 là "
                    "tiêu đề, giữ nguyên. Nếu có lỗi, không dòng nào được lưu và hệ thống liệt kê "
                    "từng lỗi theo số dòng. Tối đa %(max)s dòng, tệp không quá 5 MB."
                )
                % {"sheet": TEMPLATE_SHEET, "commune": commune.name, "max": MAX_ROWS},
            )
        ]
    )
    guide.append([])
    tabular.guide_columns(guide, COLUMNS)
    guide.append([])
    guide.append(
        [_cell(guide, t, bold=True) for t in (_("Giá trị của cột Loại"), _("Cấp"), _("Mã"))]
    )
    kinds = dict(UnitKind.choices)
    for kind in CREATABLE_KINDS:
        for value in SUBKINDS_BY_KIND[kind]:
            with translation.override("vi"):
                label = str(labels[value])
            guide.append([_cell(guide, label), _cell(guide, str(kinds[kind])), _cell(guide, value)])
    return _save(workbook)


EXPORT_HEADERS: tuple[Any, ...] = (
    gettext_lazy("Mã"),
    gettext_lazy("Tên"),
    gettext_lazy("Loại"),
    gettext_lazy("Dân số"),
    gettext_lazy("Số hộ"),
    gettext_lazy("Vĩ độ"),
    gettext_lazy("Kinh độ"),
    gettext_lazy("Diện tích (km²)"),
    gettext_lazy("Địa chỉ"),
    gettext_lazy("Ghi chú"),
    gettext_lazy("Hiệu lực từ"),
    gettext_lazy("Hiệu lực đến"),
)

# Population and households grouped ("12.345"); coordinates with all their digits.
EXPORT_FORMATS: tuple[str | None, ...] = (
    None,
    None,
    None,
    tabular.INTEGER_FORMAT,
    tabular.INTEGER_FORMAT,
    tabular.GENERAL_FORMAT,
    tabular.GENERAL_FORMAT,
)

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@analytics
def export_workbook(units: Iterable[OrgUnit], title: str) -> bytes:
    """Return ``units`` as a one-sheet workbook (streamed row by row)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet1")
    for index, width in enumerate((16, 32, 16, 10, 10, 11, 11, 12, 32, 30, 12, 12), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, str(h), bold=True) for h in EXPORT_HEADERS])
    for unit in units:
        sheet.append(
            tabular.cells(
                sheet,
                (
                    unit.code,
                    unit.name,
                    unit.get_subkind_display(),
                    unit.population,
                    unit.households,
                    unit.latitude,
                    unit.longitude,
                    unit.area_km2,
                    unit.address,
                    unit.note,
                    unit.valid_from,
                    unit.valid_to,
                ),
                EXPORT_FORMATS,
            )
        )
    return _save(workbook)


def problems_as_rows(problems: Sequence[ImportProblem]) -> list[tuple[str, str, str]]:
    """Return problems as (row, column, reason) texts for display."""
    return [(str(p.row) if p.row is not None else "", p.column, p.message) for p in problems]
