"""Reading uploaded spreadsheets (.xlsx, .csv) for all-or-nothing imports; writing exports.

Invariants:
- Problems are reported as ``ImportProblem(row, column, message)`` with the row number the
  user sees in Excel (the header is row 1; None for the whole file), the column header and
  the reason in the user's language. A file that cannot be read at all raises
  ``ImportFileError`` carrying its problems.
- The type of a file is decided by its content as well as its name: an ``.xlsx`` must be a
  real zip that openpyxl can open; a ``.csv`` must be UTF-8 (with or without BOM) text
  separated by commas, semicolons or tabs.
- Column headers are a file-format contract (fixed Vietnamese words) matched without regard
  to case, diacritics, a trailing ``*`` or a note in brackets; their translation into the
  user's language is accepted too.
- Exports store numbers as numbers and dates as dates with Excel number formats
  (``#,##0``, ``#,##0.0#``, ``dd/mm/yyyy``), never as preformatted text; ``write_table``
  streams any number of rows in flat memory.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Generic, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from binhyen.core.text import fold

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column of an import workbook: its field, its fixed Vietnamese header (part of the
    file format), whether a row must fill it, and the help shown beside the template."""

    field: str
    header: str
    required: bool
    help: Any  # lazy translation


@dataclass(frozen=True)
class ImportProblem:
    """One problem: ``row`` as seen in Excel (None for the whole file), column header, reason."""

    row: int | None
    column: str
    message: str


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, size, encoding, header)."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def upload_problems(upload: Any) -> list[ImportProblem]:
    """Return the problem of an upload that cannot be imported at all (none chosen, empty)."""
    if upload is None:
        return [ImportProblem(row=None, column="", message=_("Hãy chọn một tệp để nhập."))]
    if not upload.size:
        return [ImportProblem(row=None, column="", message=_("Tệp đã chọn không có nội dung."))]
    return []


def refusal(problems: Sequence[ImportProblem]) -> dict[str, Any]:
    """Return the API's 400 body for a refused import: every problem with its row and column
    (``file`` for the whole file), the first one also as ``message``/``field``."""
    errors = [
        {
            "row": p.row,
            "field": p.column or ("file" if p.row is None else None),
            "message": p.message,
        }
        for p in problems
    ]
    first = errors[0]
    return {"message": first["message"], "field": first["field"], "errors": errors}


def file_error(message: str, row: int | None = None) -> ImportFileError:
    """Return the error for a problem of the whole file (or of one row, ``row``)."""
    return ImportFileError([ImportProblem(row=row, column="", message=message)])


@dataclass(frozen=True)
class RowError:
    """One problem of one import row, found by a bulk service: ``field`` is the input field."""

    row: int
    field: str
    message: str


class BulkValidationError(ValidationError):
    """Raised by a bulk-create service with every row's problems; nothing was saved."""

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = row_errors
        super().__init__([f"{e.row}: {e.message}" for e in row_errors])


class HeaderColumn(Protocol):
    """What header matching needs of an importer's column description."""

    @property
    def field(self) -> str: ...

    @property
    def header(self) -> str: ...

    @property
    def required(self) -> bool: ...


class GuideColumn(HeaderColumn, Protocol):
    """A column as the guide sheet of a template describes it."""

    @property
    def help(self) -> Any: ...


C = TypeVar("C", bound=HeaderColumn)
T = TypeVar("T")


@dataclass
class HeaderMatch(Generic[C]):
    """Result of matching a header row: column index → column, blank indexes, problems."""

    mapping: dict[int, C] = field(default_factory=dict)
    blank: list[int] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


_HEADER_NOTE = re.compile(r"\(.*?\)|\*")


def header_key(text: Any) -> str:
    """Fold a header for matching: no case, diacritics, trailing ``*`` or bracketed note."""
    return fold(_HEADER_NOTE.sub("", str(text or "")))


def blank(value: Any) -> bool:
    """Tell whether a cell is empty (None or only whitespace)."""
    return value is None or (isinstance(value, str) and not value.strip())


def size_check(upload: UploadedFile, max_bytes: int) -> None:
    """Refuse a file larger than ``max_bytes`` (5 MB) before reading it."""
    if upload.size is not None and upload.size > max_bytes:
        raise file_error(_("Tệp lớn hơn 5 MB. Hãy chia thành nhiều tệp nhỏ hơn."))


def rows_xlsx(upload: UploadedFile, max_columns: int) -> Iterator[tuple[int, list[Any]]]:
    """Yield (Excel row number, values) of the first sheet of a real ``.xlsx`` file."""
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        raise file_error(_("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."))
    unreadable = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (*unreadable, IndexError, TypeError) as exc:
        raise file_error(_("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")) from exc
    try:
        if not workbook.worksheets:
            raise file_error(_("Tệp Excel không có trang tính nào."))
        rows = workbook.worksheets[0].iter_rows(values_only=True, max_col=max_columns)
        for number, values in enumerate(rows, start=1):
            yield number, list(values)
    except unreadable as exc:
        raise file_error(_("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")) from exc
    finally:
        workbook.close()


def rows_csv(upload: UploadedFile, max_columns: int) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number, values) of a UTF-8 CSV; the separator is sniffed from line 1."""
    upload.seek(0)
    data = upload.read()
    if b"\x00" in data:
        raise file_error(_("Tệp không phải là tệp CSV hợp lệ."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(
            _("Tệp CSV phải được lưu với mã hóa UTF-8 (trong Excel: “CSV UTF-8”).")
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, values[:max_columns]
    except csv.Error as exc:
        raise file_error(_("Tệp CSV bị lỗi định dạng: %(reason)s") % {"reason": exc}) from exc


def header_match(values: list[Any], columns: Sequence[C]) -> HeaderMatch[C]:
    """Match header cells to ``columns``; collect unknown, repeated and missing columns."""
    lookup: dict[str, C] = {}
    for column in columns:
        lookup[header_key(column.header)] = column
        lookup[header_key(_(column.header))] = column
    allowed = ", ".join(c.header for c in columns)
    result: HeaderMatch[C] = HeaderMatch()
    seen: set[str] = set()
    for index, value in enumerate(values):
        if blank(value):
            result.blank.append(index)
            continue
        found = lookup.get(header_key(value))
        if found is None:
            result.problems.append(
                ImportProblem(
                    row=1,
                    column=str(value).strip(),
                    message=_("Cột “%(column)s” không được hỗ trợ. Các cột hợp lệ: %(columns)s.")
                    % {"column": str(value).strip(), "columns": allowed},
                )
            )
        elif found.field in seen:
            result.problems.append(
                ImportProblem(
                    row=1,
                    column=found.header,
                    message=_("Cột “%(column)s” xuất hiện nhiều lần.") % {"column": found.header},
                )
            )
        else:
            seen.add(found.field)
            result.mapping[index] = found
    for column in columns:
        if column.required and column.field not in seen:
            result.problems.append(
                ImportProblem(
                    row=1,
                    column=column.header,
                    message=_("Thiếu cột bắt buộc “%(column)s”.") % {"column": column.header},
                )
            )
    return result


def filled_rows(
    rows: Iterable[tuple[int, list[Any]]], columns: Sequence[C], *, empty: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, field → cell) of each row under the header that fills any column.

    The first row is the header, matched to ``columns`` (its problems raise
    ``ImportFileError``); a file without any row raises ``file_error(empty)``.
    """
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise file_error(empty)
    match = header_match(header[1], columns)
    if match.problems:
        raise ImportFileError(match.problems)
    for number, values in iterator:
        cells = {c.field: values[i] if i < len(values) else None for i, c in match.mapping.items()}
        if not all(blank(v) for v in cells.values()):
            yield number, cells


@dataclass
class ImportResult(Generic[T]):
    """What an import did: the records created, or the problems that stopped it."""

    created: list[T] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# Excel number formats: Excel shows them with the reader's own separators ("1.234.567" and
# "8,5" in a Vietnamese Excel), so numbers and dates stay numbers and dates, never text.
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def excel_value(value: Any) -> tuple[Any, str | None]:
    """Return the value a cell stores and its number format (None: Excel's General).

    Dates get ``dd/mm/yyyy``; aware datetimes are written in the current time zone (Excel has
    no time zones) with ``dd/mm/yyyy hh:mm``; floats and Decimals get ``#,##0`` when whole and
    ``#,##0.0#`` otherwise. Integers stay General (years, codes and row numbers must not read
    "2.026"): a writer asks for ``INTEGER_FORMAT`` on its count columns.
    """
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return value, DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if isinstance(value, bool) or not isinstance(value, float | Decimal):
        return value, None
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    if not finite:
        return None, None
    whole = value == int(value)
    return value, INTEGER_FORMAT if whole else DECIMAL_FORMAT


def cell(
    sheet: Any, value: Any, bold: bool = False, number_format: str | None = None
) -> WriteOnlyCell:
    """Return a write-only cell: text stays text (never a formula), numbers and dates typed.

    ``number_format`` overrides the format ``excel_value`` chooses (``INTEGER_FORMAT`` for a
    count column).
    """
    value, chosen = excel_value(value)
    written = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        written.data_type = "s"  # never let a text starting with "=" become a formula
    fmt = number_format if number_format is not None and value is not None else chosen
    if fmt is not None and not isinstance(value, str):
        written.number_format = fmt
    if bold:
        written.font = Font(bold=True)
    return written


GENERAL_FORMAT = "General"  # coordinates and other measures shown with all their digits


def cells(
    sheet: Any, values: Iterable[Any], formats: Sequence[str | None] = ()
) -> list[WriteOnlyCell]:
    """Return one row of typed cells; ``formats[i]`` overrides the format of column ``i``."""
    return [
        cell(sheet, value, number_format=formats[i] if i < len(formats) else None)
        for i, value in enumerate(values)
    ]


class RowWriter:
    """Append typed rows to a write-only sheet, reusing one styled cell per column and format.

    openpyxl's write-only sheet serialises a row as soon as it is appended, so a cell object
    can carry the next row's value: building a new styled cell for every value would double
    the time of a large export. The sheet's row conversion is replaced by one that takes the
    prepared cells as they are (openpyxl's own re-binds every value and builds a fresh cell
    after each styled one); a test writes and reads back every kind of value. Values are
    typed as ``cell`` types them.
    """

    def __init__(self, sheet: Any, formats: Sequence[str | None] = ()) -> None:
        self.sheet = sheet
        self.formats = tuple(formats)
        self._cells: dict[tuple[int, bool, str | None], WriteOnlyCell] = {}
        sheet._values_to_row = self._positioned

    @staticmethod
    def _positioned(cells: Iterable[Any], row_idx: int) -> Iterator[Any]:
        for col_idx, written in enumerate(cells, 1):
            if written is None:
                continue
            if not isinstance(written, Cell):
                written = WriteOnlyCell(None, value=written)
            written.column = col_idx
            written.row = row_idx
            yield written

    def append(self, values: Iterable[Any]) -> None:
        """Write one row."""
        row: list[WriteOnlyCell | None] = []
        for index, raw in enumerate(values):
            kind = type(raw)
            if kind is float and math.isfinite(raw):  # the common case, without the call
                value, chosen = raw, INTEGER_FORMAT if raw.is_integer() else DECIMAL_FORMAT
            elif kind is int or kind is str:
                value, chosen = raw, None
            else:
                value, chosen = excel_value(raw)
            if value is None:
                row.append(None)
                continue
            text = isinstance(value, str)
            forced = self.formats[index] if index < len(self.formats) else None
            fmt = None if text else (forced if forced is not None else chosen)
            key = (index, text, fmt)
            written = self._cells.get(key)
            if written is None:
                written = WriteOnlyCell(self.sheet)
                if fmt is not None:
                    written.number_format = fmt
                self._cells[key] = written
            written.value = value
            if text:
                written.data_type = "s"  # never let a text starting with "=" become a formula
            row.append(written)
        self.sheet.append(row)


def write_table(
    out: IO[bytes],
    *,
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    formats: Sequence[str | None] | None = None,
    caption: str | None = None,
) -> int:
    """Stream ``rows`` as one sheet into ``out`` (write-only workbook); return the rows written.

    Memory stays flat whatever the number of rows: rows are consumed one at a time and
    openpyxl's write-only sheet spills them to a temporary file. ``formats`` gives a number
    format per column (None: chosen from the value, see ``excel_value``). ``caption`` is an
    optional first line above the headers.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    if caption:
        sheet.append([cell(sheet, caption, bold=True)])
    sheet.append([cell(sheet, str(h), bold=True) for h in headers])
    writer = RowWriter(sheet, formats or ())
    count = 0
    for row in rows:
        writer.append(row)
        count += 1
    workbook.save(out)
    return count


def table_bytes(
    *,
    title: str,
    headers: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    formats: Sequence[str | None] | None = None,
    caption: str | None = None,
) -> bytes:
    """Return ``write_table``'s workbook as bytes (for the small tables of a page)."""
    buffer = io.BytesIO()
    write_table(buffer, title=title, headers=headers, rows=rows, formats=formats, caption=caption)
    return buffer.getvalue()


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str) -> str:
    return _SHEET_FORBIDDEN.sub("-", title or "").strip()[:31] or "Sheet1"


def guide_columns(guide: Any, columns: Sequence[GuideColumn]) -> None:
    """Append to a guide sheet the table of columns: header, required or not, how to fill."""
    guide.append([cell(guide, t, bold=True) for t in (_("Cột"), _("Bắt buộc"), _("Cách nhập"))])
    for column in columns:
        guide.append(
            [
                cell(guide, column.header),
                cell(guide, _("Có") if column.required else _("Không")),
                cell(guide, str(column.help)),
            ]
        )


def workbook_bytes(workbook: Workbook) -> bytes:
    """Return a workbook saved as ``.xlsx`` bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
