"""Small display helpers of the programme pages: status colours, numbers, timeline labels."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from binhyen.core.formats import format_number

register = template.Library()

STATUS_CLASSES = {
    "met": "text-bg-success",
    "not_met": "text-bg-danger",
    "insufficient": "text-bg-warning",
    "error": "text-bg-danger",
    "pending": "text-bg-secondary",
}
FILE_CLASSES = {
    "enrolled": "text-bg-secondary",
    "submitted": "text-bg-info",
    "verified": "text-bg-primary",
    "recognised": "text-bg-success",
    "classified": "text-bg-success",
    "not_recognised": "text-bg-danger",
    "withdrawn": "text-bg-dark",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.filter
def file_class(status: str) -> str:
    return FILE_CLASSES.get(status, "text-bg-light")


@register.filter
def num(value: Any) -> str:
    """Show 12.0 as "12", 0.95 as "0,95", 1234 as "1.234" (the active language), None as "—"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    return str(value)


@register.filter
def action_label(action: str) -> str:
    labels = {
        "enrollment.create": _("Đơn vị đăng ký"),
        "enrollment.assign": _("Cấp trên giao đăng ký"),
        "assessment.self": _("Tự đánh giá tiêu chí"),
        "evidence.add": _("Tải lên minh chứng"),
        "evidence.delete": _("Xóa minh chứng"),
        "enrollment.submit": _("Nộp hồ sơ"),
        "enrollment.return": _("Trả hồ sơ để bổ sung"),
        "assessment.verify": _("Thẩm định tiêu chí"),
        "enrollment.verify": _("Hoàn thành thẩm định"),
        "decision.record": _("Quyết định"),
        "enrollment.withdraw": _("Thu hồi công nhận"),
    }
    return labels.get(action, action)


@register.filter
def event_detail(changes: dict[str, Any]) -> str:
    """Return a one-line summary of an audited step (criterion, verdict, reason, counts)."""
    after = (changes or {}).get("after") or {}
    parts = []
    if after.get("criterion"):
        parts.append(_("tiêu chí %(code)s") % {"code": after["criterion"]})
    if after.get("verdict"):
        parts.append(_("đồng ý") if after["verdict"] == "agree" else _("không đồng ý"))
    if after.get("file"):
        parts.append(str(after["file"]))
    if after.get("total"):
        parts.append(
            _("đạt %(met)s/%(total)s") % {"met": after.get("met"), "total": after["total"]}
        )
    if after.get("number"):
        parts.append(_("số %(n)s") % {"n": after["number"]})
    for key in ("reason", "comment", "note"):
        if after.get(key):
            parts.append(f"“{after[key]}”")
    return " · ".join(parts)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if hasattr(mapping, "get"):
        return mapping.get(key)
    return None


@register.filter
def level_label(code: str) -> str:
    from binhyen.programs.models import Classification

    try:
        return str(Classification(code).label)
    except ValueError:
        return code or "—"
