"""The population workbook of a province (or of one commune): template and import.

Invariants:
- The template lists the open communes of the province, each followed by its open villages
  (or the commune and its villages), with their code, name, commune, current population,
  households and the year of those figures. Only the code and the figures are read back;
  names are there for the reader.
- An import is all or nothing (``services_population.orgunit_population_bulk_set``): every
  problem of the file, its cells and its rows is returned with the row number seen in Excel
  (header = row 1), the column and the reason, and nothing is saved.
- Headers are matched without regard to case, diacritics, a trailing ``*`` or a note in
  brackets (``core.tabular.header_match``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from binhyen.core import tabular
from binhyen.core.actors import Actor
from binhyen.core.db_router import analytics
from binhyen.core.tabular import Column, ImportFileError, ImportProblem
from binhyen.orgunits.excel import _parse_int, _read_rows, _text
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.orgunits.services_population import (
    PopulationRow,
    orgunit_population_bulk_set,
    population_rows_validate,
    population_units,
)

MAX_ROWS = 20000
TEMPLATE_SHEET = "Dân số"
GUIDE_SHEET = "Hướng dẫn"

COLUMNS: tuple[Column, ...] = (
    Column("code", gettext_noop("Mã"), True, gettext_lazy("Mã đơn vị, giữ nguyên như tệp mẫu.")),
    Column("name", gettext_noop("Tên"), False, gettext_lazy("Chỉ để đọc.")),
    Column("commune", gettext_noop("Xã/phường"), False, gettext_lazy("Chỉ để đọc.")),
    Column(
        "population",
        gettext_noop("Dân số"),
        False,
        gettext_lazy("Số người, số nguyên không âm. Để trống: giữ số hiện có."),
    ),
    Column(
        "households",
        gettext_noop("Số hộ"),
        False,
        gettext_lazy("Số hộ gia đình, không lớn hơn dân số. Để trống: giữ số hiện có."),
    ),
    Column(
        "year",
        gettext_noop("Năm"),
        False,
        gettext_lazy("Năm của số liệu, ví dụ 2025. Để trống: năm nay."),
    ),
)
_HEADER = {c.field: c.header for c in COLUMNS}
FORMATS: tuple[str | None, ...] = (
    None,
    None,
    None,
    tabular.INTEGER_FORMAT,
    tabular.INTEGER_FORMAT,
    None,
)

ImportResult = tabular.ImportResult[int]


def _units(scope: OrgUnit) -> Iterator[OrgUnit]:
    """The scope's communes, each followed by its villages (the materialised path order)."""
    return (
        OrgUnit.objects.filter(population_units(scope))
        .select_related("parent")
        .order_by("path")
        .iterator(chunk_size=2000)
    )


@analytics
def template_workbook(scope: OrgUnit) -> bytes:
    """Return the workbook pre-filled with the scope's communes and villages, and a guide."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TEMPLATE_SHEET)
    for index, width in enumerate((18, 32, 28, 12, 12, 8), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([tabular.cell(sheet, c.header, bold=True) for c in COLUMNS])
    writer = tabular.RowWriter(sheet, FORMATS)
    for unit in _units(scope):
        commune = unit if unit.kind == UnitKind.COMMUNE else unit.parent
        writer.append(
            (
                unit.code,
                unit.name,
                commune.name if commune is not None else "",
                unit.population,
                unit.households,
                unit.population_year,
            )
        )
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 80
    guide.append([tabular.cell(guide, _("Nhập dân số, số hộ"), bold=True)])
    guide.append(
        [
            tabular.cell(
                guide,
                _(
                    "Mỗi dòng của trang “%(sheet)s” là một xã/phường hoặc thôn, tổ dân phố của "
                    "%(scope)s. Dòng 1 là tiêu đề, giữ nguyên. Nếu có lỗi, không dòng nào được "
                    "lưu và hệ thống liệt kê từng lỗi theo số dòng."
                )
                % {"sheet": TEMPLATE_SHEET, "scope": scope.name},
            )
        ]
    )
    guide.append([])
    tabular.guide_columns(guide, COLUMNS)
    return tabular.workbook_bytes(workbook)


def _int_cell(
    number: int, field: str, raw: Any, problems: list[ImportProblem], *, negative_ok: bool
) -> int | None:
    if tabular.blank(raw):
        return None
    try:
        value = _parse_int(raw)
    except ValueError:
        problems.append(
            ImportProblem(
                number,
                _HEADER[field],
                _("“%(value)s” không phải là số nguyên.") % {"value": _text(raw)},
            )
        )
        return None
    if value < 0 and not negative_ok:
        problems.append(ImportProblem(number, _HEADER[field], _("Không được là số âm.")))
        return None
    return value


def parse_upload(upload: UploadedFile) -> tuple[list[PopulationRow], list[ImportProblem]]:
    """Read the rows of a population file; return them and the problems of their cells."""
    rows: list[PopulationRow] = []
    problems: list[ImportProblem] = []
    filled = tabular.filled_rows(
        _read_rows(upload), COLUMNS, empty=_("Tệp không có dòng dữ liệu nào.")
    )
    for number, cells in filled:
        if len(rows) >= MAX_ROWS:
            raise tabular.file_error(
                _("Tệp có nhiều hơn %(max)s dòng dữ liệu. Hãy chia thành nhiều tệp.")
                % {"max": MAX_ROWS},
                row=number,
            )
        code = "" if tabular.blank(cells.get("code")) else _text(cells["code"])
        if not code:
            problems.append(ImportProblem(number, _HEADER["code"], _("Không được để trống.")))
        population = _int_cell(
            number, "population", cells.get("population"), problems, negative_ok=False
        )
        households = _int_cell(
            number, "households", cells.get("households"), problems, negative_ok=False
        )
        year = _int_cell(number, "year", cells.get("year"), problems, negative_ok=True)
        rows.append(PopulationRow(code, population, households, year, number))
    if not rows:
        raise tabular.file_error(_("Tệp không có dòng dữ liệu nào."))
    return rows, problems


def _sorted(problems: list[ImportProblem]) -> list[ImportProblem]:
    order = {c.header: i for i, c in enumerate(COLUMNS)}
    return sorted(problems, key=lambda p: (p.row or 0, order.get(p.column, 99)))


def import_population(*, actor: Actor, scope: OrgUnit, upload: UploadedFile) -> ImportResult:
    """Check the file and set every row's figures, all or none; ``created`` = [units changed]."""
    try:
        rows, problems = parse_upload(upload)
    except ImportFileError as exc:
        return ImportResult(problems=exc.problems)
    result = ImportResult(rows_read=len(rows))
    # Rows with a bad cell are still checked for their code, so every problem shows at once.
    problems.extend(
        ImportProblem(e.row, _HEADER[e.field], e.message)
        for e in population_rows_validate(scope=scope, rows=[r for r in rows if r.code])
    )
    if problems:
        result.problems = _sorted(_unique(problems))
        return result
    try:
        changed = orgunit_population_bulk_set(
            actor=actor, scope=scope, rows=rows, source=upload.name or ""
        )
    except tabular.BulkValidationError as exc:
        result.problems = _sorted(
            [ImportProblem(e.row, _HEADER[e.field], e.message) for e in exc.row_errors]
        )
        return result
    result.created = [changed]
    return result


def _unique(problems: list[ImportProblem]) -> list[ImportProblem]:
    """Keep one problem per (row, column): a cell refused by the reader is not reported twice."""
    kept: dict[tuple[int | None, str], ImportProblem] = {}
    for problem in problems:
        kept.setdefault((problem.row, problem.column), problem)
    return list(kept.values())
