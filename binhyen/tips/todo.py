"""What the tips app puts on the to-do home: tips nobody has taken, tips past their deadline.

Both counts come from ``selectors.tip_inbox`` (the user's triage scope, open tips only) and
link to the inbox with the same filter, so the number on the home is the number the inbox
shows. The earliest deadline (to acknowledge, to conclude) is the item's due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhyen.accounts import permissions as acc_perms
from binhyen.core.todo import Severity, TodoItem
from binhyen.tips import selectors
from binhyen.tips.models import OPEN_STATUSES


class TipsTodo:
    """Unclaimed open tips and tips overdue against their deadlines, in the triage scope."""

    key = "tips.inbox"

    def items(self, user: Any) -> Iterable[TodoItem]:
        if not acc_perms.has_perm_anywhere(user, acc_perms.TRIAGE_TIPS):
            return []
        group = _("Tin báo của người dân")
        inbox = reverse("tips:inbox")
        found: list[TodoItem] = []
        overdue = (
            selectors.tip_inbox(user=user, filters=selectors.InboxFilter(overdue=True))
            .filter(status__in=OPEN_STATUSES)
            .order_by()
            .aggregate(n=Count("id"), due=Min("due_at"))
        )
        if overdue["n"]:
            found.append(
                TodoItem(
                    key="tips.overdue",
                    title=ngettext(
                        "%(n)s tin quá hạn xử lý", "%(n)s tin quá hạn xử lý", overdue["n"]
                    )
                    % {"n": overdue["n"]},
                    url=f"{inbox}?overdue=on",
                    count=overdue["n"],
                    severity=Severity.LATE,
                    due=timezone.localdate(overdue["due"]),
                    group=group,
                )
            )
        unclaimed = (
            selectors.tip_inbox(user=user, filters=selectors.InboxFilter(unclaimed=True))
            .filter(status__in=OPEN_STATUSES)
            .order_by()
            .aggregate(n=Count("id"), due=Min("ack_due_at"))
        )
        if unclaimed["n"]:
            late = unclaimed["due"] < timezone.now()
            found.append(
                TodoItem(
                    key="tips.unclaimed",
                    title=ngettext(
                        "%(n)s tin chưa có người nhận xử lý",
                        "%(n)s tin chưa có người nhận xử lý",
                        unclaimed["n"],
                    )
                    % {"n": unclaimed["n"]},
                    url=f"{inbox}?unclaimed=on",
                    count=unclaimed["n"],
                    severity=Severity.LATE if late else Severity.OPEN,
                    due=timezone.localdate(unclaimed["due"]),
                    group=group,
                )
            )
        return found
