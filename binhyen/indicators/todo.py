"""What the indicators app puts on the to-do home: reports to send, to review, children late.

- A user who enters data (``ENTER_DATA``) sees, per form and period, the reports of their
  units not yet sent: the last period that has ended ("sắp đến hạn" until its deadline,
  "quá hạn" after it) and the one before it when that one is still missing (always late).
  A report returned by the upper level is its own item ("sửa và gửi lại").
- A user who approves reports (``APPROVE_REPORTS``) sees how many reports wait for their
  decision, and for each of their units and forms, how many units below have not sent the
  report of the last period whose deadline has passed (a count with a link to the
  completeness page filtered to the late units).

Reads start from ``selectors.visible_units`` and ``selectors.entry_units``; the counts are
aggregate queries (one per unit and form at the upper level), never lists of units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhyen.accounts import permissions as acc_perms
from binhyen.core.todo import Severity, TodoItem
from binhyen.indicators import selectors
from binhyen.indicators.models import DONE_STATUSES, ReportForm, Submission, SubmissionStatus
from binhyen.indicators.owners import form_owners
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnitQuerySet

MAX_UPPER_UNITS = 5  # scope units of an approver looked at (a province officer has one)


def today() -> date:
    return timezone.localdate()


def _group() -> str:
    return _("Báo cáo định kỳ")


def _open_during(period: Period) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=period.end)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=period.start)
    )


def own_periods(form: ReportForm, today: date) -> list[tuple[Period, date]]:
    """Return the periods a unit may still owe for ``form``: the last ended and the one before."""
    last = Period.containing(form.period_kind, today).previous()
    return [(p, form.deadline_for(p.end)) for p in (last, last.previous())]


def last_late_period(form: ReportForm, today: date) -> tuple[Period, date]:
    """Return the latest period whose deadline has passed, with that deadline."""
    period = Period.containing(form.period_kind, today).previous()
    for _step in range(3):
        deadline = form.deadline_for(period.end)
        if deadline < today:
            return period, deadline
        period = period.previous()
    return period, form.deadline_for(period.end)


class ReportsTodo:
    """Reports due and late for the user's units; reports to review; children late."""

    key = "indicators.reports"

    def items(self, user: Any) -> Iterable[TodoItem]:
        day = today()
        forms = list(ReportForm.objects.filter(is_active=True))
        if not forms:
            return []
        if not acc_perms.scope_paths(user, acc_perms.APPROVE_REPORTS):
            return list(self._own(user, forms, day))
        visible = selectors.visible_units(user)  # built once: it reads the lineage
        return [
            *self._own(user, forms, day),
            *self._review(user, visible),
            *self._children_late(user, visible, forms, day),
        ]

    # --- the user's own units ----------------------------------------------------------
    def _own(self, user: Any, forms: list[ReportForm], today: date) -> Iterator[TodoItem]:
        units = selectors.entry_units(user=user)
        if not units:
            return
        owed: list[tuple[ReportForm, Period, date, Any]] = []
        for form in forms:
            owned = form_owners.expected_unit_ids(form)
            mine = [
                u
                for u in units
                if u.kind in form.submitting_kinds and (owned is None or u.pk in owned)
            ]
            for period, deadline in own_periods(form, today):
                for unit in mine:
                    if not (unit.valid_from is None or unit.valid_from <= period.end) or not (
                        unit.valid_to is None or unit.valid_to >= period.start
                    ):
                        continue
                    if owned is not None and form_owners.refusal(form, unit, period):
                        continue  # an owned form (a campaign) does not take this period
                    owed.append((form, period, deadline, unit))
        if not owed:
            return
        status = {
            (f, u, p): s
            for f, u, p, s in Submission.objects.filter(
                form__in={o[0].pk for o in owed},
                orgunit__in={o[3].pk for o in owed},
                period__in={o[1].code for o in owed},
            ).values_list("form_id", "orgunit_id", "period", "status")
        }
        buckets: dict[tuple[str, int, str], list[Any]] = defaultdict(list)
        meta: dict[tuple[str, int, str], tuple[ReportForm, Period, date]] = {}
        for form, period, deadline, unit in owed:
            state = status.get((form.pk, unit.pk, period.code))
            if state in DONE_STATUSES:
                continue
            if deadline >= today and period != own_periods(form, today)[0][0]:
                continue  # an older period is owed only once it is late
            what = "returned" if state == SubmissionStatus.RETURNED else "send"
            key = (what, form.pk, period.code)
            buckets[key].append(unit)
            meta[key] = (form, period, deadline)
        for key, owing in buckets.items():
            what = key[0]
            form, period, deadline = meta[key]
            if len(owing) == 1:
                url = reverse("indicators:report", args=[form.code, owing[0].code, period.code])
                detail = owing[0].name
            else:
                url = reverse("indicators:report_list")
                detail = ngettext("%(n)s đơn vị", "%(n)s đơn vị", len(owing)) % {"n": len(owing)}
            values = {"form": form.label, "period": period.label}
            title = (
                _("Sửa và gửi lại %(form)s, %(period)s")
                if what == "returned"
                else _("Gửi %(form)s, %(period)s")
            ) % values
            yield TodoItem(
                key=f"indicators.{what}",
                title=title,
                url=url,
                count=len(owing),
                severity=Severity.LATE if deadline < today else Severity.DUE,
                due=deadline,
                group=_group(),
                detail=detail,
            )

    # --- reports waiting for the user's decision --------------------------------------
    def _review(self, user: Any, visible: OrgUnitQuerySet) -> Iterator[TodoItem]:
        paths = acc_perms.scope_paths(user, acc_perms.APPROVE_REPORTS)
        if not paths:
            return
        condition = Q()
        for path in paths:
            condition |= Q(orgunit__parent__path__startswith=path)
        waiting = Submission.objects.filter(
            condition,
            status=SubmissionStatus.SUBMITTED,
            orgunit__in=visible,
        ).count()
        if waiting:
            yield TodoItem(
                key="indicators.review",
                title=ngettext("%(n)s báo cáo chờ duyệt", "%(n)s báo cáo chờ duyệt", waiting)
                % {"n": waiting},
                url=reverse("indicators:report_list") + "#queue",
                count=waiting,
                severity=Severity.OPEN,
                group=_group(),
            )

    # --- units below that have not sent the last report due ---------------------------
    def _children_late(
        self, user: Any, visible: OrgUnitQuerySet, forms: list[ReportForm], today: date
    ) -> Iterator[TodoItem]:
        paths = acc_perms.scope_paths(user, acc_perms.APPROVE_REPORTS)
        if not paths:
            return
        roots = list(visible.filter(path__in=paths).order_by("level", "path")[:MAX_UPPER_UNITS])
        for root in roots:
            for form in forms:
                if root.kind in form.submitting_kinds and len(form.submitting_kinds) == 1:
                    continue
                period, deadline = last_late_period(form, today)
                done = Submission.objects.filter(
                    form=form, period=period.code, orgunit=OuterRef("pk"), status__in=DONE_STATUSES
                )
                expected = (
                    visible.subtree(root)
                    .filter(kind__in=form.submitting_kinds)
                    .exclude(pk=root.pk)
                    .filter(_open_during(period))
                )
                owned = form_owners.expected_unit_ids(form)
                if owned is not None:
                    expected = expected.filter(pk__in=owned)
                late = expected.exclude(Exists(done)).count()
                if not late:
                    continue
                url = reverse("indicators:completeness", args=[form.code, root.code, period.code])
                yield TodoItem(
                    key="indicators.children_late",
                    title=ngettext(
                        "%(n)s đơn vị chưa gửi %(form)s, %(period)s",
                        "%(n)s đơn vị chưa gửi %(form)s, %(period)s",
                        late,
                    )
                    % {"n": late, "form": form.label, "period": period.label},
                    url=url + "?show=late",
                    count=late,
                    severity=Severity.LATE,
                    due=deadline,
                    group=_group(),
                    detail=root.name,
                )
