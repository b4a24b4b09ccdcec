"""What the targets app puts on the to-do home (``binhyen.core.todo``, registered in ``apps``).

Invariants: items come from the scoped selectors (``behind``, ``unallocated``,
``campaign_reports_due``) for the user's own units only; nothing to do yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhyen.core.todo import Severity, TodoItem
from binhyen.targets import selectors


class TargetsTodo:
    """Targets behind, children without a target, campaign reports late or due."""

    key = "targets"

    def items(self, user: Any) -> Iterable[TodoItem]:
        if getattr(user, "pk", None) is None:
            return  # no stored user, no units: nothing to do
        group = _("Chỉ tiêu")
        behind = selectors.behind(user=user)
        if behind:
            units = {p.target.orgunit_id: p.target.orgunit for p in behind}
            url = (
                reverse("targets:unit", args=[next(iter(units.values())).code])
                if len(units) == 1
                else reverse("targets:index")
            )
            yield TodoItem(
                key="targets.behind",
                title=ngettext(
                    "%(n)s chỉ tiêu chậm tiến độ", "%(n)s chỉ tiêu chậm tiến độ", len(behind)
                )
                % {"n": len(behind)},
                url=url + "#target-cards",
                count=len(behind),
                severity=Severity.DUE,
                group=group,
                detail=", ".join(sorted(u.name for u in units.values())),
            )
        for gap in selectors.unallocated(user=user):
            target = gap.targets[0]
            yield TodoItem(
                key="targets.unallocated",
                title=ngettext(
                    "%(n)s đơn vị cấp dưới chưa được giao chỉ tiêu",
                    "%(n)s đơn vị cấp dưới chưa được giao chỉ tiêu",
                    len(gap.children),
                )
                % {"n": len(gap.children)},
                url=reverse("targets:target", args=[target.pk])
                if len(gap.targets) == 1
                else reverse("targets:unit", args=[gap.unit.code]),
                count=len(gap.children),
                severity=Severity.OPEN,
                group=group,
                detail=gap.unit.name,
            )
        for due in selectors.campaign_reports_due(user=user):
            form = due.campaign.form
            if form is None:
                continue
            yield TodoItem(
                key="targets.campaign_report",
                title=_("Báo cáo đợt cao điểm “%(name)s”, %(period)s")
                % {"name": due.campaign.name, "period": due.period.label},
                url=reverse("indicators:report", args=[form.code, due.unit.code, due.period.code]),
                severity=Severity.LATE if due.late else Severity.DUE,
                due=due.period.end,
                group=group,
                detail=due.unit.name,
            )
