"""What the hotspots app puts on the to-do home: plan tasks past their deadline.

Whoever may report a task's progress (``MANAGE_HOTSPOTS`` or ``RECORD_ACTIVITIES`` on the
commune, see ``permissions.can_report_progress``) sees, per unit of their scope, how many
tasks of the areas in force there are overdue (``selectors.overdue_tasks``), with the oldest
deadline; the link opens the area when there is one, the board of the unit otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhyen.accounts import permissions as acc_perms
from binhyen.core.todo import Severity, TodoItem
from binhyen.hotspots import selectors
from binhyen.orgunits.models import OrgUnit

MAX_ROOTS = 5


class HotspotTasksTodo:
    """Overdue plan tasks of hotspot areas in force, per unit of the user's scope."""

    key = "hotspots.tasks"

    def items(self, user: Any) -> Iterable[TodoItem]:
        paths = sorted(
            set(acc_perms.scope_paths(user, acc_perms.MANAGE_HOTSPOTS))
            | set(acc_perms.scope_paths(user, acc_perms.RECORD_ACTIVITIES))
        )
        outermost = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        if not outermost:
            return []
        roots = list(
            OrgUnit.objects.visible_to(user).filter(path__in=outermost).order_by("path")[:MAX_ROOTS]
        )
        found = []
        for root in roots:
            row = (
                selectors.overdue_tasks(user=user, root=root)
                .order_by()
                .aggregate(
                    n=Count("id"),
                    due=Min("deadline"),
                    areas=Count("designation", distinct=True),
                    first=Min("designation_id"),
                )
            )
            n = row["n"]
            if not n:
                continue
            if row["areas"] == 1:
                url = reverse("hotspots:detail", args=[row["first"]])
            else:
                url = reverse("hotspots:board") + f"?unit={root.code}"
            found.append(
                TodoItem(
                    key="hotspots.overdue_tasks",
                    title=ngettext(
                        "%(n)s nhiệm vụ chuyển hóa địa bàn trọng điểm quá hạn",
                        "%(n)s nhiệm vụ chuyển hóa địa bàn trọng điểm quá hạn",
                        n,
                    )
                    % {"n": n},
                    url=url,
                    count=n,
                    severity=Severity.LATE,
                    due=row["due"],
                    group=_("Địa bàn trọng điểm"),
                    detail=root.name,
                )
            )
        return found


class DesignationCarryTodo:
    """Designations in force still on communes closed by the reform, per old commune.

    For whoever manages designations (``MANAGE_HOTSPOTS``): the designations of the history
    of their scope (``orgunits.history.predecessor_ids``) not removed and on a closed commune,
    linking to the designation (one) or the old commune's list (several), where each is moved
    onto the successor commune with its plan.
    """

    key = "hotspots.carry_forward"

    def items(self, user: Any) -> Iterable[TodoItem]:
        from binhyen.hotspots.models import Designation
        from binhyen.orgunits.carry import left_per_old_commune

        found = []
        for commune, designations in left_per_old_commune(
            Designation.objects.filter(removal_date__isnull=True),
            "orgunit",
            paths=acc_perms.scope_paths(user, acc_perms.MANAGE_HOTSPOTS),
            limit=MAX_ROOTS,
        ):
            n = len(designations)
            url = (
                reverse("hotspots:detail", args=[min(designations)])
                if n == 1
                else reverse("hotspots:list") + f"?unit={commune.code}"
            )
            found.append(
                TodoItem(
                    key=self.key,
                    title=ngettext(
                        "%(n)s địa bàn trọng điểm còn ghi trên xã, phường cũ",
                        "%(n)s địa bàn trọng điểm còn ghi trên xã, phường cũ",
                        n,
                    )
                    % {"n": n},
                    url=url,
                    count=n,
                    group=_("Địa bàn trọng điểm"),
                    detail=commune.name,
                )
            )
        return found
