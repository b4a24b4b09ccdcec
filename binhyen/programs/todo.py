"""What the programmes app puts on the to-do home: files to assess, to verify, to decide.

- ``SELF_ASSESS`` on a unit: its files still being self-assessed (due: the submission
  deadline of the cycle).
- ``VERIFY`` at the programme's verifier level: submitted files waiting for verification;
  ``DECIDE`` at the decider level: verified files waiting for a decision (due: the decision
  deadline). A user holding the permission on a unit of kind K acts for programmes whose
  level lies at K or below it, on files under that unit (``permissions.can_verify``).

One aggregate query over ``selectors.enrollments_visible`` (counts per programme, cycle and
status), one for the programmes, one for the user's scope units.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhyen.accounts import permissions as acc_perms
from binhyen.core.todo import Severity, TodoItem
from binhyen.indicators.periods import PeriodError, parse_period
from binhyen.orgunits.models import OrgUnit
from binhyen.programs import selectors
from binhyen.programs.models import KIND_RANK, LEVEL_RANK, EnrollmentStatus, Program

SOON_DAYS = 30  # a deadline this close makes the item "sắp đến hạn"


def _severity(due: date, today: date) -> str:
    if due < today:
        return Severity.LATE
    if due - today <= timedelta(days=SOON_DAYS):
        return Severity.DUE
    return Severity.OPEN


def _levels_at_or_below(kind: str) -> list[str]:
    rank = KIND_RANK.get(kind, 99)
    return [level for level, r in LEVEL_RANK.items() if r >= rank]


class ProgramsTodo:
    """Files to self-assess, to verify and to decide, per programme and cycle."""

    key = "programs.files"

    def _condition(self, user: Any) -> Q | None:
        found = False
        condition = Q(pk__in=[])
        for path in acc_perms.scope_paths(user, acc_perms.SELF_ASSESS):
            condition |= Q(status=EnrollmentStatus.ENROLLED, unit__path__startswith=path)
            found = True
        upper = {
            perm: acc_perms.scope_paths(user, perm) for perm in (acc_perms.VERIFY, acc_perms.DECIDE)
        }
        paths = {p for ps in upper.values() for p in ps}
        kinds = (
            dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "kind"))
            if paths
            else {}
        )
        for perm, status, field in (
            (acc_perms.VERIFY, EnrollmentStatus.SUBMITTED, "program__verifier_level__in"),
            (acc_perms.DECIDE, EnrollmentStatus.VERIFIED, "program__decider_level__in"),
        ):
            for path in upper[perm]:
                levels = _levels_at_or_below(kinds.get(path, ""))
                if levels:
                    condition |= Q(status=status, unit__path__startswith=path, **{field: levels})
                    found = True
        return condition if found else None

    def items(self, user: Any) -> Iterable[TodoItem]:
        condition = self._condition(user)
        if condition is None:
            return []
        rows = list(
            selectors.enrollments_visible(user)
            .filter(condition)
            .values("program_id", "period", "status")
            .annotate(n=Count("id"), first=Min("id"))
            .order_by()
        )
        if not rows:
            return []
        programs = Program.objects.in_bulk({r["program_id"] for r in rows})
        today = selectors.today()
        group = _("Chương trình công nhận, xếp loại")
        found = []
        for row in rows:
            program = programs[row["program_id"]]
            try:
                period = parse_period(row["period"])
            except PeriodError:
                continue
            submit_by, decide_by = program.deadlines(period)
            n, status = row["n"], row["status"]
            values = {"n": n, "program": program.label}
            detail_url = reverse("programs:detail", args=[program.code]) + f"?period={period.code}"
            if status == EnrollmentStatus.ENROLLED:
                title = ngettext(
                    "%(n)s hồ sơ %(program)s cần tự đánh giá và nộp",
                    "%(n)s hồ sơ %(program)s cần tự đánh giá và nộp",
                    n,
                )
                url = reverse("programs:enrollment", args=[row["first"]]) if n == 1 else detail_url
                due, key = submit_by, "programs.assess"
            elif status == EnrollmentStatus.SUBMITTED:
                title = ngettext(
                    "%(n)s hồ sơ %(program)s chờ thẩm định",
                    "%(n)s hồ sơ %(program)s chờ thẩm định",
                    n,
                )
                url = reverse("programs:verify", args=[row["first"]]) if n == 1 else detail_url
                due, key = decide_by, "programs.verify"
            else:
                title = ngettext(
                    "%(n)s hồ sơ %(program)s chờ quyết định",
                    "%(n)s hồ sơ %(program)s chờ quyết định",
                    n,
                )
                url = reverse("programs:decide", args=[program.code]) + f"?period={period.code}"
                due, key = decide_by, "programs.decide"
            found.append(
                TodoItem(
                    key=key,
                    title=title % values,
                    url=url,
                    count=n,
                    severity=_severity(due, today),
                    due=due,
                    group=group,
                    detail=period.label,
                )
            )
        return found
