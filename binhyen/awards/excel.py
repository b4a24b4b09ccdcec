"""Excel exports of the awards lists (typed cells through ``core.tabular``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from binhyen.awards.models import Proposal, Reward
from binhyen.core import tabular


def proposals_workbook(items: Iterable[Proposal]) -> bytes:
    return tabular.table_bytes(
        title=_("Đề nghị khen thưởng"),
        headers=[
            _("Đơn vị đề nghị"),
            _("Năm"),
            _("Loại"),
            _("Hình thức"),
            _("Thành tích"),
            _("Trạng thái"),
            _("Đang chờ tại"),
            _("Số người, tập thể"),
        ],
        rows=(
            [
                p.orgunit.name,
                p.year,
                p.get_kind_display(),
                p.form.name,
                p.achievement,
                p.get_status_display(),
                p.current_unit.name,
                p.nominees.count(),
            ]
            for p in items
        ),
        formats=[None, "0", None, None, None, None, None, "#,##0"],
    )


def rewards_workbook(items: Iterable[Reward]) -> bytes:
    return tabular.table_bytes(
        title=_("Khen thưởng"),
        headers=[
            _("Người, tập thể được khen"),
            _("Đơn vị"),
            _("Tập thể"),
            _("Hình thức"),
            _("Cấp quyết định"),
            _("Năm"),
            _("Số quyết định"),
            _("Ngày quyết định"),
            _("Người ký"),
            _("Tiền thưởng (đồng)"),
        ],
        rows=(
            [
                r.name,
                r.orgunit.name,
                _("Có") if r.is_collective else _("Không"),
                r.form.name,
                r.get_level_display(),
                r.year,
                r.decision.number,
                r.decision.decided_on,
                r.decision.signer,
                r.amount,
            ]
            for r in items
        ),
        formats=[None, None, None, None, None, "0", None, "dd/mm/yyyy", None, "#,##0"],
    )
