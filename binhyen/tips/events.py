"""Timeline events of a tip: stored as a code and parameters, shown in the reader's language.

A service records an event with ``event_message(tip, code, params, author=...)``; the stored
``body`` is the Vietnamese text (what the API and exports read), and pages render the entry
again from ``event``/``params`` so an English page is English. Parameters are data (names,
codes, reasons typed by officers) and are shown as typed, marked ``data-user-text``.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from binhyen.tips.models import Direction, Status, Tip, TipMessage

TAKEN_OVER = "taken_over"
ASSIGNED = "assigned"
CONCLUDED = "concluded"
REOPENED = "reopened"
TRANSFERRED_UNIT = "transferred_unit"
TRANSFERRED_BODY = "transferred_body"
MERGED = "merged"
DUPLICATE_FOLLOW_UP = "duplicate_follow_up"
ESCALATED = "escalated"

# Vietnamese msgids, translated when shown.
TEXTS: dict[str, str] = {
    TAKEN_OVER: gettext_noop("Tiếp quản tin từ %(name)s."),
    ASSIGNED: gettext_noop("Giao cho %(name)s."),
    CONCLUDED: gettext_noop("Kết luận: %(status)s."),
    REOPENED: gettext_noop("Mở lại: %(reason)s"),
    TRANSFERRED_UNIT: gettext_noop("Chuyển từ %(old)s đến %(new)s. Lý do: %(reason)s"),
    TRANSFERRED_BODY: gettext_noop("Đã chuyển đến %(body)s. Lý do: %(reason)s"),
    MERGED: gettext_noop("Gộp tin trùng %(code)s vào tin này."),
    DUPLICATE_FOLLOW_UP: gettext_noop("Người báo tin trùng %(code)s vừa bổ sung thông tin."),
    ESCALATED: gettext_noop("%(reason)s: đã báo cáo lên %(unit)s."),
}
# Parameters that are codes of the product (translated), not data.
ESCALATION_REASONS = {
    "ack": gettext_noop("Quá hạn tiếp nhận"),
    "conclude": gettext_noop("Quá hạn xử lý"),
}


def _coded(code: str, params: dict[str, Any]) -> dict[str, str]:
    """The parameters that are product codes, as text in the active language."""
    out: dict[str, str] = {}
    if code == CONCLUDED and "status" in params:
        out["status"] = str(dict(Status.choices).get(params["status"], params["status"]))
    if code == ESCALATED and "reason" in params:
        out["reason"] = gettext(ESCALATION_REASONS.get(params["reason"], params["reason"]))
    return out


def event_text(code: str, params: dict[str, Any]) -> str:
    """The event as plain text in the active language."""
    values = {key: str(value) for key, value in params.items()}
    values.update(_coded(code, params))
    return gettext(TEXTS[code]) % values


def event_html(message: TipMessage) -> SafeString:
    """The event as HTML in the active language; data parameters marked ``data-user-text``.

    An entry recorded before events had codes is shown as it was stored.
    """
    if message.event not in TEXTS:
        return conditional_escape(message.body)
    coded = _coded(message.event, message.params)
    values: dict[str, str] = {}
    for key, value in message.params.items():
        values[key] = (
            conditional_escape(coded[key])
            if key in coded
            else format_html("<span data-user-text>{}</span>", value)
        )
    return mark_safe(conditional_escape(gettext(TEXTS[message.event])) % values)


def event_record(tip: Tip, code: str, params: dict[str, Any], *, author: Any = None) -> TipMessage:
    """Add an event to the tip's timeline (the caller holds the transaction)."""
    with translation.override("vi"):
        body = event_text(code, params)
    return TipMessage.objects.create(
        tip=tip,
        direction=Direction.EVENT,
        body=body,
        author=author,
        event=code,
        params=params,
    )
