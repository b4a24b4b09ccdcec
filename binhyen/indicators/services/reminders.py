"""Reminding late units of a report, from the completeness page (issue #18, ADR 0020).

Invariants:
- Who may remind: whoever may review the form's reports of ``unit``'s children, i.e. holds
  ``APPROVE_REPORTS`` on ``unit`` (the parent); anybody else gets the same 404 as for a unit
  that does not exist.
- Who is reminded: the late children of ``unit`` that submit the form themselves (not every
  report expected, nothing sent or sent back for correction), each through its own officers
  (``ENTER_DATA`` held on the unit itself, ``accounts.permissions.officers_of``).
- A unit is reminded of one form and period at most once in ``COMPLETENESS_REMIND_HOURS``;
  a unit reminded too recently, or without an officer account, is named in the result, never
  skipped in silence. Nothing to send at all is refused with the reason, nothing stored.
- One audit event per call, with counts and unit codes only (no names of people).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhyen.accounts import permissions as acc_perms
from binhyen.core.actors import Actor
from binhyen.core.errors import Conflict
from binhyen.core.formats import format_datetime
from binhyen.core.notifications import Message, last_sent, notifications_send
from binhyen.core.services import audit_event_record
from binhyen.indicators import selectors
from binhyen.indicators.models import ReportForm
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnit

REMINDER_MESSAGE = "indicators.report_reminder"
REMINDER = Message(
    title=gettext_lazy("Nhắc nộp báo cáo: %(form)s — %(period)s"),
    body=gettext_lazy(
        "%(unit)s chưa nộp báo cáo %(form)s kỳ %(period)s (hạn nộp %(due_date)s). "
        "Đề nghị hoàn thành và gửi báo cáo."
    ),
)


@dataclass
class RemindResult:
    """What one reminder call did, unit by unit."""

    reminded: list[OrgUnit] = field(default_factory=list)
    notified: int = 0
    recent: list[tuple[OrgUnit, datetime]] = field(default_factory=list)
    without_officer: list[OrgUnit] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """Translated sentences for what was not sent: too recent, no officer account."""
        hours = settings.COMPLETENESS_REMIND_HOURS
        lines = [
            _("%(unit)s đã được nhắc lúc %(when)s; chỉ nhắc lại sau %(hours)s giờ.")
            % {"unit": u.name, "when": format_datetime(when), "hours": hours}
            for u, when in self.recent
        ]
        lines += [
            _("%(unit)s chưa có tài khoản cán bộ nhập báo cáo: không gửi được lời nhắc.")
            % {"unit": u.name}
            for u in self.without_officer
        ]
        return lines


def can_remind(user: Any, unit: OrgUnit) -> bool:
    """Return True if ``user`` may remind the children of ``unit`` (reviews their reports)."""
    return acc_perms.has_perm_on(user, acc_perms.APPROVE_REPORTS, unit)


def late_units(*, user: Any, form: ReportForm, unit: OrgUnit, period: Period) -> list[OrgUnit]:
    """Return the children of ``unit`` that owe ``form`` for ``period`` and have not sent it."""
    return late_in(form, selectors.completeness(user=user, form=form, unit=unit, period=period))


def late_in(form: ReportForm, result: selectors.Completeness) -> list[OrgUnit]:
    """Return the rows of ``result`` that are current units submitting ``form`` and late."""
    return [
        r.unit
        for r in result.rows
        if r.unit.kind in form.submitting_kinds
        and r.unit.valid_to is None
        and r.submitted < r.expected
    ]


def reminded_at(*, form: ReportForm, period: Period, units: Sequence[OrgUnit]) -> dict[int, Any]:
    """Return unit id → when it was last reminded of ``form`` for ``period``."""
    return last_sent(
        message=REMINDER_MESSAGE,
        orgunit_ids=[u.pk for u in units],
        match={"form_code": form.code, "period": period.code},
    )


@transaction.atomic
def completeness_remind(
    *,
    actor: Actor,
    form: ReportForm,
    unit: OrgUnit,
    period: Period,
    unit_codes: Sequence[str] | None = None,
) -> RemindResult:
    """Remind the officers of the late children of ``unit`` (all, or those of ``unit_codes``).

    Raises ``PermissionDenied`` (a 404) when ``actor`` may not review below ``unit``;
    ``ValidationError`` naming ``unit`` when a code is not a late child, or nobody is late;
    ``Conflict`` when every unit asked was reminded too recently or has no officer account.
    """
    if not can_remind(actor, unit):
        raise PermissionDenied
    late = late_units(user=actor, form=form, unit=unit, period=period)
    if unit_codes is not None:
        wanted = list(dict.fromkeys(unit_codes))
        by_code = {u.code: u for u in late}
        unknown = [c for c in wanted if c not in by_code]
        if unknown:
            raise ValidationError(
                {
                    "unit": _(
                        "Đơn vị '%(code)s' không nằm trong các đơn vị chưa nộp báo cáo kỳ này."
                    )
                    % {"code": unknown[0][:32]}
                }
            )
        late = [by_code[c] for c in wanted]
    if not late:
        raise ValidationError({"unit": _("Không có đơn vị nào chưa nộp để nhắc.")})
    since = timezone.now() - timedelta(hours=settings.COMPLETENESS_REMIND_HOURS)
    last = reminded_at(form=form, period=period, units=late)
    result = RemindResult()
    deadline = form.deadline_for(period.end)
    for child in late:
        when = last.get(child.pk)
        if when is not None and when >= since:
            result.recent.append((child, when))
            continue
        officers = acc_perms.officers_of(child, acc_perms.ENTER_DATA)
        if not officers:
            result.without_officer.append(child)
            continue
        notifications_send(
            recipients=officers,
            message=REMINDER_MESSAGE,
            params={
                "unit": child.name,
                "form": form.name,
                "form_code": form.code,
                "period": period.code,
                "due_date": deadline.isoformat(),
            },
            link=reverse("indicators:report", args=[form.code, child.code, period.code]),
            orgunit=child,
        )
        result.reminded.append(child)
        result.notified += len(officers)
    if not result.reminded:
        raise Conflict(result.warnings())
    audit_event_record(
        actor=actor,
        action="report.remind",
        obj=form,
        orgunit=unit,
        after={
            "form": form.code,
            "period": period.code,
            "units": [u.code for u in result.reminded],
            "notifications": result.notified,
            "too_recent": len(result.recent),
            "without_officer": len(result.without_officer),
        },
    )
    return result
