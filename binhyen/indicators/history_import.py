"""Bulk import of a province's history: monthly or yearly values per pre-2025 commune.

One workbook, one sheet, one value per row: unit code, unit name, metric code, period
("2024", "06/2024", "Tháng 6/2024"), option, value. A template per old area (an old province,
or the current province for its own closed communes) lists its old communes.

Invariants:
- **Who.** ``HISTORY_PERM`` (approving reports) held on the current province the old area's
  lineage reaches (``orgunits.history.can_record`` on the old area): a province officer, the
  ministry, a superuser. A commune chief's scope does not reach an old province. Each row's
  commune must also be in the caller's history (``predecessor_ids`` of their scope).
- **Units** are found by code (with or without the leading ``L`` of old codes, or the official
  code) or by name without diacritics, among the closed communes of the old area only.
- **All or nothing.** Every bad row is named (row, column, reason in Vietnamese): unknown unit,
  ambiguous name, unit that did not exist in the period, unknown metric, metric not captured
  at commune level or computed automatically, period format or kind, option, value out of
  range, duplicate row. Nothing is written unless every row is right.
- **Fast.** Validation reads each kind of thing once (units, metrics, options, stored values)
  into dictionaries; new values are inserted in batches of prepared statements, replaced ones
  with ``bulk_update``; the
  pre-aggregated figures move once at the end (``rollups.apply``), in the same transaction.
  A value already stored for the same (metric, unit, period, option) is replaced.
- One ``history.import`` audit event per import (rows, created, replaced, file name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import Workbook

from binhyen.accounts import permissions
from binhyen.core import tabular
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.core.tabular import Column, ImportFileError, ImportProblem
from binhyen.core.text import fold
from binhyen.indicators.models import (
    DisaggregationOption,
    HistoryImport,
    Metric,
    MetricSource,
    ValueSource,
)
from binhyen.indicators.periods import Period, PeriodError, PeriodKind, parse_period
from binhyen.indicators.services.values import values_bulk_write
from binhyen.orgunits.history import can_record, predecessor_ids
from binhyen.orgunits.models import Lineage, OrgUnit, UnitKind

HISTORY_PERM = permissions.APPROVE_REPORTS
MAX_ROWS = 200_000
MAX_BYTES = 40 * 1024 * 1024
Progress = Callable[[int, str], None]


COLUMNS: tuple[Column, ...] = (
    Column(
        "unit",
        gettext_noop("Mã đơn vị"),
        False,
        gettext_lazy("Mã xã cũ (có hoặc không có chữ L đầu). Để trống thì dùng tên."),
    ),
    Column(
        "unit_name",
        gettext_noop("Tên đơn vị"),
        False,
        gettext_lazy("Tên xã cũ, có dấu hoặc không dấu; dùng khi không có mã."),
    ),
    Column(
        "metric", gettext_noop("Mã chỉ tiêu"), True, gettext_lazy("Mã trong danh mục chỉ tiêu.")
    ),
    Column(
        "period",
        gettext_noop("Kỳ"),
        True,
        gettext_lazy("Năm (2024) hoặc tháng (06/2024, Tháng 6/2024), theo kỳ của chỉ tiêu."),
    ),
    Column(
        "option", gettext_noop("Phân tổ"), False, gettext_lazy("Mã nhóm phân tổ, nếu chỉ tiêu có.")
    ),
    Column("value", gettext_noop("Giá trị"), True, gettext_lazy("Một số.")),
)
HEADER = {c.field: c.header for c in COLUMNS}


# --- the old areas and their communes ---------------------------------------------------


def import_sources(*, user: Any, province: OrgUnit) -> list[OrgUnit]:
    """Return the old areas whose history ``user`` may import into ``province``.

    The old provinces whose lineage reaches ``province``, then ``province`` itself when it has
    closed communes. Raises ``PermissionDenied`` when the user may not import there.
    """
    if province.kind != UnitKind.PROVINCE or not province.is_current:
        raise PermissionDenied
    if not permissions.has_perm_on(user, HISTORY_PERM, province):
        raise PermissionDenied
    found = predecessor_ids([province.path])
    olds = list(
        OrgUnit.objects.filter(pk__in=found, kind=UnitKind.PROVINCE).order_by("name_folded")
    )
    if OrgUnit.objects.filter(
        path__startswith=province.path, kind=UnitKind.COMMUNE, valid_to__isnull=False
    ).exists():
        olds.append(province)
    return olds


def may_import(*, user: Any, province: OrgUnit) -> bool:
    """Return True if ``import_sources`` has something for ``user`` in ``province``.

    Asked on every province dashboard: an old province linked straight to a unit of
    ``province`` settles it in one query, without walking the whole lineage.
    """
    if province.kind != UnitKind.PROVINCE or not province.is_current:
        return False
    if not permissions.has_perm_on(user, HISTORY_PERM, province):
        return False
    if Lineage.objects.filter(
        successor__path__startswith=province.path, predecessor__kind=UnitKind.PROVINCE
    ).exists():
        return True
    return bool(import_sources(user=user, province=province))


def source_get(*, user: Any, province: OrgUnit, code: str | None) -> OrgUnit:
    """Return the old area ``code`` of ``province`` (the first when ``code`` is empty)."""
    sources = import_sources(user=user, province=province)
    for source in sources:
        if not code or source.code == code:
            if not can_record(user, HISTORY_PERM, source):
                raise PermissionDenied
            return source
    raise PermissionDenied


def _old_communes(source: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            path__startswith=source.path, kind=UnitKind.COMMUNE, valid_to__isnull=False
        )
        .only("id", "code", "official_code", "name", "name_folded", "valid_from", "valid_to")
        .order_by("path")
    )


def template_workbook(source: OrgUnit) -> bytes:
    """Return the template of ``source``: the header and one row per old commune."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Số liệu lịch sử")[:31])
    sheet.append([tabular.cell(sheet, c.header, bold=True) for c in COLUMNS])
    for unit in _old_communes(source):
        sheet.append(tabular.cells(sheet, (unit.code, unit.name, "", "", "", None)))
    guide = workbook.create_sheet(_("Hướng dẫn")[:31])
    guide.append([tabular.cell(guide, _("Mỗi dòng một số liệu của một xã cũ trong một kỳ."))])
    guide.append(
        [
            tabular.cell(
                guide,
                _(
                    "Có lỗi ở bất kỳ dòng nào thì không dòng nào được lưu; mọi lỗi được liệt kê "
                    "theo dòng và cột."
                ),
            )
        ]
    )
    tabular.guide_columns(guide, COLUMNS)
    return tabular.workbook_bytes(workbook)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRow:
    row: int
    unit: str
    unit_name: str
    metric: str
    period: str
    option: str
    value: Any


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        return value.strftime("%m/%Y")
    return str(value).strip()


def read_rows(rows: Iterable[tuple[int, list[Any]]]) -> Iterator[RawRow]:
    """Yield the filled rows of a sheet (header first); a bad header raises ``ImportFileError``."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        raise tabular.file_error(_("Tệp không có dòng nào."))
    match = tabular.header_match(first[1], COLUMNS)
    if match.problems:
        raise ImportFileError(match.problems)
    index = {c.field: i for i, c in match.mapping.items()}
    empty = ("unit", "unit_name", "metric", "period", "option", "value")

    def at(values: list[Any], name: str) -> Any:
        i = index.get(name)
        return values[i] if i is not None and i < len(values) else None

    count = 0
    for number, values in iterator:
        raw = {name: at(values, name) for name in empty}
        # Template lines left unfilled (a commune listed with no figure) are skipped.
        if all(tabular.blank(raw[n]) for n in ("metric", "period", "value", "option")):
            continue
        count += 1
        if count > MAX_ROWS:
            raise tabular.file_error(
                _("Tệp có quá %(max)s dòng số liệu.") % {"max": f"{MAX_ROWS:,}".replace(",", ".")},
                row=number,
            )
        yield RawRow(
            number,
            _text(raw["unit"]),
            _text(raw["unit_name"]),
            _text(raw["metric"]),
            _text(raw["period"]),
            _text(raw["option"]),
            raw["value"],
        )


def read_upload(upload: Any) -> list[RawRow]:
    """Return the filled rows of an uploaded ``.xlsx`` or ``.csv`` file."""
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size is not None and upload.size > MAX_BYTES:
        raise tabular.file_error(_("Tệp lớn hơn 40 MB. Hãy chia thành nhiều tệp nhỏ hơn."))
    if name.endswith(".xlsx"):
        return list(read_rows(tabular.rows_xlsx(upload, len(COLUMNS) + 4)))
    if name.endswith(".csv"):
        return list(read_rows(tabular.rows_csv(upload, len(COLUMNS) + 4)))
    raise tabular.file_error(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


# --- periods and numbers ------------------------------------------------------------------

_MONTH = re.compile(r"^(?:thang|t)?\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})\s*-\s*(\d{1,2})$")


def parse_history_period(text: str) -> Period | None:
    """Return the period of "2024", "06/2024", "Tháng 6/2024", "2024-06" or "2024M06"."""
    folded = fold(text).strip()
    found = _YEAR.match(folded)
    if found:
        return parse_period(found.group(1))
    found = _MONTH.match(folded)
    month, year = (found.group(1), found.group(2)) if found else (None, None)
    if not found:
        iso = _ISO_MONTH.match(folded)
        if iso:
            year, month = iso.group(1), iso.group(2)
    if month is not None and year is not None:
        if not 1 <= int(month) <= 12:
            return None
        return parse_period(f"{year}M{int(month):02d}")
    try:
        period = parse_period(text.strip())
    except PeriodError:
        return None
    return period if period.kind in (PeriodKind.YEAR, PeriodKind.MONTH) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value or "").strip().replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # 1.234.567
        text = text.replace(".", "")
    text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _when(period: Period) -> str:
    if period.kind == PeriodKind.YEAR:
        return _("năm %(year)s") % {"year": period.start.year}
    return period.start.strftime("%m/%Y")


# --- validation ---------------------------------------------------------------------------


@dataclass
class Checked:
    """What validation found: the values to write (or the problems that stop the import)."""

    values: list[tuple[int, int, Period, str, float]] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)


def _unit_maps(
    source: OrgUnit,
) -> tuple[dict[str, OrgUnit], dict[str, list[OrgUnit]]]:
    by_code: dict[str, OrgUnit] = {}
    by_name: dict[str, list[OrgUnit]] = {}
    for unit in _old_communes(source):
        for key in (unit.code, unit.code.removeprefix("L"), unit.official_code):
            if key:
                by_code.setdefault(key.upper(), unit)
        by_name.setdefault(unit.name_folded, []).append(unit)
        # "Xã Lương Phong" is also found as "Lương Phong".
        short = unit.name_folded.split(" ", 1)
        if len(short) == 2 and short[0] in ("xa", "phuong", "thi tran"):
            by_name.setdefault(short[1], []).append(unit)
        if short[0] == "thi" and unit.name_folded.startswith("thi tran "):
            by_name.setdefault(unit.name_folded[len("thi tran ") :], []).append(unit)
    return by_code, by_name


def validate(
    *, actor: Actor, source: OrgUnit, rows: Sequence[RawRow], progress: Progress | None = None
) -> Checked:
    """Check every row against in-memory maps (one query per kind of lookup)."""
    out = Checked()
    by_code, by_name = _unit_maps(source)
    if permissions.is_superadmin(actor):
        allowed: set[int] | None = None
    else:
        allowed = predecessor_ids(permissions.scope_paths(actor, HISTORY_PERM))
    metric_codes = {r.metric for r in rows if r.metric}
    metrics = {m.code: m for m in Metric.objects.filter(code__in=metric_codes)}
    options: dict[int, set[str]] = {}
    for dis_id, code in DisaggregationOption.objects.filter(
        disaggregation_id__in={m.disaggregation_id for m in metrics.values()}
    ).values_list("disaggregation_id", "code"):
        options.setdefault(dis_id, set()).add(code)
    periods: dict[str, Period | None] = {}
    seen: dict[tuple[int, int, str, str], int] = {}
    problems = out.problems

    def bad(row: int, column: str, message: str) -> None:
        problems.append(ImportProblem(row, HEADER[column], message))

    total = len(rows) or 1
    for done, r in enumerate(rows):
        if progress is not None and done % 20000 == 0:
            progress(done * 100 // total, _("Đang kiểm tra các dòng"))
        ok = True
        # unit
        unit: OrgUnit | None = None
        column = "unit" if r.unit else "unit_name"
        if r.unit:
            unit = by_code.get(r.unit.upper())
            if unit is None:
                bad(
                    r.row,
                    "unit",
                    _("Không tìm thấy xã cũ mã “%(code)s” trong %(area)s.")
                    % {"code": r.unit, "area": source.name},
                )
        elif r.unit_name:
            found = by_name.get(fold(r.unit_name), [])
            if len(found) == 1:
                unit = found[0]
            elif not found:
                bad(
                    r.row,
                    "unit_name",
                    _("Không tìm thấy xã cũ tên “%(name)s” trong %(area)s.")
                    % {"name": r.unit_name, "area": source.name},
                )
            else:
                bad(
                    r.row,
                    "unit_name",
                    _("Có nhiều xã cũ tên “%(name)s” (%(codes)s): hãy ghi mã đơn vị.")
                    % {"name": r.unit_name, "codes": ", ".join(u.code for u in found)},
                )
        else:
            bad(r.row, "unit", _("Thiếu mã hoặc tên đơn vị."))
        if unit is not None and allowed is not None and unit.pk not in allowed:
            bad(
                r.row,
                column,
                _("Bạn không có quyền nhập lịch sử của %(unit)s.") % {"unit": unit.name},
            )
            unit = None
        ok = unit is not None
        # metric
        metric = metrics.get(r.metric)
        if not r.metric:
            bad(r.row, "metric", _("Thiếu mã chỉ tiêu."))
        elif metric is None or not metric.is_active:
            bad(r.row, "metric", _("Không có chỉ tiêu mã “%(code)s”.") % {"code": r.metric})
            metric = None
        elif metric.source == MetricSource.PROVIDER:
            bad(
                r.row,
                "metric",
                _("Chỉ tiêu “%(metric)s” được tính tự động, không nhập từ tệp.")
                % {"metric": metric.name},
            )
            metric = None
        elif UnitKind.COMMUNE not in (metric.capture_kinds or []):
            bad(
                r.row,
                "metric",
                _("Chỉ tiêu “%(metric)s” không nhập ở cấp xã.") % {"metric": metric.name},
            )
            metric = None
        ok = ok and metric is not None
        # period
        if r.period not in periods:
            periods[r.period] = parse_history_period(r.period) if r.period else None
        period = periods[r.period]
        if period is None:
            bad(
                r.row,
                "period",
                _("Kỳ “%(text)s” không đúng dạng: ghi năm (2024) hoặc tháng (06/2024).")
                % {"text": r.period},
            )
        elif metric is not None and period.kind != metric.period_kind:
            wanted = "06/2024" if metric.period_kind == PeriodKind.MONTH else "2024"
            bad(
                r.row,
                "period",
                _("Chỉ tiêu “%(metric)s” nhập theo %(kind)s: ghi kỳ dạng %(example)s.")
                % {
                    "metric": metric.name,
                    "kind": PeriodKind(metric.period_kind).label.lower(),
                    "example": wanted,
                },
            )
            period = None
        elif unit is not None and unit.valid_to is not None and period.start > unit.valid_to:
            bad(
                r.row,
                column,
                _("%(unit)s không còn tồn tại vào %(when)s.")
                % {"unit": unit.name, "when": _when(period)},
            )
            period = None
        elif unit is not None and unit.valid_from is not None and period.end < unit.valid_from:
            bad(
                r.row,
                column,
                _("%(unit)s chưa được thành lập vào %(when)s.")
                % {"unit": unit.name, "when": _when(period)},
            )
            period = None
        ok = ok and period is not None
        # option
        option = r.option
        if metric is not None:
            if metric.disaggregation_id is None and option:
                bad(
                    r.row,
                    "option",
                    _("Chỉ tiêu “%(metric)s” không có phân tổ.") % {"metric": metric.name},
                )
                ok = False
            elif metric.disaggregation_id is not None and option not in options.get(
                metric.disaggregation_id, set()
            ):
                bad(
                    r.row,
                    "option",
                    _("Nhóm phân tổ “%(option)s” không thuộc chỉ tiêu “%(metric)s”.")
                    % {"option": option, "metric": metric.name},
                )
                ok = False
        # value
        value = _number(r.value)
        if value is None:
            bad(r.row, "value", _("Giá trị phải là một số."))
            ok = False
        elif metric is not None:
            problem = metric.check_value(value)
            if problem:
                bad(r.row, "value", _("Giá trị %(problem)s.") % {"problem": problem})
                ok = False
        if ok and unit is not None and metric is not None and period is not None:
            key = (metric.pk, unit.pk, period.code, option)
            first = seen.get(key)
            if first is not None:
                bad(
                    r.row,
                    "value",
                    _("Dòng trùng với dòng %(row)s (cùng đơn vị, chỉ tiêu, kỳ, phân tổ).")
                    % {"row": first},
                )
                continue
            seen[key] = r.row
            out.values.append((metric.pk, unit.pk, period, option, float(value or 0.0)))
    return out


# --- writing ------------------------------------------------------------------------------


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    replaced: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@transaction.atomic
def history_values_write(
    *, actor: Actor, source: OrgUnit, values: Sequence[tuple[int, int, Period, str, float]]
) -> tuple[int, int]:
    """Write checked values (create or replace) and move the pre-aggregated figures once."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    created, replaced = values_bulk_write(values, source=ValueSource.IMPORT, user=user)
    audit_event_record(
        actor=actor,
        action="history.import",
        obj=source,
        orgunit=source,
        after={"values": len(values), "created": created, "replaced": replaced},
    )
    return created, replaced


def history_import(
    *,
    actor: Actor,
    source: OrgUnit,
    rows: Sequence[RawRow],
    progress: Progress | None = None,
) -> Outcome:
    """Check ``rows`` and, when every one is right, write them all (else nothing)."""
    checked = validate(actor=actor, source=source, rows=rows, progress=progress)
    outcome = Outcome(rows=len(rows), problems=checked.problems)
    if checked.problems:
        return outcome
    if not checked.values:
        outcome.problems = [ImportProblem(None, "", _("Tệp không có dòng số liệu nào."))]
        return outcome
    if progress is not None:
        progress(90, _("Đang lưu số liệu"))
    outcome.created, outcome.replaced = history_values_write(
        actor=actor, source=source, values=checked.values
    )
    return outcome


# --- the background job -------------------------------------------------------------------

MAX_STORED_PROBLEMS = 2000


def history_job_create(
    *, actor: Actor, province: OrgUnit, source: OrgUnit, upload: Any
) -> HistoryImport:
    """Store the upload and record the job (the caller enqueues it after commit)."""
    import uuid

    from django.core.files.storage import default_storage

    name = (getattr(upload, "name", "") or "lich-su.xlsx")[-150:]
    suffix = ".csv" if name.lower().endswith(".csv") else ".xlsx"
    stored = default_storage.save(f"history-imports/{uuid.uuid4().hex}{suffix}", upload)
    return HistoryImport.objects.create(
        user=actor,
        province=province,
        source=source,
        filename=name,
        file=stored,
        step=_("Đang chờ xử lý"),
    )


def _job_progress(job_id: Any) -> Progress:
    def report(percent: int, step: str) -> None:
        HistoryImport.objects.filter(pk=job_id).update(progress=min(percent, 99), step=step[:200])

    return report


def history_job_run(job: HistoryImport) -> HistoryImport:
    """Read, check and import the job's file; record the outcome (problems or counts)."""
    from django.core.files.storage import default_storage

    HistoryImport.objects.filter(pk=job.pk).update(
        status=HistoryImport.Status.RUNNING, step=_("Đang đọc tệp")
    )
    report = _job_progress(job.pk)
    problems: list[ImportProblem] = []
    outcome: Outcome | None = None
    try:
        with default_storage.open(job.file, "rb") as handle:
            handle.name = job.file
            handle.size = default_storage.size(job.file)
            rows = read_upload(handle)
        report(30, _("Đang kiểm tra các dòng"))

        def scaled(percent: int, step: str) -> None:
            report(30 + percent * 55 // 100, step)

        outcome = history_import(actor=job.user, source=job.source, rows=rows, progress=scaled)
        problems = outcome.problems
    except ImportFileError as exc:
        problems = exc.problems
    finally:
        if job.file and default_storage.exists(job.file):
            default_storage.delete(job.file)
    job.refresh_from_db()
    job.file = ""
    job.finished_at = timezone.now()
    job.progress = 100
    if problems or outcome is None:
        job.status = HistoryImport.Status.FAILED
        job.step = _("Chưa nhập: có lỗi, không dòng nào được lưu")
        job.problems = [
            {"row": p.row, "column": p.column, "message": p.message}
            for p in problems[:MAX_STORED_PROBLEMS]
        ]
        job.rows = outcome.rows if outcome else 0
    else:
        job.status = HistoryImport.Status.DONE
        job.step = _("Đã nhập xong")
        job.rows, job.created, job.replaced = outcome.rows, outcome.created, outcome.replaced
    job.save()
    return job


def history_job_get(*, user: Any, pk: Any) -> HistoryImport:
    """Return the job if ``user`` asked for it; ``HistoryImport.DoesNotExist`` otherwise."""
    if not getattr(user, "is_authenticated", False):
        raise HistoryImport.DoesNotExist
    return HistoryImport.objects.select_related("province", "source").get(pk=pk, user=user)
