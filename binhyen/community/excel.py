"""Excel exports of the community lists (streamed, one row per record).

Invariants:
- Texts are always stored as text, never as formulas (a name typed as "=..." stays text).
- An export contains exactly the rows the list shows for the same filters, and only the
  personal data needed for official lists: name, birth year, role, origin and dates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from binhyen.community.models import CommunityDecision, Pledge, Scheme, SecurityTeam, TeamMember
from binhyen.core import tabular
from binhyen.core.db_router import analytics
from binhyen.core.formats import format_date

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _cell(sheet: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    return tabular.cell(sheet, value, bold=bold)


_I = tabular.INTEGER_FORMAT
# Counts grouped ("1.234"); dates and texts by their type.
SCHEME_FORMATS = (None, None, None, None, None, None, _I, None, None, _I, None)
TEAM_FORMATS = (None, None, None, None, None, None, _I, None, None)
MEMBER_FORMATS = (None,) * 8
PLEDGE_FORMATS = (None, None, None, None, None, None, None, _I, None)


def _sheet(workbook: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]) -> Any:
    sheet = workbook.create_sheet(_SHEET_FORBIDDEN.sub(" ", title).strip()[:31] or "Sheet1")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    return sheet


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _decision(decision: CommunityDecision | None) -> str:
    if decision is None:
        return ""
    parts = [decision.number, format_date(decision.issued_on), decision.issuing_body]
    return ", ".join(p for p in parts if p)


@analytics
def schemes_workbook(schemes: Iterable[Scheme]) -> bytes:
    workbook = Workbook(write_only=True)
    headers = [
        _("STT"),
        _("Tên mô hình"),
        _("Loại mô hình"),
        _("Địa bàn"),
        _("Tổ chức nòng cốt"),
        _("Ngày thành lập"),
        _("Số thành viên"),
        _("Trạng thái"),
        _("Từ ngày"),
        _("Điểm mô hình đang hoạt động"),
        _("Quyết định thành lập"),
    ]
    sheet = _sheet(
        workbook, _("Mô hình tự quản"), headers, (6, 36, 28, 40, 28, 14, 12, 16, 14, 14, 36)
    )
    for number, scheme in enumerate(schemes, start=1):
        lead = scheme.get_lead_org_kind_display()
        if scheme.lead_org_name:
            lead = f"{lead}: {scheme.lead_org_name}"
        members = scheme.member_count
        sheet.append(
            tabular.cells(
                sheet,
                (
                    number,
                    scheme.name,
                    scheme.scheme_type.name,
                    "; ".join(u.name for u in scheme.units.all()),
                    lead,
                    scheme.founded_on,
                    members,
                    scheme.get_status_display(),
                    scheme.status_since,
                    getattr(scheme, "open_sites", None),
                    _decision(scheme.founding_decision),
                ),
                SCHEME_FORMATS,
            )
        )
    return _save(workbook)


@analytics
def teams_workbook(teams: Iterable[SecurityTeam], members: Iterable[TeamMember]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = _sheet(
        workbook,
        _("Tổ bảo vệ ANTT"),
        [
            _("STT"),
            _("Tên tổ"),
            _("Thôn, tổ dân phố"),
            _("Xã, phường"),
            _("Ngày thành lập"),
            _("Ngày giải thể"),
            _("Thành viên đang hoạt động"),
            _("Quyết định thành lập"),
            _("Quyết định công nhận"),
        ],
        (6, 36, 24, 24, 14, 14, 12, 36, 36),
    )
    for number, team in enumerate(teams, start=1):
        sheet.append(
            tabular.cells(
                sheet,
                (
                    number,
                    team.name,
                    team.village.name,
                    team.village.parent.name if team.village.parent else "",
                    team.established_on,
                    team.dissolved_on,
                    getattr(team, "active_members", None),
                    _decision(team.establishment_decision),
                    _decision(team.recognition_decision),
                ),
                TEAM_FORMATS,
            )
        )
    people = _sheet(
        workbook,
        _("Thành viên"),
        [
            _("STT"),
            _("Tổ"),
            _("Họ và tên"),
            _("Năm sinh"),
            _("Chức danh"),
            _("Nguồn"),
            _("Ngày tham gia"),
            _("Ngày thôi tham gia"),
        ],
        (6, 36, 28, 10, 12, 32, 14, 14),
    )
    for number, member in enumerate(members, start=1):
        people.append(
            tabular.cells(
                people,
                (
                    number,
                    member.team.name,
                    member.full_name,
                    member.birth_date.year,
                    member.get_role_display(),
                    member.get_origin_display(),
                    member.joined_on,
                    member.left_on,
                ),
                MEMBER_FORMATS,
            )
        )
    return _save(workbook)


@analytics
def pledges_workbook(pledges: Iterable[Pledge]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = _sheet(
        workbook,
        _("Giao ước thi đua"),
        [
            _("STT"),
            _("Năm"),
            _("Đơn vị ký"),
            _("Xã, phường"),
            _("Bên ký"),
            _("Ngày ký"),
            _("Người ký"),
            _("Số hộ đăng ký"),
            _("Bản giao ước"),
        ],
        (6, 8, 32, 24, 24, 14, 28, 12, 30),
    )
    for number, pledge in enumerate(pledges, start=1):
        sheet.append(
            tabular.cells(
                sheet,
                (
                    number,
                    pledge.year,
                    pledge.orgunit.name,
                    pledge.orgunit.parent.name if pledge.orgunit.parent else "",
                    pledge.get_signer_kind_display(),
                    pledge.signed_on,
                    pledge.signed_by,
                    pledge.household_count,
                    _decision(pledge.document),
                ),
                PLEDGE_FORMATS,
            )
        )
    return _save(workbook)
