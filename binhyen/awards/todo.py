"""The awards app's items of the to-do home: proposals waiting for me, reviews due."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhyen.awards import selectors
from binhyen.core.todo import Severity, TodoItem, todo_providers


class AwardsTodo:
    key = "awards"

    def items(self, user: Any) -> Iterable[TodoItem]:
        if getattr(user, "pk", None) is None:  # only stored users hold roles
            return
        today = selectors.today()
        waiting = list(selectors.waiting_for(user=user)[:200])
        if waiting:
            dues = [d for d in (selectors.proposal_due(p) for p in waiting) if d]
            due = min(dues) if dues else None
            yield TodoItem(
                key="awards.proposals",
                title=ngettext(
                    "%(n)s đề nghị khen thưởng chờ cấp mình xử lý",
                    "%(n)s đề nghị khen thưởng chờ cấp mình xử lý",
                    len(waiting),
                )
                % {"n": len(waiting)},
                url=reverse("awards:proposals") + "?waiting=1",
                count=len(waiting),
                severity=Severity.LATE if due and due < today else Severity.OPEN,
                due=due,
                group=_("Thi đua, khen thưởng"),
            )
        year = today.year
        due_on = selectors.review_due(year)
        reviews = list(selectors.reviews_due(user=user, year=year))
        if reviews:
            yield TodoItem(
                key="awards.reviews",
                title=ngettext(
                    "%(n)s bình xét cuối năm cần xử lý",
                    "%(n)s bình xét cuối năm cần xử lý",
                    len(reviews),
                )
                % {"n": len(reviews)},
                url=reverse("awards:reviews"),
                count=len(reviews),
                severity=Severity.LATE if due_on < today else Severity.DUE,
                due=due_on,
                group=_("Thi đua, khen thưởng"),
            )


def register() -> None:
    todo_providers.register(AwardsTodo())
