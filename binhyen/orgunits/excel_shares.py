"""The Excel round trip of split shares: export a province's splits, import shares back.

One row per split edge: old unit code and name, successor code and name, whether it is the
default successor, and the share in percent (blank: none). Only the codes and the share are
read back; names are there for the reader. All or nothing: every problem is reported with
its row and column, and nothing is saved (``services_shares.lineage_shares_bulk_set``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from binhyen.core import tabular
from binhyen.core.actors import Actor
from binhyen.core.tabular import (
    Column,
    ImportFileError,
    ImportProblem,
    ImportResult,
)
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.services_shares import (
    SharesRow,
    Split,
    lineage_shares_bulk_set,
    parse_share,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000


COLUMNS: tuple[Column, ...] = (
    Column(
        "predecessor",
        gettext_noop("Mã đơn vị cũ"),
        True,
        gettext_lazy("Giữ nguyên như tệp tải về."),
    ),
    Column("predecessor_name", gettext_noop("Tên đơn vị cũ"), False, gettext_lazy("Chỉ để đọc.")),
    Column(
        "successor",
        gettext_noop("Mã đơn vị kế thừa"),
        True,
        gettext_lazy("Giữ nguyên như tệp tải về."),
    ),
    Column(
        "successor_name", gettext_noop("Tên đơn vị kế thừa"), False, gettext_lazy("Chỉ để đọc.")
    ),
    Column("is_default", gettext_noop("Kế thừa mặc định"), False, gettext_lazy("Chỉ để đọc.")),
    Column(
        "share",
        gettext_noop("Tỷ lệ (%)"),
        True,
        gettext_lazy(
            "Phần trăm, ví dụ 40 hoặc 33,33. Các tỷ lệ của một đơn vị cũ cộng lại bằng 100, "
            "hoặc để trống tất cả (toàn bộ cho đơn vị kế thừa mặc định)."
        ),
    ),
)
_HEADER = {c.field: c.header for c in COLUMNS}


def export_workbook(splits: Sequence[Split]) -> bytes:
    """Return the province's splits, one row per successor, shares in percent."""
    rows = [
        (
            split.predecessor.code,
            split.predecessor.name,
            edge.successor.code,
            edge.successor.name,
            _("Có") if edge.is_default else "",
            float(edge.share * 100) if edge.share is not None else None,
        )
        for split in splits
        for edge in split.edges
    ]
    return tabular.table_bytes(
        title=_("Tỷ lệ chia tách"), headers=[c.header for c in COLUMNS], rows=rows
    )


def _rows(upload: UploadedFile) -> Any:
    name = (upload.name or "").lower()
    tabular.size_check(upload, MAX_BYTES)
    if name.endswith(".xlsx"):
        return tabular.rows_xlsx(upload, len(COLUMNS) + 4)
    if name.endswith(".csv"):
        return tabular.rows_csv(upload, len(COLUMNS) + 4)
    raise tabular.file_error(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_upload(upload: UploadedFile) -> tuple[list[SharesRow], list[ImportProblem]]:
    """Read the rows of a shares file; return them and the problems found in cells."""
    rows: list[SharesRow] = []
    problems: list[ImportProblem] = []
    for number, cells in tabular.filled_rows(
        _rows(upload), COLUMNS, empty=_("Tệp không có dòng nào.")
    ):
        if len(rows) >= MAX_ROWS:
            raise tabular.file_error(_("Tệp có quá %(max)s dòng.") % {"max": MAX_ROWS}, row=number)
        predecessor = _text(cells.get("predecessor"))
        successor = _text(cells.get("successor"))
        bad = False
        for key, value in (("predecessor", predecessor), ("successor", successor)):
            if not value:
                problems.append(ImportProblem(number, _HEADER[key], _("Không được để trống.")))
                bad = True
        try:
            share = parse_share(cells.get("share"), percent=True)
        except ValueError:
            problems.append(
                ImportProblem(number, _HEADER["share"], _("Tỷ lệ phải là một số (phần trăm)."))
            )
            continue
        if not bad:
            rows.append(SharesRow(predecessor, successor, share, number))
    return rows, problems


def import_shares(*, actor: Actor, province: OrgUnit, upload: UploadedFile) -> ImportResult[Any]:
    """Check the file and set the shares it gives, all or none; ``created`` = splits changed."""
    try:
        rows, problems = parse_upload(upload)
    except ImportFileError as exc:
        return ImportResult(problems=exc.problems)
    result: ImportResult[Any] = ImportResult(rows_read=len(rows), problems=problems)
    if problems:
        return result
    if not rows:
        result.problems = [ImportProblem(None, "", _("Tệp không có dòng tỷ lệ nào."))]
        return result
    changed, refused = lineage_shares_bulk_set(actor=actor, province=province, rows=rows)
    result.problems = [ImportProblem(row, _HEADER[key], message) for row, key, message in refused]
    result.created = [changed]
    return result
