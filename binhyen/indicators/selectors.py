"""Reads of the indicators app, always scoped to the requesting user.

Invariants:
- Every unit a read names is looked up in ``OrgUnit.objects.visible_to(user)``; a unit
  outside the scope and a missing one give the same ``Http404`` naming the code asked for.
- Every number comes from ``engine.run``; nothing here sums values itself.
- Bad metric or period codes raise ``AnalyticsInputError`` naming the field and the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions as acc_perms
from binhyen.core.collation import vi_key, vi_order
from binhyen.core.models import AuditEvent
from binhyen.core.vocabulary import unit_of_measure_label
from binhyen.indicators import engine
from binhyen.indicators.models import (
    DONE_STATUSES,
    DataValue,
    Metric,
    ReportForm,
    Submission,
    SubmissionStatus,
    ValidationRule,
)
from binhyen.indicators.owners import form_owners
from binhyen.indicators.periods import Period, PeriodError, parse_period
from binhyen.orgunits.models import OrgUnit, OrgUnitQuerySet

MAX_CELLS = 50_000
MAX_CODES = 5_000


class AnalyticsInputError(ValueError):
    """A request names something that does not exist; ``field`` says which parameter."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def unit_not_found(code: str) -> Http404:
    return Http404(
        _("Không tìm thấy đơn vị '%(code)s' hoặc bạn không có quyền xem đơn vị này.")
        % {"code": code}
    )


def visible_units(user: Any) -> OrgUnitQuerySet:
    return OrgUnit.objects.visible_to(user)


def unit_get(*, user: Any, code: str) -> OrgUnit:
    """Return the visible unit with ``code``; raise ``Http404`` naming it otherwise."""
    unit = visible_units(user).select_related("parent").filter(code=code).first()
    if unit is None:
        raise unit_not_found(code)
    return unit


def units_get(*, user: Any, codes: Sequence[str]) -> list[OrgUnit]:
    """Return the visible units named by ``codes`` in that order; 404 naming the first miss."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise AnalyticsInputError(_("Cần ít nhất một mã đơn vị."), "units")
    if len(wanted) > MAX_CODES:
        raise AnalyticsInputError(_("Quá nhiều đơn vị trong một yêu cầu."), "units")
    found = {u.code: u for u in visible_units(user).filter(code__in=wanted)}
    for code in wanted:
        if code not in found:
            raise unit_not_found(code)
    return [found[c] for c in wanted]


def unit_children(*, user: Any, unit: OrgUnit, kinds: Sequence[str] | None = None) -> list[OrgUnit]:
    """Return the visible children of ``unit``: current ones, or as they were if it is closed."""
    qs = visible_units(user).filter(parent=unit)
    if unit.valid_to is None:
        qs = qs.filter(valid_to__isnull=True)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs.order_by("kind", vi_order("name"), "code"))


def metrics_get(codes: Sequence[str]) -> list[Metric]:
    """Return active metrics named by ``codes`` in order; refuse unknown codes by name."""
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise AnalyticsInputError(_("Cần ít nhất một mã chỉ tiêu."), "metrics")
    found = {
        m.code: m
        for m in Metric.objects.filter(code__in=wanted, is_active=True).select_related(
            "disaggregation"
        )
    }
    for code in wanted:
        if code not in found:
            raise AnalyticsInputError(
                _("Không có chỉ tiêu '%(code)s'.") % {"code": code[:64]}, "metrics"
            )
    return [found[c] for c in wanted]


def periods_get(codes: Sequence[str]) -> list[Period]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not wanted:
        raise AnalyticsInputError(_("Cần ít nhất một kỳ."), "periods")
    periods = []
    for code in wanted:
        try:
            periods.append(parse_period(code))
        except PeriodError as exc:
            raise AnalyticsInputError(str(exc), "periods") from exc
    return periods


@dataclass
class AnalyticsResult:
    metrics: list[Metric]
    units: list[OrgUnit]
    periods: list[Period]
    rows: list[engine.Row]


def analytics(
    *,
    user: Any,
    metric_codes: Sequence[str],
    unit_codes: Sequence[str],
    period_codes: Sequence[str],
    children: bool = False,
    per_1000: bool = False,
    compare: bool = True,
    disaggregate: bool = False,
) -> AnalyticsResult:
    """Answer metrics × units × periods for ``user`` (units, or their children)."""
    metrics = metrics_get(metric_codes)
    periods = periods_get(period_codes)
    units = units_get(user=user, codes=unit_codes)
    if children:
        targets: list[OrgUnit] = []
        for unit in units:
            targets.extend(unit_children(user=user, unit=unit))
        units = targets
    rows = analytics_rows(
        metrics=metrics,
        units=units,
        periods=periods,
        per_1000=per_1000,
        compare=compare,
        disaggregate=disaggregate,
    )
    return AnalyticsResult(metrics=metrics, units=units, periods=periods, rows=rows)


def analytics_rows(
    *,
    metrics: Sequence[Metric],
    units: Sequence[OrgUnit],
    periods: Sequence[Period],
    per_1000: bool = False,
    compare: bool = True,
    disaggregate: bool = False,
) -> list[engine.Row]:
    """Answer metrics × units × periods already resolved for the user.

    ``units`` must come from the user's scope (``unit_get``, ``units_get``,
    ``unit_children``): a page that has them already (the dashboard asks three questions
    of the same unit and children) skips looking the codes up again for each question.
    """
    cells = len(metrics) * len(units) * len(periods)
    if cells > MAX_CELLS:
        raise AnalyticsInputError(
            _("Yêu cầu quá lớn (%(n)s ô, tối đa %(max)s): chọn ít đơn vị, chỉ tiêu hoặc kỳ hơn.")
            % {"n": cells, "max": MAX_CELLS},
            "units",
        )
    return engine.run(
        metrics=list(metrics),
        units=list(units),
        periods=list(periods),
        per_1000=per_1000,
        compare=compare,
        disaggregate=disaggregate,
    )


# --- report forms, submissions, completeness ----------------------------------------------


def forms_for_unit(unit: OrgUnit) -> list[ReportForm]:
    """Return the active forms ``unit`` must submit (its kind is a submitting kind)."""
    forms = []
    for form in ReportForm.objects.filter(is_active=True):
        if unit.kind not in form.submitting_kinds:
            continue
        owned = form_owners.expected_unit_ids(form)
        if owned is None or unit.pk in owned:
            forms.append(form)
    return forms


def form_get(code: str) -> ReportForm:
    form = ReportForm.objects.filter(code=code, is_active=True).first()
    if form is None:
        raise Http404(_("Không có biểu mẫu '%(code)s'.") % {"code": code[:64]})
    return form


def period_get(code: str) -> Period:
    """Return the period ``code`` names; a malformed code is a 404 with the parser's reason."""
    try:
        return parse_period(code)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc


def form_period_unit(
    *, user: Any, form_code: str, unit_code: str, period_code: str
) -> tuple[ReportForm, Period, OrgUnit]:
    """Return the active form, the period and the visible unit a URL names (404 for each)."""
    form = form_get(form_code)
    period = period_get(period_code)
    return form, period, unit_get(user=user, code=unit_code)


def report_context(
    *, user: Any, form_code: str, unit_code: str, period_code: str
) -> dict[str, Any]:
    """Resolve the form × unit × period of one report (its page and its API alike).

    Returns ``form``, ``period``, ``unit`` and ``submission`` (None when not started); 404
    when the form does not take that kind of period or the unit does not submit the form.
    """
    form = form_get(form_code)
    period = period_get(period_code)
    if period.kind != form.period_kind:
        raise Http404(
            _("Biểu mẫu '%(f)s' không nhận kỳ '%(p)s'.") % {"f": form.code, "p": period.code}
        )
    unit, sub = submission_find(user=user, form=form, unit_code=unit_code, period=period)
    if unit.kind not in form.submitting_kinds:
        raise Http404(_("Đơn vị này không phải lập biểu mẫu '%(f)s'.") % {"f": form.code})
    return {"form": form, "period": period, "unit": unit, "submission": sub}


def recent_periods(kind: str, count: int = 12, today: date | None = None) -> list[Period]:
    """Return the ``count`` latest periods of ``kind`` up to the one containing today."""
    current = Period.containing(kind, today or timezone.localdate())
    return [current.shift(-i) for i in range(count)]


def default_report_period(form: ReportForm, today: date | None = None) -> Period:
    """Return the period a unit is most likely reporting now: the last one that has ended."""
    return Period.containing(form.period_kind, today or timezone.localdate()).previous()


def entry_units(*, user: Any) -> list[OrgUnit]:
    """Return the units ``user`` may enter data for and that must submit some form."""
    paths = acc_perms.scope_paths(user, acc_perms.ENTER_DATA)
    if acc_perms.is_superadmin(user):
        return []
    kinds = {k for f in ReportForm.objects.filter(is_active=True) for k in f.submitting_kinds}
    if not paths or not kinds:
        return []
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(
        visible_units(user)
        .filter(condition, kind__in=kinds, valid_to__isnull=True)
        .order_by("path")[:200]
    )


def form_values(submission: Submission) -> dict[tuple[int, str], float]:
    """Return the stored values of a report: (metric id, option) → value."""
    return {
        (m, o): v
        for m, o, v in DataValue.objects.filter(
            orgunit=submission.orgunit,
            period=submission.period,
            metric__in=submission.form.metrics.all(),
        ).values_list("metric_id", "option", "value")
    }


def form_metrics(form: ReportForm) -> list[Metric]:
    return list(
        form.metrics.order_by("form_links__sort_order")
        .select_related("disaggregation")
        .prefetch_related("disaggregation__options")
    )


def form_rules(form: ReportForm) -> list[ValidationRule]:
    ids = list(form.metrics.values_list("pk", flat=True))
    return list(
        ValidationRule.objects.filter(is_active=True, left_metric_id__in=ids).select_related(
            "left_metric", "right_metric"
        )
    )


def submission_find(
    *, user: Any, form: ReportForm, unit_code: str, period: Period
) -> tuple[OrgUnit, Submission | None]:
    """Return the visible unit and its report for the period (None when not started)."""
    unit = unit_get(user=user, code=unit_code)
    sub = (
        Submission.objects.filter(form=form, orgunit=unit, period=period.code)
        .select_related("form", "orgunit", "submitted_by", "reviewed_by")
        .first()
    )
    return unit, sub


def submission_history(submission: Submission) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type=Submission._meta.label, object_id=str(submission.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )


def review_queue(*, user: Any, limit: int = 100) -> list[Submission]:
    """Return submitted reports waiting for ``user``'s decision (children of their units)."""
    paths = acc_perms.scope_paths(user, acc_perms.APPROVE_REPORTS)
    qs = Submission.objects.filter(status=SubmissionStatus.SUBMITTED)
    if not acc_perms.is_superadmin(user):
        if not paths:
            return []
        condition = Q()
        for path in paths:
            condition |= Q(orgunit__parent__path__startswith=path)
        qs = qs.filter(condition)
    return list(
        qs.select_related("form", "orgunit", "submitted_by").order_by("submitted_at")[:limit]
    )


@dataclass
class CompletenessRow:
    unit: OrgUnit
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    on_time: int = 0
    late: int = 0
    submission: Submission | None = None

    @property
    def rate(self) -> float | None:
        return round(self.submitted / self.expected * 100.0, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(self.on_time / self.submitted * 100.0, 1) if self.submitted else None


@dataclass
class Completeness:
    form: ReportForm
    period: Period
    deadline: date
    total: CompletenessRow
    rows: list[CompletenessRow] = field(default_factory=list)


def completeness(
    *,
    user: Any,
    form: ReportForm,
    unit: OrgUnit,
    period: Period,
    children: Sequence[OrgUnit] | None = None,
) -> Completeness:
    """Count expected, submitted and on-time reports below ``unit``, per child unit.

    Expected units are the visible units of the form's submitting kinds in ``unit``'s subtree
    that were open at some point of the period (a unit created or closed mid-way counts; one
    closed before the period or opened after it does not). ``children``: the page's own
    ``unit_children(user=user, unit=unit)`` when it has them already.
    """
    total, ordered = _completeness_rows(
        user=user, form=form, unit=unit, periods=[period], children=children
    )
    deadline = form.deadline_for(period.end)
    return Completeness(form=form, period=period, deadline=deadline, total=total, rows=ordered)


def completeness_over(
    *, user: Any, form: ReportForm, unit: OrgUnit, periods: Sequence[Period]
) -> tuple[CompletenessRow, list[CompletenessRow]]:
    """Sum ``completeness`` over several periods (a report's months) in one pass.

    Returns the total and the rows per child; each period counts the units open in it, as
    ``completeness`` does for one. The queries do not grow with the number of periods.
    """
    return _completeness_rows(user=user, form=form, unit=unit, periods=periods)


def _completeness_rows(
    *,
    user: Any,
    form: ReportForm,
    unit: OrgUnit,
    periods: Sequence[Period],
    children: Sequence[OrgUnit] | None = None,
) -> tuple[CompletenessRow, list[CompletenessRow]]:
    if not periods:
        return CompletenessRow(unit=unit), []
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    # Plain tuples, not model instances: a national page expects every commune (thousands).
    expected_qs = (
        visible_units(user)
        .subtree(unit)
        .filter(kind__in=form.submitting_kinds)
        .exclude(pk=unit.pk)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .order_by()
    )
    expected = list(expected_qs.values_list("id", "path", "level", "valid_from", "valid_to"))
    owned = form_owners.expected_unit_ids(form)
    if owned is not None:
        expected = [u for u in expected if u[0] in owned]
    subs = {
        (s.orgunit_id, s.period): s
        for s in Submission.objects.filter(
            form=form,
            period__in=[p.code for p in periods],
            orgunit__in=expected_qs.values("pk"),
        ).select_related("form")
    }
    if children is None:
        children = unit_children(user=user, unit=unit)
    child_by_code = {c.code: c for c in children}
    depth = unit.level + 2  # index of the child's code in path.split("/")
    # An expected unit one level down that is not among the children (closed, say) is its
    # own row: read those few as units.
    extra_ids = [
        pk
        for pk, path, level, _f, _t in expected
        if level == unit.level + 1 and path.split("/")[depth] not in child_by_code
    ]
    extra = OrgUnit.objects.in_bulk(extra_ids) if extra_ids else {}
    rows: dict[str, CompletenessRow] = {}
    total = CompletenessRow(unit=unit)
    single = len(periods) == 1
    for pk, path, _level, valid_from, valid_to in expected:
        code = path.split("/")[depth]
        child = child_by_code.get(code) or extra.get(pk)
        if child is None:
            continue
        row = rows.setdefault(child.code, CompletenessRow(unit=child))
        for period in periods:
            if (valid_from and valid_from > period.end) or (valid_to and valid_to < period.start):
                continue
            sub = subs.get((pk, period.code))
            for r in (row, total):
                r.expected += 1
                if sub is not None and sub.status in DONE_STATUSES:
                    r.submitted += 1
                    r.approved += sub.status == SubmissionStatus.APPROVED
                    if sub.on_time:
                        r.on_time += 1
                    else:
                        r.late += 1
            if single and pk == child.pk:
                row.submission = sub
    ordered = sorted(rows.values(), key=lambda r: (vi_key(r.unit.name), r.unit.code))
    return total, ordered


REPORT_TABLE_LIMIT = 5_000


@dataclass
class ReportTable:
    headers: list[str]
    rows: list[list[Any]]


def report_table(*, user: Any, form: ReportForm, unit: OrgUnit, period: Period) -> ReportTable:
    """Return the whole report of every unit below ``unit`` that must send it, one row each.

    Columns: the unit, the report's state, then every metric of the form (one column per kind
    of a metric entered by kind). Values are the stored ones; a blank cell is "not entered".
    """
    metrics = form_metrics(form)
    units = list(
        visible_units(user)
        .subtree(unit)
        .filter(kind__in=form.submitting_kinds)
        .exclude(pk=unit.pk)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
        .select_related("parent")
        .order_by("path")[:REPORT_TABLE_LIMIT]
    )
    owned = form_owners.expected_unit_ids(form)
    if owned is not None:
        units = [u for u in units if u.pk in owned]
    columns: list[tuple[Metric, str]] = []
    headers = [_("Mã đơn vị"), _("Đơn vị"), _("Trực thuộc"), _("Trạng thái")]
    for m in metrics:
        options = list(m.disaggregation.options.all()) if m.disaggregation is not None else []
        if options:
            for o in options:
                columns.append((m, o.code))
                headers.append(f"{m.label} — {o.label}")
        else:
            columns.append((m, ""))
            uom = unit_of_measure_label(m.unit_of_measure)
            headers.append(f"{m.label} ({uom})" if uom else m.label)
    ids = [u.pk for u in units]
    values = {
        (u, m, o): v
        for u, m, o, v in DataValue.objects.filter(
            orgunit__in=ids, period=period.code, metric__in=[m.pk for m in metrics]
        ).values_list("orgunit_id", "metric_id", "option", "value")
    }
    states = dict(
        Submission.objects.filter(form=form, period=period.code, orgunit__in=ids).values_list(
            "orgunit_id", "status"
        )
    )
    labels = dict(SubmissionStatus.choices)
    rows = [
        [
            u.code,
            u.name,
            u.parent.name if u.parent is not None else "",
            str(labels[states[u.pk]]) if u.pk in states else _("Chưa lập"),
            *(values.get((u.pk, m.pk, o)) for m, o in columns),
        ]
        for u in units
    ]
    return ReportTable(headers=[str(h) for h in headers], rows=rows)
