"""Excel files of the indicators app: report templates (download, upload) and table exports.

Invariants:
- A template names its form, unit and period in fixed cells (B2, B3, B4) and has one row
  per metric (and disaggregation option) from row 7: code in A, option in B, value in E.
- ``parse_upload`` never writes: it returns the cells to save and a list of
  ``ImportProblem(row, cell, message)``, each message naming its cell ("A9: …", "Trang
  “Báo cáo”, ô E9: …"); the caller saves only when the list is empty. A file that cannot be
  read, or is meant for another form, unit or period, raises ``ImportFileError``.
- Only typed numbers are read. A formula is refused (its cached result is never trusted: a
  file written by a program has none, and reading "no value" would delete the stored one);
  text, infinity and NaN are refused. A value cell left blank leaves the stored value as it
  is (a program that writes NaN, or a formula without a cached result, gives a blank cell);
  the word "xóa" in the cell is the only way an upload removes a number. The template's
  guidance sheet says so.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.exceptions import InvalidFileException

from binhyen.core import tabular
from binhyen.core.tabular import ImportProblem, file_error
from binhyen.core.text import fold
from binhyen.indicators.models import Metric
from binhyen.indicators.services import ValueInput

FIRST_ROW = 7
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
# Typed in a value cell (with or without diacritics), it clears the stored value.
CLEAR_WORD = "xoa"


@dataclass
class TemplateLine:
    metric: Metric
    option: str
    option_name: str
    value: float | None


def template_lines(
    metrics: Sequence[Metric], values: dict[tuple[int, str], float]
) -> list[TemplateLine]:
    lines = []
    for metric in metrics:
        options = (
            [(o.code, o.label) for o in metric.disaggregation.options.all()]
            if metric.disaggregation is not None
            else [("", "")]
        )
        for code, name in options:
            lines.append(TemplateLine(metric, code, name, values.get((metric.pk, code))))
    return lines


def build_template(*, form: Any, unit: Any, period: Any, lines: Sequence[TemplateLine]) -> bytes:
    """Return an .xlsx report template, filled with the values already saved."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Báo cáo")[:31]
    ws["A1"] = form.label
    ws["A1"].font = Font(bold=True, size=13)
    for row, (label, code, name) in enumerate(
        (
            (_("Biểu mẫu"), form.code, form.label),
            (_("Đơn vị"), unit.code, unit.name),
            (_("Kỳ báo cáo"), period.code, period.label),
        ),
        start=2,
    ):
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        ws.cell(row=row, column=2, value=code)
        ws.cell(row=row, column=3, value=name)
    ws["A5"] = _("Chỉ nhập vào cột E (Giá trị). Không sửa các cột khác và ô B2–B4.")
    ws["A5"].font = Font(italic=True)
    headers = [_("Mã chỉ tiêu"), _("Mã phân tổ"), _("Chỉ tiêu"), _("Đơn vị tính"), _("Giá trị")]
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=FIRST_ROW - 1, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for i, line in enumerate(lines):
        r = FIRST_ROW + i
        name = line.metric.label + (f" — {line.option_name}" if line.option else "")
        ws.cell(row=r, column=1, value=line.metric.code)
        ws.cell(row=r, column=2, value=line.option or None)
        ws.cell(row=r, column=3, value=name).alignment = Alignment(wrap_text=True)
        ws.cell(row=r, column=4, value=line.metric.unit_of_measure)
        cell = ws.cell(row=r, column=5, value=line.value)
        cell.protection = Protection(locked=False)
        _value, number_format = tabular.excel_value(line.value)
        if number_format is not None:
            cell.number_format = number_format
    for letter, width in zip("ABCDE", (24, 16, 60, 14, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    guide = wb.create_sheet(_("Hướng dẫn")[:31])
    guide.column_dimensions["A"].width = 100
    for row, text in enumerate(guidance(), start=1):
        guide.cell(row=row, column=1, value=text).alignment = Alignment(wrap_text=True)
    guide["A1"].font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def guidance() -> list[str]:
    """Return the rules of the template, written on its guidance sheet."""
    return [
        _("Cách điền mẫu báo cáo"),
        _("1. Chỉ nhập số vào cột E (Giá trị) của trang đầu; không sửa các cột khác và ô B2–B4."),
        _(
            "2. Nhập số, không nhập công thức: ô có công thức (bắt đầu bằng dấu =) bị từ chối, "
            "kể cả khi Excel hiện kết quả. Hãy dán giá trị (Paste Values) trước khi tải lên."
        ),
        _("3. Không nhận chữ, số vô hạn (inf) hay NaN; số vượt giới hạn của chỉ tiêu bị từ chối."),
        _(
            "4. Ô Giá trị để trống thì số liệu đã lưu của dòng đó được giữ nguyên. Muốn xóa số "
            "liệu đã lưu, hãy gõ chữ “xóa” vào ô Giá trị."
        ),
        _("5. Nếu có ô sai, không ô nào được lưu; trang kết quả nêu từng ô cần sửa."),
    ]


def parse_number(raw: Any) -> float | None:
    """Return the number in a cell or field (1234.5, 1234,5 and 1.234,5 all work), or None.

    Raise ``NotFinite`` (a ``ValueError``) for infinity and NaN, ``ValueError`` for text.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, (int, float)):
        return _finite(float(raw))
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    # Vietnamese spreadsheets write 1.234,5; accept both 1234.5 and 1234,5.
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    return _finite(float(text))


class NotFinite(ValueError):
    """A number that is infinite or NaN ("inf", "1e400", "nan")."""


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise NotFinite(value)
    return value


def parse_upload(
    *, data: bytes, form: Any, unit: Any, period: Any, metrics: Sequence[Metric]
) -> tuple[list[ValueInput], list[ImportProblem]]:
    """Return (cells to save, per-cell problems) read from an uploaded template."""
    if len(data) > MAX_BYTES:
        raise file_error(_("Tệp quá lớn (tối đa 5 MB)."))
    try:
        # Formulas are read as formulas (not their cached result) so they can be refused.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        OSError,
        KeyError,
        ValueError,
        TypeError,
    ) as exc:
        raise file_error(_("Không đọc được tệp: hãy tải lên tệp Excel (.xlsx) theo mẫu.")) from exc
    ws = wb.worksheets[0]
    sheet = ws.title
    try:
        rows = list(
            ws.iter_rows(min_row=1, max_row=FIRST_ROW + MAX_ROWS, max_col=5, values_only=True)
        )
    except (ValueError, TypeError, KeyError) as exc:
        # A numeric cell holding "nan" or "inf" stops the reader before any cell is known.
        raise file_error(
            _("Không đọc được tệp: trang “%(sheet)s” có ô số không hợp lệ (NaN hoặc vô hạn).")
            % {"sheet": sheet}
        ) from exc
    finally:
        wb.close()

    def cell(r: int, c: int) -> Any:
        return rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else None

    wrong: list[str] = []
    for ref, row, expected in (("B2", 2, form.code), ("B3", 3, unit.code), ("B4", 4, period.code)):
        got = str(cell(row, 2) or "").strip()
        if got != expected:
            wrong.append(
                _("%(ref)s: tệp dành cho '%(got)s', trang này là '%(expected)s'.")
                % {"ref": ref, "got": got, "expected": expected}
            )
    if wrong:
        raise file_error(" ".join(wrong))
    by_code = {m.code: m for m in metrics}
    options = {
        m.code: (
            {o.code for o in m.disaggregation.options.all()}
            if m.disaggregation is not None
            else {""}
        )
        for m in metrics
    }
    values: list[ValueInput] = []
    errors: list[ImportProblem] = []
    for r in range(FIRST_ROW, len(rows) + 1):
        code = str(cell(r, 1) or "").strip()
        option = str(cell(r, 2) or "").strip()
        raw = cell(r, 5)
        if isinstance(raw, str):
            raw = raw.strip()
        if not code and not option and raw in (None, ""):
            continue
        metric = by_code.get(code)
        if metric is None:
            message = _("A%(r)s: không có chỉ tiêu '%(code)s' trong biểu mẫu.") % {
                "r": r,
                "code": code,
            }
            errors.append(ImportProblem(row=r, column=f"A{r}", message=message))
            continue
        if option not in options[code]:
            message = _("B%(r)s: nhóm phân tổ '%(option)s' không thuộc chỉ tiêu '%(code)s'.") % {
                "r": r,
                "option": option,
                "code": code,
            }
            errors.append(ImportProblem(row=r, column=f"B{r}", message=message))
            continue
        if raw in (None, ""):
            continue  # blank keeps the stored value (guidance sheet, rule 4)
        where = {"sheet": sheet, "r": r, "raw": str(raw)[:40], "code": code}

        if isinstance(raw, str) and raw.startswith("="):
            errors.append(
                _at_value(
                    r,
                    _(
                        "Trang “%(sheet)s”, ô E%(r)s: ô chứa công thức '%(raw)s'; "
                        "hãy nhập số (dán giá trị), không nhập công thức."
                    )
                    % where,
                )
            )
            continue
        if isinstance(raw, str) and fold(raw) == CLEAR_WORD:
            values.append(ValueInput(metric=metric, value=None, option=option, ref=f"E{r}", row=r))
            continue
        try:
            value = parse_number(raw)
        except NotFinite:
            errors.append(
                _at_value(
                    r, _("Trang “%(sheet)s”, ô E%(r)s: '%(raw)s' không phải là số hữu hạn.") % where
                )
            )
            continue
        except ValueError:
            errors.append(
                _at_value(r, _("Trang “%(sheet)s”, ô E%(r)s: '%(raw)s' không phải là số.") % where)
            )
            continue
        problem = metric.check_value(value) if value is not None else None
        if problem:
            errors.append(
                _at_value(
                    r,
                    _("Trang “%(sheet)s”, ô E%(r)s: giá trị của '%(code)s' %(problem)s.")
                    % {**where, "problem": problem},
                )
            )
            continue
        values.append(ValueInput(metric=metric, value=value, option=option, ref=f"E{r}", row=r))
    return values, errors


def _at_value(row: int, message: str) -> ImportProblem:
    """Return a problem of the value cell (column E) of ``row``."""
    return ImportProblem(row=row, column=f"E{row}", message=message)


def table_xlsx(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return any on-screen table as an .xlsx file (streaming write, typed numbers and dates)."""
    return tabular.table_bytes(title=title or "Bang", headers=headers, rows=rows, caption=title)
