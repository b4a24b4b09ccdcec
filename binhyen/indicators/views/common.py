"""What the indicators pages share: the unit's ancestors, period lists, Excel answers,
the names of report history events.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy

from binhyen.core.actors import Actor
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.indicators import selectors
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnit


def _ancestors(user: Actor, unit: OrgUnit) -> list[dict[str, Any]]:
    codes = unit.ancestor_codes
    visible = set(
        selectors.visible_units(user).filter(code__in=codes).values_list("code", flat=True)
    )
    names = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"code": c, "name": names.get(c, c), "visible": c in visible} for c in codes]


def _with_current(periods: list[Period], current: Period) -> list[Period]:
    """Return ``periods`` with ``current`` in it (first when it is older than all of them)."""
    return periods if current in periods else [current, *periods]


HISTORY_LABELS = {
    "submission.create": gettext_lazy("Lập báo cáo"),
    "data_value.save": gettext_lazy("Lưu số liệu"),
    "submission.submit": gettext_lazy("Gửi báo cáo"),
    "submission.return": gettext_lazy("Trả lại"),
    "submission.approve": gettext_lazy("Duyệt, khóa số liệu"),
    "submission.reopen": gettext_lazy("Mở lại để sửa"),
}


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
