"""Criteria sets to and from Excel (.xlsx) and JSON, so a province loads the official list.

Invariants:
- An export read back by the import gives the same set: criteria (every field), groups,
  the condition, levels and caps (round trip, tested).
- Parsing only turns cells into typed values and reports malformed cells per row
  (``row <n>: <field>``, Excel rows counted as shown in Excel, header = row 1; JSON
  criteria from 1); the checks of meaning (CEL, groups, duplicate codes) are the service's,
  reported the same way. Nothing is written unless the whole file is accepted.
- Texts are written as text, never as formulas; formulas in an uploaded file are refused.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from binhyen.core import tabular
from binhyen.programs.models import CLASSIFICATION_ORDER, CriteriaSet, Criterion, CriterionKind
from binhyen.programs.services import CriterionInput, SetInput

FORMAT = "binhyen.criteria_set"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000

# (field, Vietnamese header) of the criteria sheet, in column order.
COLUMNS = [
    ("code", "Mã"),
    ("group", "Nhóm"),
    ("order", "Thứ tự"),
    ("title", "Nội dung tiêu chí"),
    ("guidance", "Hướng dẫn đánh giá"),
    ("mandatory", "Bắt buộc"),
    ("kind", "Loại"),
    ("expression", "Biểu thức CEL"),
    ("max_points", "Điểm tối đa"),
    ("pass_points", "Điểm tối thiểu để đạt"),
    ("needs_completion", "Cần hoàn thiện"),
    # optional: a reading translation; the official wording is the Vietnamese title
    ("title_en", "Nội dung tiêu chí (tiếng Anh)"),
]
KIND_WORDS = {
    "rule": CriterionKind.RULE,
    "quy tắc": CriterionKind.RULE,
    "quy tac": CriterionKind.RULE,
    "evidence": CriterionKind.EVIDENCE,
    "minh chứng": CriterionKind.EVIDENCE,
    "minh chung": CriterionKind.EVIDENCE,
    "points": CriterionKind.POINTS,
    "chấm điểm": CriterionKind.POINTS,
    "cham diem": CriterionKind.POINTS,
}
KIND_LABELS = {
    CriterionKind.RULE: "quy tắc",
    CriterionKind.EVIDENCE: "minh chứng",
    CriterionKind.POINTS: "chấm điểm",
}
TRUE_WORDS = {"có", "co", "x", "1", "true", "yes", "đúng"}
FALSE_WORDS = {"không", "khong", "0", "false", "no", "sai", ""}
LEVEL_WORDS = {
    "excellent": "excellent",
    "xuất sắc": "excellent",
    "fair": "fair",
    "khá": "fair",
    "good": "fair",
    "tốt": "fair",
    "average": "average",
    "trung bình": "average",
    "weak": "weak",
    "yếu": "weak",
}
LEVEL_LABELS = {
    "excellent": "xuất sắc",
    "fair": "khá",
    "average": "trung bình",
    "weak": "yếu",
}
SET_SHEET = "Bộ tiêu chí"
CRITERIA_SHEET = "Tiêu chí"
LEVELS_SHEET = "Xếp loại"
CAPS_SHEET = "Giới hạn tỷ lệ"


OTHER_LABELS = {
    "groups": "Nhóm tiêu chí",
    "min_optional_met": "Số tiêu chí không bắt buộc tối thiểu phải đạt",
    "min_points": "Tổng điểm tối thiểu",
    "levels": "Xếp loại",
    "caps": "Giới hạn tỷ lệ",
    "criteria": "Tiêu chí",
    "criteria_set": "Bộ tiêu chí",
    "file": "Tệp",
}


def field_label(name: str) -> str:
    """Return the column header naming ``name`` (for errors shown to the user)."""
    headers = dict(COLUMNS)
    return headers.get(name) or OTHER_LABELS.get(name, name)


# --- export ----------------------------------------------------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def criterion_dict(criterion: Criterion) -> dict[str, Any]:
    return {
        "code": criterion.code,
        "group": criterion.group,
        "order": criterion.order,
        "title": criterion.title,
        "title_en": criterion.title_en,
        "guidance": criterion.guidance,
        "mandatory": criterion.mandatory,
        "kind": criterion.kind,
        "expression": criterion.expression,
        "max_points": _number(criterion.max_points),
        "pass_points": _number(criterion.pass_points),
        "needs_completion": criterion.needs_completion,
    }


def to_json(criteria_set: CriteriaSet) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": 1,
        "program": criteria_set.program.code,
        "program_name": criteria_set.program.name,
        "version": criteria_set.version,
        "note": criteria_set.note,
        "groups": list(criteria_set.groups),
        "min_optional_met": criteria_set.min_optional_met,
        "min_points": _number(criteria_set.min_points),
        "levels": list(criteria_set.levels),
        "caps": list(criteria_set.caps),
        "criteria": [criterion_dict(c) for c in criteria_set.criteria.all()],
    }


def _text_cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    return tabular.cell(sheet, value, bold=bold)


def _sheet(workbook: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]) -> Any:
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_text_cell(sheet, h, bold=True) for h in headers])
    return sheet


def _yes(value: bool) -> str:
    return "có" if value else "không"


def to_xlsx(criteria_set: CriteriaSet) -> bytes:
    """Return the set as a workbook: criteria, set settings, level thresholds and caps."""
    workbook = Workbook(write_only=True)
    sheet = _sheet(
        workbook,
        CRITERIA_SHEET,
        [header for _name, header in COLUMNS],
        (8, 26, 8, 60, 50, 10, 12, 48, 10, 12, 12, 60),
    )
    for c in criteria_set.criteria.all():
        row = criterion_dict(c)
        row["mandatory"] = _yes(c.mandatory)
        row["needs_completion"] = _yes(c.needs_completion)
        row["kind"] = KIND_LABELS[CriterionKind(c.kind)]
        sheet.append([_text_cell(sheet, row[name]) for name, _header in COLUMNS])
    settings = _sheet(workbook, SET_SHEET, ["Mục", "Giá trị"], (40, 80))
    settings.append(
        [_text_cell(settings, "Chương trình"), _text_cell(settings, criteria_set.program.code)]
    )
    settings.append([_text_cell(settings, "Phiên bản"), criteria_set.version])
    settings.append([_text_cell(settings, "Ghi chú"), _text_cell(settings, criteria_set.note)])
    settings.append(
        [
            _text_cell(settings, "Số tiêu chí không bắt buộc tối thiểu phải đạt"),
            criteria_set.min_optional_met,
        ]
    )
    settings.append([_text_cell(settings, "Tổng điểm tối thiểu"), _number(criteria_set.min_points)])
    for group in criteria_set.groups:
        settings.append([_text_cell(settings, "Nhóm"), _text_cell(settings, group)])
    levels = _sheet(workbook, LEVELS_SHEET, ["Mức", "Điểm tối thiểu"], (20, 16))
    for item in criteria_set.levels:
        levels.append([_text_cell(levels, LEVEL_LABELS[item["level"]]), item.get("min_points")])
    caps = _sheet(
        workbook,
        CAPS_SHEET,
        ["Mức", "Tỷ lệ tối đa (%)", "Tính trên số đạt mức trở lên"],
        (20, 16, 30),
    )
    for item in criteria_set.caps:
        caps.append(
            [
                _text_cell(caps, LEVEL_LABELS[item["level"]]),
                item.get("max_share"),
                _text_cell(caps, LEVEL_LABELS.get(item.get("base") or "", "")),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- parsing -----------------------------------------------------------------------------------


class RowErrors:
    """Collect ``row <n>: <field>`` errors; raise them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _bool(value: Any, errors: RowErrors, key: str) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    errors.add(key, _("“%(v)s” không phải là có/không.") % {"v": word[:40]})
    return False


def _decimal(value: Any, errors: RowErrors, key: str) -> Decimal | None:
    text = _text(value).replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.add(key, _("“%(v)s” không phải là số.") % {"v": text[:40]})
        return None
    if not number.is_finite():
        errors.add(key, _("“%(v)s” không phải là số.") % {"v": text[:40]})
        return None
    return number


def _int(value: Any, errors: RowErrors, key: str, default: int = 0) -> int:
    number = _decimal(value, errors, key)
    if number is None:
        return default
    if number != number.to_integral_value() or number < 0:
        errors.add(key, _("Cần một số nguyên không âm."))
        return default
    return int(number)


def _kind(value: Any, errors: RowErrors, key: str) -> str:
    word = _text(value).lower() or "minh chứng"
    kind = KIND_WORDS.get(word)
    if kind is None:
        errors.add(
            key,
            _("Loại “%(v)s” không có: dùng quy tắc, minh chứng hoặc chấm điểm.") % {"v": word[:40]},
        )
        return CriterionKind.EVIDENCE
    return kind


def _level(value: Any, errors: RowErrors, key: str, allow_empty: bool = False) -> str:
    word = _text(value).lower()
    if not word and allow_empty:
        return ""
    level = LEVEL_WORDS.get(word)
    if level is None:
        errors.add(
            key, _("Mức “%(v)s” không có: dùng xuất sắc, khá, trung bình, yếu.") % {"v": word[:40]}
        )
        return CLASSIFICATION_ORDER[-1]
    return level


def _criterion(raw: dict[str, Any], row: int, errors: RowErrors) -> CriterionInput:
    def key(name: str) -> str:
        return f"row {row}: {name}"

    return CriterionInput(
        code=_text(raw.get("code")),
        group=_text(raw.get("group")),
        order=_int(raw.get("order"), errors, key("order"), default=row),
        title=_text(raw.get("title")),
        title_en=_text(raw.get("title_en")),
        guidance=_text(raw.get("guidance")),
        mandatory=_bool(raw.get("mandatory", True), errors, key("mandatory")),
        kind=_kind(raw.get("kind"), errors, key("kind")),
        expression=_text(raw.get("expression")),
        max_points=_decimal(raw.get("max_points"), errors, key("max_points")),
        pass_points=_decimal(raw.get("pass_points"), errors, key("pass_points")),
        needs_completion=_bool(raw.get("needs_completion", False), errors, key("needs_completion")),
        row=row,
    )


def from_json(document: Any) -> tuple[SetInput, list[CriterionInput]]:
    """Parse a JSON document (bytes, text or already decoded) into service inputs."""
    errors = RowErrors()
    if isinstance(document, (bytes, str)):
        if len(document) > MAX_BYTES:
            raise ValidationError({"file": _("Tệp lớn hơn 5 MB.")})
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError(
                {"file": _("Tệp không phải là JSON hợp lệ: %(e)s") % {"e": exc}}
            ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("criteria"), list):
        raise ValidationError({"file": _("Tệp JSON cần có danh sách “criteria”.")})
    rows = document["criteria"]
    if len(rows) > MAX_ROWS:
        raise ValidationError({"file": _("Tệp có quá %(n)s tiêu chí.") % {"n": MAX_ROWS}})
    criteria = []
    for row, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.add(f"row {row}: code", _("Mỗi tiêu chí phải là một đối tượng JSON."))
            continue
        criteria.append(_criterion(raw, row, errors))
    groups = document.get("groups", [])
    if not isinstance(groups, list):
        errors.add("groups", _("“groups” phải là danh sách."))
        groups = []
    settings = SetInput(
        groups=[_text(g) for g in groups if _text(g)],
        min_optional_met=_int(document.get("min_optional_met"), errors, "min_optional_met"),
        min_points=_decimal(document.get("min_points"), errors, "min_points"),
        levels=document.get("levels") or [],
        caps=document.get("caps") or [],
        note=_text(document.get("note")),
    )
    errors.raise_if_any()
    return settings, criteria


def _rows(sheet: Any) -> Iterable[tuple[int, list[Any]]]:
    """Yield (Excel row number, cell values) of non-empty rows; refuse formulas."""
    for index, row in enumerate(sheet.iter_rows(), start=1):
        if any(getattr(cell, "data_type", "") == "f" for cell in row):
            raise ValidationError(
                {f"row {index}: file": _("Ô có công thức: hãy dán giá trị thay cho công thức.")}
            )
        cells = [getattr(cell, "value", None) for cell in row]
        if any(_text(v) for v in cells):
            yield index, cells


def from_xlsx(data: bytes) -> tuple[SetInput, list[CriterionInput]]:
    """Parse a workbook written by ``to_xlsx`` (or filled in by hand with the same headers)."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": _("Tệp lớn hơn 5 MB.")})
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        raise ValidationError({"file": _("Không đọc được tệp Excel (.xlsx).")}) from exc
    if CRITERIA_SHEET not in workbook.sheetnames:
        raise ValidationError(
            {"file": _("Tệp cần có trang “%(sheet)s”.") % {"sheet": CRITERIA_SHEET}}
        )
    errors = RowErrors()
    rows = list(_rows(workbook[CRITERIA_SHEET]))
    if not rows:
        raise ValidationError({"file": _("Trang “Tiêu chí” không có dòng nào.")})
    header_row, header = rows[0]
    positions: dict[str, int] = {}
    by_header = {h.lower(): name for name, h in COLUMNS}
    for index, value in enumerate(header):
        name = by_header.get(_text(value).lower())
        if name:
            positions[name] = index
    for required in ("code", "title"):
        if required not in positions:
            errors.add(
                f"row {header_row}: {required}",
                _("Thiếu cột “%(col)s”.") % {"col": field_label(required)},
            )
    errors.raise_if_any()
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError({"file": _("Tệp có quá %(n)s tiêu chí.") % {"n": MAX_ROWS}})
    criteria = []
    for row, cells in rows[1:]:
        raw = {name: cells[i] if i < len(cells) else None for name, i in positions.items()}
        if "mandatory" not in raw:
            raw["mandatory"] = True
        criteria.append(_criterion(raw, row, errors))
    settings = SetInput()
    if SET_SHEET in workbook.sheetnames:
        for row, cells in _rows(workbook[SET_SHEET]):
            label = _text(cells[0]).lower() if cells else ""
            value = cells[1] if len(cells) > 1 else None
            if label == "nhóm" and _text(value):
                settings.groups.append(_text(value))
            elif label.startswith("số tiêu chí không bắt buộc"):
                settings.min_optional_met = _int(value, errors, f"row {row}: min_optional_met")
            elif label == "tổng điểm tối thiểu":
                settings.min_points = _decimal(value, errors, f"row {row}: min_points")
            elif label == "ghi chú":
                settings.note = _text(value)
    if LEVELS_SHEET in workbook.sheetnames:
        for row, cells in list(_rows(workbook[LEVELS_SHEET]))[1:]:
            level = _level(cells[0], errors, f"row {row}: levels")
            threshold = _decimal(cells[1] if len(cells) > 1 else None, errors, f"row {row}: levels")
            settings.levels.append({"level": level, "min_points": _number(threshold)})
    if CAPS_SHEET in workbook.sheetnames:
        for row, cells in list(_rows(workbook[CAPS_SHEET]))[1:]:
            level = _level(cells[0], errors, f"row {row}: caps")
            share = _decimal(cells[1] if len(cells) > 1 else None, errors, f"row {row}: caps")
            base = _level(cells[2] if len(cells) > 2 else None, errors, f"row {row}: caps", True)
            settings.caps.append({"level": level, "max_share": _number(share), "base": base})
    errors.raise_if_any()
    return settings, criteria


def error_lines(exc: ValidationError) -> list[str]:
    """Return the errors of an import as lines a person reads ("Dòng 5, Biểu thức CEL: ...")."""
    lines: list[str] = []
    for key, messages in exc.message_dict.items():
        if key.startswith("row "):
            row, _sep, name = key[4:].partition(": ")
            where = _("Dòng %(row)s, cột “%(col)s”") % {"row": row, "col": field_label(name)}
        elif key == "__all__":
            where = _("Tệp")
        else:
            where = field_label(key)
        lines.extend(f"{where}: {m}" for m in messages)
    return lines
