"""Excel exchange of the activity log: import (all or nothing), template, export.

Invariants:
- An import is all or nothing. The file, the header and every row are checked first; if
  anything is wrong nothing is saved and every problem is returned with the row number the
  user sees in Excel (the header is row 1), the column header and the reason. Only a clean
  file reaches the one service call ``activity_bulk_create``.
- Only real ``.xlsx`` files are read (a zip that openpyxl can open); at most 5 MB and 2,000
  data rows. Column headers are a file-format contract (fixed Vietnamese words), matched
  without regard to case, diacritics, a trailing ``*`` or a note in brackets.
- A filled cell that the row's kind does not use is an error, never silently dropped.
- Texts written into a spreadsheet are always stored as text, never as formulas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from binhyen.activities.models import (
    KIND_FIELDS,
    Activity,
    ActivityKind,
    CameraOwnership,
    MediaChannel,
    WeaponKind,
)
from binhyen.activities.services import (
    ActivityInput,
    BulkValidationError,
    ItemInput,
    activity_bulk_create,
    inputs_validate,
)
from binhyen.core import tabular
from binhyen.core.actors import Actor
from binhyen.core.db_router import analytics
from binhyen.core.formats import format_date
from binhyen.core.tabular import ImportFileError as _FileError
from binhyen.core.tabular import ImportProblem
from binhyen.core.tabular import blank as _blank
from binhyen.core.tabular import cell as _cell
from binhyen.core.tabular import file_error as _file_error
from binhyen.core.tabular import workbook_bytes as _save
from binhyen.core.text import fold
from binhyen.orgunits.models import OrgUnit, UnitKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
MAX_PHYSICAL_ROWS = MAX_ROWS * 4
MAX_COLUMNS = 60
SHEET = "Hoạt động"


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # fixed Vietnamese header, part of the file format
    parse: str  # date, kind, text, int, decimal, float, unit, villages, channel, ownership, item
    help: Any
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "date",
        gettext_noop("Ngày"),
        "date",
        gettext_lazy("Ngày/tháng/năm, ví dụ 05/03/2025."),
        True,
    ),
    Column(
        "kind",
        gettext_noop("Loại hoạt động"),
        "kind",
        gettext_lazy("Một trong các loại ở trang “Hướng dẫn” (gõ không dấu cũng được)."),
        True,
    ),
    Column(
        "title",
        gettext_noop("Tiêu đề"),
        "text",
        gettext_lazy("Để trống: lấy chủ đề hoặc tên loại."),
    ),
    Column(
        "unit",
        gettext_noop("Thôn ghi nhận"),
        "unit",
        gettext_lazy("Để trống nếu hoạt động của cả xã; hoặc tên, mã một thôn của xã."),
    ),
    Column(
        "participants",
        gettext_noop("Số người tham gia"),
        "int",
        gettext_lazy("Số nguyên không âm."),
    ),
    Column(
        "villages",
        gettext_noop("Các thôn"),
        "villages",
        gettext_lazy("Tên các thôn được tuyên truyền, thắp sáng…, cách nhau bằng dấu chấm phẩy."),
    ),
    Column(
        "topic",
        gettext_noop("Chủ đề"),
        "text",
        gettext_lazy("Bắt buộc với tuyên truyền, tập huấn."),
    ),
    Column("place", gettext_noop("Địa điểm"), "text", gettext_lazy("Không bắt buộc.")),
    Column(
        "leaflets",
        gettext_noop("Tờ rơi"),
        "int",
        gettext_lazy("Tuyên truyền: số tờ rơi, tài liệu."),
    ),
    Column("posters", gettext_noop("Pa nô, áp phích"), "int", gettext_lazy("Tuyên truyền.")),
    Column("bulletin_boards", gettext_noop("Bảng tin"), "int", gettext_lazy("Tuyên truyền.")),
    Column(
        "channel",
        gettext_noop("Kênh"),
        "channel",
        gettext_lazy("Đăng tin: Facebook, nhóm Zalo, Zalo OA, loa."),
    ),
    Column("posts", gettext_noop("Số tin bài"), "int", gettext_lazy("Đăng tin.")),
    Column(
        WeaponKind.FIREARM, gettext_noop("Súng"), "item", gettext_lazy("Giao nộp: số khẩu súng.")
    ),
    Column(
        WeaponKind.AMMUNITION, gettext_noop("Đạn"), "item", gettext_lazy("Giao nộp: số viên đạn.")
    ),
    Column(WeaponKind.EXPLOSIVE, gettext_noop("Vật liệu nổ"), "item", gettext_lazy("Giao nộp.")),
    Column(
        WeaponKind.SUPPORT_TOOL, gettext_noop("Công cụ hỗ trợ"), "item", gettext_lazy("Giao nộp.")
    ),
    Column(WeaponKind.FIRECRACKER, gettext_noop("Pháo"), "item", gettext_lazy("Giao nộp.")),
    Column("cameras", gettext_noop("Số camera"), "int", gettext_lazy("Lắp camera.")),
    Column(
        "camera_ownership",
        gettext_noop("Camera của"),
        "ownership",
        gettext_lazy("Lắp camera: “công cộng” hoặc “hộ gia đình”."),
    ),
    Column("latitude", gettext_noop("Vĩ độ"), "float", gettext_lazy("Lắp camera, ví dụ 21.0285.")),
    Column(
        "longitude", gettext_noop("Kinh độ"), "float", gettext_lazy("Lắp camera, ví dụ 105.8542.")
    ),
    Column("light_points", gettext_noop("Điểm chiếu sáng"), "int", gettext_lazy("Thắp sáng.")),
    Column(
        "lit_km", gettext_noop("Km thắp sáng"), "decimal", gettext_lazy("Thắp sáng, ví dụ 1.5.")
    ),
    Column("cases_resolved", gettext_noop("Vụ hòa giải thành"), "int", gettext_lazy("Hòa giải.")),
    Column("description", gettext_noop("Nội dung"), "text", gettext_lazy("Không bắt buộc.")),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}
ITEM_COLUMNS = tuple(c for c in COLUMNS if c.parse == "item")
# Service field names reported under another column.
FIELD_COLUMN = {"items": "Súng", "orgunit": "Thôn ghi nhận"}

KIND_ALIASES: dict[str, str] = {
    "tuyen truyen": ActivityKind.OUTREACH,
    "dang tin": ActivityKind.MEDIA_POST,
    "tin bai": ActivityKind.MEDIA_POST,
    "giao nop": ActivityKind.WEAPONS_SURRENDER,
    "giao nop vu khi": ActivityKind.WEAPONS_SURRENDER,
    "camera": ActivityKind.CAMERA,
    "lap camera": ActivityKind.CAMERA,
    "thap sang": ActivityKind.LIGHTING,
    "chieu sang": ActivityKind.LIGHTING,
    "hoa giai": ActivityKind.MEDIATION,
    "tuan tra": ActivityKind.PATROL,
    "tap huan": ActivityKind.TRAINING,
    "huan luyen": ActivityKind.TRAINING,
    "tinh nguyen": ActivityKind.VOLUNTEER,
    "cong dong": ActivityKind.VOLUNTEER,
}
CHANNEL_ALIASES: dict[str, str] = {
    "facebook": MediaChannel.FACEBOOK_PAGE,
    "zalo": MediaChannel.ZALO_GROUP,
    "nhom zalo": MediaChannel.ZALO_GROUP,
    "loa": MediaChannel.LOUDSPEAKER,
    "loa truyen thanh": MediaChannel.LOUDSPEAKER,
}
OWNERSHIP_ALIASES: dict[str, str] = {
    "cong cong": CameraOwnership.PUBLIC,
    "ho gia dinh": CameraOwnership.HOUSEHOLD,
    "ho dan": CameraOwnership.HOUSEHOLD,
}


ImportResult = tabular.ImportResult[Activity]


def _choices_lookup(choices: Iterable[tuple[str, Any]], aliases: dict[str, str]) -> dict[str, str]:
    """Map folded codes and labels (Vietnamese and the current language) to choice values."""
    table = dict(aliases)
    for value, label in choices:
        table[fold(value)] = value
        table[fold(value.replace("_", " "))] = value
        table[fold(str(label))] = value
        with translation.override("vi"):
            table[fold(str(label))] = value
    return table


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value).strip()


def _rows(upload: UploadedFile) -> Iterator[tuple[int, list[Any]]]:
    tabular.size_check(upload, MAX_BYTES)
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise _file_error(_("Chỉ nhận tệp Excel (.xlsx)."))
    return tabular.rows_xlsx(upload, MAX_COLUMNS)


def _map_header(values: list[Any]) -> dict[int, Column]:
    match = tabular.header_match(values, COLUMNS)
    if match.problems:
        raise _FileError(match.problems)
    return match.mapping


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    text = str(value).strip().replace(".", "").replace(" ", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError
    return int(text)


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite():
        raise ValueError
    return number


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in get_format("DATE_INPUT_FORMATS"):  # 15/06/2026, 15-06-2026, 2026-06-15…
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ValueError


@dataclass
class _Context:
    commune: OrgUnit
    villages: dict[str, OrgUnit]
    kinds: dict[str, str]
    channels: dict[str, str]
    ownerships: dict[str, str]


def _context(commune: OrgUnit) -> _Context:
    villages: dict[str, OrgUnit] = {}
    own = Q(parent=commune)
    if not commune.is_current:
        own |= Q(former_parent=commune)
    for village in OrgUnit.objects.filter(own, kind=UnitKind.VILLAGE).order_by("valid_to"):
        villages.setdefault(village.code.lower(), village)
        villages.setdefault(fold(village.name), village)
    return _Context(
        commune=commune,
        villages=villages,
        kinds=_choices_lookup(ActivityKind.choices, KIND_ALIASES),
        channels=_choices_lookup(MediaChannel.choices, CHANNEL_ALIASES),
        ownerships=_choices_lookup(CameraOwnership.choices, OWNERSHIP_ALIASES),
    )


COMMON_FIELDS = frozenset(
    {"date", "kind", "title", "unit", "participants", "villages", "description"}
)


def _used(name: str, kind: str) -> bool:
    """Return True if a column may be filled for an activity of ``kind``."""
    if name in COMMON_FIELDS or name in KIND_FIELDS[kind]:
        return True
    return kind == ActivityKind.WEAPONS_SURRENDER and COLUMN_BY_FIELD[name].parse == "item"


def _choice(table: dict[str, str], raw: Any, name: str, bad: Any) -> str:
    found = table.get(fold(_text(raw)))
    if found is None:
        bad(
            name,
            _("“%(value)s” không hợp lệ cho cột “%(column)s”; xem trang “Hướng dẫn”.")
            % {"value": _text(raw), "column": COLUMN_BY_FIELD[name].header},
        )
        return ""
    return found


def _parse_row(
    number: int, values: list[Any], mapping: dict[int, Column], ctx: _Context
) -> tuple[ActivityInput | None, list[ImportProblem]]:
    problems: list[ImportProblem] = []
    cells: dict[str, Any] = {}
    for index, column in mapping.items():
        value = values[index] if index < len(values) else None
        if not _blank(value):
            cells[column.field] = value
    if fold(_text(cells.get("title", ""))) in _sample_titles():
        message = _(
            "Dòng %(row)s là dòng ví dụ của tệp mẫu: hãy xóa các dòng ví dụ rồi nhập lại."
        ) % {"row": number}
        return None, [ImportProblem(number, COLUMN_BY_FIELD["title"].header, message)]
    for index in range(len(values)):
        if index not in mapping and not _blank(values[index]):
            letter = get_column_letter(index + 1)
            problems.append(
                ImportProblem(
                    number,
                    letter,
                    _("Ô có dữ liệu nhưng cột %(letter)s không có tiêu đề.") % {"letter": letter},
                )
            )

    def bad(name: str, message: str) -> None:
        problems.append(ImportProblem(number, COLUMN_BY_FIELD[name].header, message))

    kind = ""
    if "kind" in cells:
        kind = ctx.kinds.get(fold(_text(cells["kind"])), "")
        if not kind:
            bad(
                "kind",
                _("Loại hoạt động “%(value)s” không hợp lệ; xem trang “Hướng dẫn”.")
                % {"value": _text(cells["kind"])},
            )
    else:
        bad("kind", _("Thiếu loại hoạt động."))
    day: date | None = None
    if "date" in cells:
        try:
            day = _parse_date(cells["date"])
        except ValueError:
            bad(
                "date",
                _("“%(value)s” không phải là ngày (ngày/tháng/năm).")
                % {"value": _text(cells["date"])},
            )
    else:
        bad("date", _("Thiếu ngày."))
    parsed: dict[str, Any] = {}
    items: list[ItemInput] = []
    for name, raw in cells.items():
        column = COLUMN_BY_FIELD[name]
        if column.parse in ("date", "kind", "unit", "villages"):
            continue
        if kind and not _used(name, kind):
            bad(
                name,
                _("Cột “%(column)s” không dùng cho loại hoạt động này: hãy để trống.")
                % {"column": column.header},
            )
            continue
        if column.parse == "channel":
            parsed[name] = _choice(ctx.channels, raw, name, bad)
        elif column.parse == "ownership":
            parsed[name] = _choice(ctx.ownerships, raw, name, bad)
        elif column.parse == "text":
            parsed[name] = _text(raw)
        else:
            try:
                if column.parse == "int":
                    parsed[name] = _parse_int(raw)
                elif column.parse == "item":
                    items.append(ItemInput(item_kind=name, quantity=_parse_int(raw)))
                elif column.parse == "decimal":
                    parsed[name] = _parse_decimal(raw)
                else:
                    parsed[name] = float(_parse_decimal(raw))
            except ValueError:
                bad(name, _("“%(value)s” không phải là số hợp lệ.") % {"value": _text(raw)})
    unit = ctx.commune
    if "unit" in cells:
        found_unit = ctx.villages.get(fold(_text(cells["unit"]))) or ctx.villages.get(
            _text(cells["unit"]).lower()
        )
        if found_unit is None:
            bad(
                "unit",
                _("Không có thôn “%(value)s” trong %(commune)s.")
                % {"value": _text(cells["unit"]), "commune": ctx.commune.name},
            )
        else:
            unit = found_unit
    villages: list[OrgUnit] = []
    if "villages" in cells:
        for part in re.split(r"[;\n]", _text(cells["villages"])):
            if not part.strip():
                continue
            village = ctx.villages.get(fold(part)) or ctx.villages.get(part.strip().lower())
            if village is None:
                bad(
                    "villages",
                    _("Không có thôn “%(value)s” trong %(commune)s.")
                    % {"value": part.strip(), "commune": ctx.commune.name},
                )
            elif village not in villages:
                villages.append(village)
    if problems or not kind or day is None:
        return None, problems
    title = parsed.pop("title", "") or parsed.get("topic", "") or str(ActivityKind(kind).label)
    return (
        ActivityInput(
            kind=kind,
            unit=unit,
            date=day,
            title=title,
            villages=villages,
            items=items,
            row=number,
            **parsed,
        ),
        problems,
    )


def _column_of(field_name: str) -> str:
    if field_name in COLUMN_BY_FIELD:
        return COLUMN_BY_FIELD[field_name].header
    return FIELD_COLUMN.get(field_name, field_name)


def _sorted(problems: Iterable[ImportProblem]) -> list[ImportProblem]:
    return sorted(problems, key=lambda p: (p.row or 0, p.column))


def parse_upload(
    upload: UploadedFile, commune: OrgUnit
) -> tuple[list[ActivityInput], list[ImportProblem], int]:
    """Read the whole file; return inputs, every problem found and the rows read (nothing saved)."""
    ctx = _context(commune)
    inputs: list[ActivityInput] = []
    problems: list[ImportProblem] = []
    read = 0
    try:
        mapping: dict[int, Column] | None = None
        for number, values in _rows(upload):
            if mapping is None:
                if all(_blank(v) for v in values):
                    raise _file_error(_("Dòng 1 phải là dòng tiêu đề."), row=1)
                mapping = _map_header(values)
                continue
            if number > MAX_PHYSICAL_ROWS:
                raise _file_error(
                    _("Tệp có quá nhiều dòng (kể cả dòng trống). Hãy xóa các dòng thừa.")
                )
            if all(_blank(v) for v in values):
                continue
            read += 1
            if read > MAX_ROWS:
                raise _file_error(
                    _("Tệp có nhiều hơn %(max)s dòng dữ liệu. Hãy chia thành nhiều tệp.")
                    % {"max": MAX_ROWS}
                )
            data, row_problems = _parse_row(number, values, mapping, ctx)
            problems.extend(row_problems)
            if data is not None:
                inputs.append(data)
    except _FileError as exc:
        return [], exc.problems, read
    if read == 0:
        return [], [ImportProblem(None, "", _("Tệp không có dòng dữ liệu nào."))], 0
    problems.extend(
        ImportProblem(e.row, _column_of(e.field), e.message)
        for e in inputs_validate(commune=commune, rows=inputs)
    )
    return inputs, _sorted(problems), read


def import_activities(*, actor: Actor, commune: OrgUnit, upload: UploadedFile) -> ImportResult:
    """Check the uploaded file and, if every row is right, record all its activities."""
    inputs, problems, read = parse_upload(upload, commune)
    result = ImportResult(rows_read=read, problems=problems)
    if problems:
        return result
    try:
        result.created = activity_bulk_create(
            actor=actor, commune=commune, rows=inputs, source=upload.name or ""
        )
    except BulkValidationError as exc:
        result.problems = _sorted(
            ImportProblem(e.row, _column_of(e.field), e.message) for e in exc.row_errors
        )
    return result


# --- writing spreadsheets -----------------------------------------------------------------


# The title of the template's example rows: an import meeting one says to delete them.
SAMPLE_TITLE = gettext_lazy("VÍ DỤ — xóa dòng này trước khi nhập")


def _sample_titles() -> set[str]:
    """The example rows' title in every language of the interface, folded."""
    titles = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles.add(fold(str(SAMPLE_TITLE)))
    return titles


def template_workbook(commune: OrgUnit) -> bytes:
    """Return the import template: header, two example rows, and a "Hướng dẫn" sheet."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    sheet.append([_cell(sheet, c.header, bold=True) for c in COLUMNS])
    with translation.override("vi"):
        outreach = str(ActivityKind.OUTREACH.label)
        surrender = str(ActivityKind.WEAPONS_SURRENDER.label)
    today = timezone.localdate()
    examples = (
        {
            "date": today,
            "kind": outreach,
            "title": str(SAMPLE_TITLE),
            "participants": 120,
            "topic": _("Phòng chống ma túy"),
            "leaflets": 200,
        },
        {
            "date": today,
            "kind": surrender,
            "title": str(SAMPLE_TITLE),
            WeaponKind.FIREARM: 2,
            WeaponKind.AMMUNITION: 15,
        },
    )
    for example in examples:
        sheet.append([_cell(sheet, example.get(c.field, "")) for c in COLUMNS])
    guide = workbook.create_sheet(_("Hướng dẫn"))
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 12
    guide.column_dimensions["C"].width = 80
    guide.append(
        [
            _cell(
                guide,
                _("Nhập hoạt động phong trào của %(commune)s") % {"commune": commune.name},
                bold=True,
            )
        ]
    )
    guide.append(
        [
            _cell(
                guide,
                _(
                    "Mỗi dòng là một hoạt động. Dòng 1 là tiêu đề, giữ nguyên. Hai dòng ví dụ "
                    "phải xóa trước khi nhập. Nếu có lỗi, không dòng nào được lưu và hệ thống "
                    "liệt kê từng lỗi theo số dòng. Tối đa %(max)s dòng."
                )
                % {"max": MAX_ROWS},
            )
        ]
    )
    guide.append([])
    tabular.guide_columns(guide, COLUMNS)
    guide.append([])
    guide.append([_cell(guide, _("Loại hoạt động"), bold=True), _cell(guide, _("Mã"), bold=True)])
    for value, label in ActivityKind.choices:
        with translation.override("vi"):
            text = str(label)
        guide.append([_cell(guide, text), _cell(guide, value)])
    return _save(workbook)


EXPORT_HEADERS: tuple[Any, ...] = (
    gettext_lazy("Mã"),
    gettext_lazy("Ngày"),
    gettext_lazy("Loại hoạt động"),
    gettext_lazy("Đơn vị"),
    gettext_lazy("Tiêu đề"),
    gettext_lazy("Chủ đề"),
    gettext_lazy("Địa điểm"),
    gettext_lazy("Số người tham gia"),
    gettext_lazy("Các thôn"),
    gettext_lazy("Tờ rơi"),
    gettext_lazy("Pa nô, áp phích"),
    gettext_lazy("Bảng tin"),
    gettext_lazy("Kênh"),
    gettext_lazy("Số tin bài"),
    gettext_lazy("Hiện vật giao nộp"),
    gettext_lazy("Số camera"),
    gettext_lazy("Camera của"),
    gettext_lazy("Vĩ độ"),
    gettext_lazy("Kinh độ"),
    gettext_lazy("Điểm chiếu sáng"),
    gettext_lazy("Km thắp sáng"),
    gettext_lazy("Vụ hòa giải thành"),
    gettext_lazy("Nội dung"),
)

_INT, _GEN = tabular.INTEGER_FORMAT, tabular.GENERAL_FORMAT
# Counts grouped ("1.200"), coordinates with all their digits; dates and km by their type.
EXPORT_FORMATS: tuple[str | None, ...] = (
    *(None,) * 7,
    _INT,  # participants
    None,
    _INT,
    _INT,
    _INT,
    None,
    _INT,  # posts
    None,
    _INT,  # cameras
    None,
    _GEN,
    _GEN,
    _INT,  # light points
    None,
    _INT,  # cases resolved
)


@analytics
def export_workbook(activities: Iterable[Activity], title: str) -> bytes:
    """Return ``activities`` as a one-sheet workbook, streamed row by row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or SHEET)
    sheet.append([_cell(sheet, str(h), bold=True) for h in EXPORT_HEADERS])
    for a in activities:
        items = "; ".join(f"{i.get_item_kind_display()}: {i.quantity}" for i in a.items.all())
        villages = "; ".join(v.name for v in a.villages.all())
        sheet.append(
            tabular.cells(
                sheet,
                (
                    a.pk,
                    a.date,
                    a.get_kind_display(),
                    a.orgunit.name,
                    a.title,
                    a.topic,
                    a.place,
                    a.participants,
                    villages,
                    a.leaflets or None,
                    a.posters or None,
                    a.bulletin_boards or None,
                    a.get_channel_display() if a.channel else "",
                    a.posts or None,
                    items,
                    a.cameras or None,
                    a.get_camera_ownership_display() if a.camera_ownership else "",
                    a.latitude,
                    a.longitude,
                    a.light_points or None,
                    float(a.lit_km) if a.lit_km else None,
                    a.cases_resolved or None,
                    a.description,
                ),
                EXPORT_FORMATS,
            )
        )
    return _save(workbook)
