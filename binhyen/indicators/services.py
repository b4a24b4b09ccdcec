"""Writes of the indicators app: catalogue, values, provider sync, the report workflow.

Invariants:
- Every function here is the only way its rows change; each runs in one transaction, calls
  ``full_clean()`` and records one ``AuditEvent`` summarising what changed (values: the
  before/after of every changed cell), so a failed call leaves nothing behind.
- A batch of values is all-or-nothing: one bad cell refuses the whole batch with an error
  per cell.
- Values of a (unit, period) whose report is submitted or approved are locked; only a
  reviewer's return or reopen unlocks them.
- Workflow: draft → submitted → approved, or submitted → returned (comment required) →
  submitted …; approved → reopened (comment required) by a reviewer. Submitting requires
  every metric of the form to have a value and no broken error-level validation rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.models import WebhookEvent
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.webhooks import webhook_emit
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators import rollups
from binhyen.indicators.models import (
    EDITABLE_STATUSES,
    LOCKED_STATUSES,
    DataValue,
    Metric,
    MetricSource,
    ReportForm,
    ReportFormMetric,
    RuleSeverity,
    Submission,
    SubmissionStatus,
    ValidationRule,
)
from binhyen.indicators.owners import form_owners
from binhyen.indicators.periods import Period, PeriodError, parse_period
from binhyen.indicators.providers import registry
from binhyen.orgunits.models import OrgUnit

METRIC_FIELDS = [
    "code",
    "name",
    "name_en",
    "description",
    "unit_of_measure",
    "value_type",
    "aggregation",
    "period_kind",
    "capture_kinds",
    "disaggregation",
    "source",
    "provider_key",
    "min_value",
    "max_value",
    "is_active",
    "sort_order",
]


@dataclass(frozen=True)
class ValueInput:
    """One cell to save: ``value`` None clears it. ``ref`` says where it came from (a cell)."""

    metric: Metric
    value: float | None
    option: str = ""
    ref: str = ""


@dataclass
class RuleResult:
    rule: ValidationRule
    left: float
    right: float

    @property
    def message(self) -> str:
        return _("Quy tắc '%(code)s – %(name)s' không thỏa: %(left)s %(op)s %(right)s là sai.") % {
            "code": self.rule.code,
            "name": self.rule.name,
            "left": _fmt(self.left),
            "op": self.rule.get_operator_display(),
            "right": _fmt(self.right),
        }

    @property
    def is_error(self) -> bool:
        return self.rule.severity == RuleSeverity.ERROR


@dataclass
class SaveResult:
    changed: int = 0
    warnings: list[str] = field(default_factory=list)


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _parse(code: str) -> Period:
    try:
        return parse_period(code)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from exc


# --- catalogue -----------------------------------------------------------------------------


def _require_manager(actor: Any) -> None:
    if not ind_perms.can_manage_metrics(actor):
        raise PermissionDenied(_("Bạn không có quyền quản lý danh mục chỉ tiêu."))


@transaction.atomic
def metric_create(*, actor: Any, **fields: Any) -> Metric:
    """Add a metric to the catalogue (users holding ``MANAGE_METRICS``)."""
    _require_manager(actor)
    unknown = set(fields) - set(METRIC_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    metric = Metric(**fields)
    metric.full_clean()
    metric.save()
    audit_event_record(
        actor=actor, action="metric.create", obj=metric, after=model_snapshot(metric, METRIC_FIELDS)
    )
    return metric


@transaction.atomic
def metric_update(*, actor: Any, metric: Metric, **fields: Any) -> Metric:
    """Change a metric; its code, kind of period and disaggregation are fixed once it has data."""
    _require_manager(actor)
    unknown = set(fields) - set(METRIC_FIELDS)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    before = model_snapshot(metric, METRIC_FIELDS)
    frozen = {"code", "period_kind", "disaggregation"}
    if frozen & set(fields) and DataValue.objects.filter(metric=metric).exists():
        for name in frozen & set(fields):
            if fields[name] != getattr(metric, name):
                raise ValidationError(
                    {name: _("Không thể đổi trường này khi chỉ tiêu đã có số liệu.")}
                )
    if "capture_kinds" in fields:
        dropped = set(metric.capture_kinds or []) - set(fields["capture_kinds"] or [])
        if dropped and DataValue.objects.filter(metric=metric, orgunit__kind__in=dropped).exists():
            # The engine reads a metric only at its capture kinds: values would vanish.
            raise ValidationError(
                {
                    "capture_kinds": _("Đã có số liệu ở cấp %(kinds)s, không bỏ được cấp này.")
                    % {"kinds": ", ".join(sorted(dropped))}
                }
            )
    for name, value in fields.items():
        setattr(metric, name, value)
    metric.full_clean()
    metric.save()
    audit_event_record(
        actor=actor,
        action="metric.update",
        obj=metric,
        before=before,
        after=model_snapshot(metric, METRIC_FIELDS),
    )
    return metric


def _check_form_metrics(metrics: Sequence[Metric], period_kind: str) -> None:
    """A form needs at least one metric, each once, all captured with its kind of period."""
    wrong = [m.code for m in metrics if m.period_kind != period_kind]
    if wrong:
        raise ValidationError(
            {
                "metrics": _("Chỉ tiêu không cùng kỳ với biểu mẫu: %(codes)s.")
                % {"codes": ", ".join(wrong)}
            }
        )
    if not metrics:
        raise ValidationError({"metrics": _("Biểu mẫu cần ít nhất một chỉ tiêu.")})
    if len({m.pk for m in metrics}) != len(metrics):
        raise ValidationError({"metrics": _("Mỗi chỉ tiêu chỉ được chọn một lần.")})


@transaction.atomic
def report_form_create(
    *,
    actor: Any,
    code: str,
    name: str,
    period_kind: str,
    submitting_kinds: list[str],
    metrics: Sequence[Metric],
    deadline_month_offset: int = 1,
    deadline_day: int = 16,
    description: str = "",
    is_active: bool = True,
) -> ReportForm:
    """Create a periodic report form; every metric must be captured with the form's period."""
    _require_manager(actor)
    form = ReportForm(
        code=code,
        name=name,
        period_kind=period_kind,
        submitting_kinds=submitting_kinds,
        deadline_month_offset=deadline_month_offset,
        deadline_day=deadline_day,
        description=description,
        is_active=is_active,
    )
    form.full_clean()
    _check_form_metrics(metrics, period_kind)
    form.save()
    ReportFormMetric.objects.bulk_create(
        [ReportFormMetric(form=form, metric=m, sort_order=i) for i, m in enumerate(metrics)]
    )
    audit_event_record(
        actor=actor,
        action="report_form.create",
        obj=form,
        after={"code": code, "metrics": [m.code for m in metrics]},
    )
    return form


@transaction.atomic
def owned_report_form_create(
    *,
    actor: Any,
    code: str,
    name: str,
    period_kind: str,
    submitting_kinds: list[str],
    metrics: Sequence[Metric],
    deadline_month_offset: int = 0,
    deadline_day: int = 31,
    description: str = "",
) -> ReportForm:
    """Create a report form owned by a domain app (see ``binhyen.indicators.owners``).

    The owner claiming ``code`` decides who may create it, instead of the catalogue
    permission; everything else is checked as for ``report_form_create``.
    """
    owner = form_owners.owner_of(code)
    if owner is None or not owner.may_create(actor, code):
        raise PermissionDenied(_("Bạn không có quyền tạo biểu mẫu '%(code)s'.") % {"code": code})
    form = ReportForm(
        code=code,
        name=name,
        period_kind=period_kind,
        submitting_kinds=submitting_kinds,
        deadline_month_offset=deadline_month_offset,
        deadline_day=deadline_day,
        description=description,
        is_active=True,
    )
    form.full_clean()
    _check_form_metrics(metrics, period_kind)
    form.save()
    ReportFormMetric.objects.bulk_create(
        [ReportFormMetric(form=form, metric=m, sort_order=i) for i, m in enumerate(metrics)]
    )
    audit_event_record(
        actor=actor,
        action="report_form.create",
        obj=form,
        after={"code": code, "metrics": [m.code for m in metrics], "owner": owner.prefix},
    )
    return form


@transaction.atomic
def validation_rule_create(
    *,
    actor: Any,
    code: str,
    name: str,
    left_metric: Metric,
    operator: str,
    right_metric: Metric,
    severity: str = RuleSeverity.ERROR,
    is_active: bool = True,
) -> ValidationRule:
    _require_manager(actor)
    rule = ValidationRule(
        code=code,
        name=name,
        left_metric=left_metric,
        operator=operator,
        right_metric=right_metric,
        severity=severity,
        is_active=is_active,
    )
    rule.full_clean()
    rule.save()
    audit_event_record(
        actor=actor,
        action="validation_rule.create",
        obj=rule,
        after={"code": code, "left": left_metric.code, "op": operator, "right": right_metric.code},
    )
    return rule


REPORT_FORM_FIELDS = [
    "code",
    "name",
    "description",
    "period_kind",
    "submitting_kinds",
    "deadline_month_offset",
    "deadline_day",
    "is_active",
]
RULE_FIELDS = ["code", "name", "left_metric", "operator", "right_metric", "severity", "is_active"]


def _unknown_fields(fields: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %(f)s.") % {"f": ", ".join(sorted(unknown))})


def _ordered_metrics(form: ReportForm) -> list[Metric]:
    """Return the metrics of ``form`` in their order on the form."""
    links = ReportFormMetric.objects.filter(form=form).select_related("metric")
    return [link.metric for link in links.order_by("sort_order", "id")]


def _form_snapshot(form: ReportForm) -> dict[str, Any]:
    data = model_snapshot(form, REPORT_FORM_FIELDS)
    data["metrics"] = [m.code for m in _ordered_metrics(form)]
    return data


@transaction.atomic
def report_form_update(
    *,
    actor: Any,
    form: ReportForm,
    metrics: Sequence[Metric] | None = None,
    **fields: Any,
) -> ReportForm:
    """Change a report form and, when ``metrics`` is given, its metrics in that order.

    Every metric must have the form's period kind and the form keeps at least one metric; the
    code and the kind of period are fixed once a unit has opened a report of the form.
    """
    _require_manager(actor)
    _unknown_fields(fields, REPORT_FORM_FIELDS)
    before = _form_snapshot(form)
    frozen = {"code", "period_kind"}
    if frozen & set(fields) and Submission.objects.filter(form=form).exists():
        for name in sorted(frozen & set(fields)):
            if fields[name] != getattr(form, name):
                raise ValidationError(
                    {name: _("Không thể đổi trường này khi biểu mẫu đã có báo cáo.")}
                )
    for name, value in fields.items():
        setattr(form, name, value)
    form.full_clean()
    chosen = list(metrics) if metrics is not None else _ordered_metrics(form)
    _check_form_metrics(chosen, form.period_kind)
    form.save()
    if metrics is not None:
        ReportFormMetric.objects.filter(form=form).delete()
        ReportFormMetric.objects.bulk_create(
            [ReportFormMetric(form=form, metric=m, sort_order=i) for i, m in enumerate(chosen)]
        )
    audit_event_record(
        actor=actor,
        action="report_form.update",
        obj=form,
        before=before,
        after=_form_snapshot(form),
    )
    return form


def _rule_snapshot(rule: ValidationRule) -> dict[str, Any]:
    data = model_snapshot(rule, RULE_FIELDS)
    data["left_metric"] = rule.left_metric.code
    data["right_metric"] = rule.right_metric.code
    return data


@transaction.atomic
def validation_rule_update(*, actor: Any, rule: ValidationRule, **fields: Any) -> ValidationRule:
    """Change a validation rule, or switch it on or off with ``is_active``."""
    _require_manager(actor)
    _unknown_fields(fields, RULE_FIELDS)
    before = _rule_snapshot(rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    audit_event_record(
        actor=actor,
        action="validation_rule.update",
        obj=rule,
        before=before,
        after=_rule_snapshot(rule),
    )
    return rule


# --- values --------------------------------------------------------------------------------


def _locked_metric_ids(unit: OrgUnit, period_code: str) -> set[int]:
    return set(
        ReportFormMetric.objects.filter(
            form__submissions__orgunit=unit,
            form__submissions__period=period_code,
            form__submissions__status__in=LOCKED_STATUSES,
        ).values_list("metric_id", flat=True)
    )


def _apply_values(
    *,
    actor: Any,
    unit: OrgUnit,
    period: Period,
    values: Sequence[ValueInput],
    source: str,
    check_lock: bool = True,
) -> tuple[int, dict[str, list[Any]]]:
    """Validate every cell, then write; raise one ValidationError listing every bad cell."""
    errors: list[str] = []
    locked = _locked_metric_ids(unit, period.code) if check_lock else set()
    existing = {
        (dv.metric_id, dv.option): dv
        for dv in DataValue.objects.select_for_update().filter(
            orgunit=unit, period=period.code, metric__in=[v.metric for v in values]
        )
    }
    before = {d.pk: d.value for d in existing.values()}  # the loop below edits them
    seen: set[tuple[int, str]] = set()
    to_save: list[DataValue] = []
    to_delete: list[DataValue] = []
    changes: dict[str, list[Any]] = {}
    user = actor if getattr(actor, "is_authenticated", False) else None
    for item in values:
        where = f"{item.ref}: " if item.ref else ""
        key = (item.metric.pk, item.option)
        label = item.metric.code + (f"[{item.option}]" if item.option else "")
        if key in seen:
            errors.append(where + _("Chỉ tiêu %(m)s bị nhập hai lần.") % {"m": label})
            continue
        seen.add(key)
        current = existing.get(key)
        old = current.value if current is not None else None
        if old == item.value:
            continue
        if item.metric.pk in locked:
            errors.append(
                where
                + _("Số liệu %(m)s kỳ %(p)s đã khóa vì báo cáo đã gửi hoặc đã duyệt.")
                % {"m": label, "p": period.code}
            )
            continue
        if item.value is None:
            if current is not None:
                to_delete.append(current)
                changes[label] = [old, None]
            continue
        dv = current or DataValue(
            metric=item.metric,
            orgunit=unit,
            period=period.code,
            period_start=period.start,
            period_end=period.end,
            option=item.option,
        )
        dv.value = float(item.value)
        dv.source = source
        dv.entered_by = user
        try:
            dv.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.extend(where + m for m in messages)
            continue
        to_save.append(dv)
        changes[label] = [old, dv.value]
    if errors:
        raise ValidationError(errors)
    moves: list[rollups.ValueMove] = []
    for dv in to_save:
        old_value = before.get(dv.pk) if dv.pk else None
        dv.save()
        moves.append((dv.metric_id, unit.pk, period.end, dv.option, old_value, dv.value))
    if to_delete:
        DataValue.objects.filter(pk__in=[d.pk for d in to_delete]).delete()
        moves.extend(
            (d.metric_id, unit.pk, period.end, d.option, before[d.pk], None) for d in to_delete
        )
    rollups.apply(rollups.value_changes(moves))
    return len(changes), changes


@transaction.atomic
def data_values_save(
    *,
    actor: Any,
    unit: OrgUnit,
    period_code: str,
    values: Sequence[ValueInput],
    source: str = MetricSource.FORM,
) -> int:
    """Save several values of one unit and period (all or nothing); return how many changed."""
    if not ind_perms.can_enter_data(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu cho đơn vị này."))
    period = _parse(period_code)
    count, changes = _apply_values(
        actor=actor, unit=unit, period=period, values=values, source=source
    )
    if count:
        audit_event_record(
            actor=actor,
            action="data_value.save",
            obj=unit,
            orgunit=unit,
            after={"period": period.code, "source": source, "changes": changes},
        )
    return count


@transaction.atomic
def provider_values_sync(*, actor: Any, metric: Metric, period_code: str) -> int:
    """Store the values a registered provider computes for ``metric`` in one period.

    Values the provider no longer returns are removed, so the stored set always equals the
    provider's answer. Returns how many values changed.
    """
    if metric.source != MetricSource.PROVIDER:
        raise ValidationError(
            {"metric": _("Chỉ tiêu '%(m)s' không tính tự động.") % {"m": metric.code}}
        )
    period = _parse(period_code)
    if period.kind != metric.period_kind:
        raise ValidationError(
            {
                "period": _("Chỉ tiêu '%(m)s' không nhận kỳ '%(p)s'.")
                % {"m": metric.code, "p": period.code}
            }
        )
    try:
        provider = registry.get(metric.provider_key)
    except LookupError as exc:
        raise ValidationError({"provider_key": str(exc)}) from exc
    provided = {
        (v.orgunit_id, v.option): v.value
        for v in provider.values(metric_code=metric.code, period=period)
    }
    for (unit_id, _option), value in provided.items():
        # A provider's number obeys the metric's bounds like a typed one: refuse it clearly
        # (infinity, NaN, above the maximum) rather than store it or fail in the database.
        problem = metric.check_value(value)
        if problem:
            raise ValidationError(
                {
                    "value": _("Bộ tính trả giá trị %(v)s cho đơn vị #%(u)s: %(problem)s.")
                    % {"v": value, "u": unit_id, "problem": problem}
                }
            )
    existing = {
        (orgunit_id, option): (pk, value)
        for pk, orgunit_id, option, value in DataValue.objects.filter(
            metric=metric, period=period.code
        ).values_list("pk", "orgunit_id", "option", "value")
    }
    stale = [pk for key, (pk, _v) in existing.items() if key not in provided]
    updates = []
    creates = []
    for key, value in provided.items():
        if key in existing:
            pk, old = existing[key]
            if old != value:
                updates.append(DataValue(pk=pk, value=value, updated_at=timezone.now()))
        else:
            creates.append(
                DataValue(
                    metric=metric,
                    orgunit_id=key[0],
                    option=key[1],
                    period=period.code,
                    period_start=period.start,
                    period_end=period.end,
                    value=value,
                    source=MetricSource.PROVIDER,
                )
            )
    if provided:
        # Providers are code, not user input, but every unit must be of a capture kind:
        # the engine reads a metric only there.
        unit_ids = {key[0] for key in provided}
        wrong = (
            OrgUnit.objects.filter(pk__in=unit_ids)
            .exclude(kind__in=metric.capture_kinds or [])
            .values_list("code", flat=True)[:5]
        )
        if wrong:
            raise ValidationError(
                {
                    "orgunit": _("Bộ tính trả số liệu cho đơn vị không thuộc cấp nhập: %(codes)s.")
                    % {"codes": ", ".join(wrong)}
                }
            )
    if creates:
        creates[0].full_clean(validate_unique=False, validate_constraints=False)
        DataValue.objects.bulk_create(creates, batch_size=2000)
    if updates:
        DataValue.objects.bulk_update(updates, ["value", "updated_at"], batch_size=2000)
    if stale:
        DataValue.objects.filter(pk__in=stale).delete()
    by_pk = {pk: (key, old) for key, (pk, old) in existing.items()}
    moves: list[tuple[tuple[int, str], float | None, float | None]] = [
        (k, None, v) for k, v in provided.items() if k not in existing
    ]
    moves += [(by_pk[u.pk][0], by_pk[u.pk][1], u.value) for u in updates]
    moves += [(by_pk[pk][0], by_pk[pk][1], None) for pk in stale]
    rollups.apply(
        rollups.value_changes(
            (metric.pk, unit_id, period.end, option, old, new)
            for (unit_id, option), old, new in moves
        )
    )
    changed = len(creates) + len(updates) + len(stale)
    audit_event_record(
        actor=actor,
        action="data_value.provider_sync",
        obj=metric,
        after={
            "period": period.code,
            "provider": metric.provider_key,
            "created": len(creates),
            "updated": len(updates),
            "removed": len(stale),
        },
    )
    return changed


# --- validation rules ----------------------------------------------------------------------


def rules_check(
    *, unit: OrgUnit, period: Period, values: dict[int, float], metric_ids: Iterable[int]
) -> list[RuleResult]:
    """Return the broken rules among those whose left metric is in ``metric_ids``.

    ``values`` maps metric id → total value of this unit and period (entered values); a rule
    side missing there is read from the engine for the same unit and period.
    """
    ids = set(metric_ids)
    rules = list(
        ValidationRule.objects.filter(is_active=True, left_metric_id__in=ids).select_related(
            "left_metric", "right_metric"
        )
    )
    broken: list[RuleResult] = []
    missing = {r.right_metric for r in rules if r.right_metric_id not in values}
    outside: dict[int, float | None] = {}
    if missing:
        from binhyen.indicators.engine import unit_values

        outside = unit_values(unit=unit, period=period, metrics=list(missing))
    for rule in rules:
        left = values.get(rule.left_metric_id)
        right = values.get(rule.right_metric_id, outside.get(rule.right_metric_id))
        if left is None or right is None:
            continue
        if not rule.holds(left, right):
            broken.append(RuleResult(rule=rule, left=left, right=right))
    return broken


# --- report workflow -----------------------------------------------------------------------


def _snapshot(sub: Submission) -> dict[str, Any]:
    return {"status": sub.status, "comment": sub.comment}


def _form_totals(sub: Submission) -> dict[int, float]:
    totals: dict[int, float] = {}
    for metric_id, value in DataValue.objects.filter(
        orgunit=sub.orgunit, period=sub.period, metric__in=sub.form.metrics.all()
    ).values_list("metric_id", "value"):
        totals[metric_id] = totals.get(metric_id, 0.0) + value
    return totals


@transaction.atomic
def submission_open(*, actor: Any, form: ReportForm, unit: OrgUnit, period_code: str) -> Submission:
    """Return the unit's report for the period, creating a draft the first time."""
    if not ind_perms.can_enter_data(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền lập báo cáo cho đơn vị này."))
    period = _parse(period_code)
    if period.kind != form.period_kind:
        raise ValidationError(
            {
                "period": _("Biểu mẫu '%(f)s' không nhận kỳ '%(p)s'.")
                % {"f": form.code, "p": period.code}
            }
        )
    if unit.kind not in form.submitting_kinds:
        raise ValidationError(
            {"orgunit": _("Đơn vị này không phải lập biểu mẫu '%(f)s'.") % {"f": form.code}}
        )
    refused = form_owners.refusal(form, unit, period)
    if refused is not None:
        raise ValidationError({refused[0]: refused[1]})
    sub = Submission.objects.filter(form=form, orgunit=unit, period=period.code).first()
    if sub is not None:
        return sub
    sub = Submission(
        form=form,
        orgunit=unit,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
    )
    sub.full_clean()
    sub.save()
    audit_event_record(
        actor=actor, action="submission.create", obj=sub, orgunit=unit, after=_snapshot(sub)
    )
    return sub


@transaction.atomic
def submission_save_values(
    *, actor: Any, submission: Submission, values: Sequence[ValueInput]
) -> SaveResult:
    """Save draft values of a report; refuse if it is not editable. Rule breaks are warnings."""
    sub = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form", "orgunit")
        .get(pk=submission.pk)
    )
    if not ind_perms.can_enter_data(actor, sub.orgunit):
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu cho đơn vị này."))
    if sub.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái '%(s)s', không sửa được.")
            % {"s": sub.get_status_display()}
        )
    form_metric_ids = set(sub.form.metrics.values_list("pk", flat=True))
    foreign = [v.metric.code for v in values if v.metric.pk not in form_metric_ids]
    if foreign:
        raise ValidationError(
            _("Chỉ tiêu không thuộc biểu mẫu: %(codes)s.")
            % {"codes": ", ".join(sorted(set(foreign)))}
        )
    period = _parse(sub.period)
    count, changes = _apply_values(
        actor=actor,
        unit=sub.orgunit,
        period=period,
        values=values,
        source=MetricSource.FORM,
        check_lock=False,
    )
    if count:
        audit_event_record(
            actor=actor,
            action="data_value.save",
            obj=sub,
            orgunit=sub.orgunit,
            after={"period": sub.period, "changes": changes},
        )
        Submission.objects.filter(pk=sub.pk).update(updated_at=timezone.now())
    broken = rules_check(
        unit=sub.orgunit, period=period, values=_form_totals(sub), metric_ids=form_metric_ids
    )
    submission.refresh_from_db()
    return SaveResult(changed=count, warnings=[b.message for b in broken])


@transaction.atomic
def submission_submit(*, actor: Any, submission: Submission) -> Submission:
    """Send the report to the upper level; every metric filled and no error rule broken."""
    sub = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form", "orgunit")
        .get(pk=submission.pk)
    )
    if not ind_perms.can_enter_data(actor, sub.orgunit):
        raise PermissionDenied(_("Bạn không có quyền gửi báo cáo của đơn vị này."))
    if sub.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái '%(s)s', không gửi được.")
            % {"s": sub.get_status_display()}
        )
    metrics = list(sub.form.metrics.all())
    totals = _form_totals(sub)
    empty = [m.name for m in metrics if m.pk not in totals]
    if empty:
        raise ValidationError(
            _("Chưa nhập: %(names)s. Nhập 0 nếu không phát sinh.") % {"names": "; ".join(empty)}
        )
    broken = [
        b
        for b in rules_check(
            unit=sub.orgunit, period=_parse(sub.period), values=totals, metric_ids=totals
        )
        if b.is_error
    ]
    if broken:
        raise ValidationError([b.message for b in broken])
    before = _snapshot(sub)
    now = timezone.now()
    sub.status = SubmissionStatus.SUBMITTED
    sub.submitted_at = now
    sub.submitted_by = actor
    sub.first_submitted_at = sub.first_submitted_at or now
    sub.full_clean()
    sub.save()
    audit_event_record(
        actor=actor,
        action="submission.submit",
        obj=sub,
        orgunit=sub.orgunit,
        before=before,
        after=_snapshot(sub),
    )
    _webhook_submission(WebhookEvent.REPORT_SUBMITTED, sub)
    return sub


def _review(actor: Any, submission: Submission, allowed: tuple[str, ...], verb: str) -> Submission:
    sub = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("form", "orgunit__parent")
        .get(pk=submission.pk)
    )
    if not ind_perms.can_review(actor, sub.orgunit):
        raise PermissionDenied(_("Bạn không có quyền xử lý báo cáo của đơn vị này."))
    if sub.status not in allowed:
        raise ValidationError(
            _("Không thể %(verb)s báo cáo đang ở trạng thái '%(s)s'.")
            % {"verb": verb, "s": sub.get_status_display()}
        )
    return sub


def _finish_review(
    actor: Any, sub: Submission, status: str, comment: str, action: str
) -> Submission:
    before = _snapshot(sub)
    sub.status = status
    sub.comment = comment
    sub.reviewed_at = timezone.now()
    sub.reviewed_by = actor
    sub.full_clean()
    sub.save()
    audit_event_record(
        actor=actor,
        action=action,
        obj=sub,
        orgunit=sub.orgunit,
        before=before,
        after=_snapshot(sub),
    )
    return sub


def _need_comment(comment: str) -> str:
    text = (comment or "").strip()
    if not text:
        raise ValidationError({"comment": _("Cần ghi ý kiến để đơn vị biết phải sửa gì.")})
    return text


def _webhook_submission(event: str, sub: Submission) -> None:
    webhook_emit(
        event=event,
        object_type="report",
        object_id=sub.pk,
        unit_code=sub.orgunit.code,
        summary={"form": sub.form.code, "period": sub.period, "status": sub.status},
    )


@transaction.atomic
def submission_approve(*, actor: Any, submission: Submission, comment: str = "") -> Submission:
    """Approve a submitted report; its values are locked from now on."""
    sub = _review(actor, submission, (SubmissionStatus.SUBMITTED,), _("duyệt"))
    approved = _finish_review(
        actor, sub, SubmissionStatus.APPROVED, (comment or "").strip(), "submission.approve"
    )
    _webhook_submission(WebhookEvent.REPORT_APPROVED, approved)
    return approved


@transaction.atomic
def submission_return(*, actor: Any, submission: Submission, comment: str) -> Submission:
    """Send a submitted report back to its unit with a comment; it becomes editable."""
    text = _need_comment(comment)
    sub = _review(actor, submission, (SubmissionStatus.SUBMITTED,), _("trả lại"))
    return _finish_review(actor, sub, SubmissionStatus.RETURNED, text, "submission.return")


@transaction.atomic
def submission_reopen(*, actor: Any, submission: Submission, comment: str) -> Submission:
    """Unlock an approved report so its unit can correct it (the reason is required)."""
    text = _need_comment(comment)
    sub = _review(actor, submission, (SubmissionStatus.APPROVED,), _("mở lại"))
    return _finish_review(actor, sub, SubmissionStatus.REOPENED, text, "submission.reopen")


# --- pre-aggregated figures ----------------------------------------------------------------


@transaction.atomic
def rollups_rebuild(*, actor: Any, only_if_stale: bool = False) -> dict[str, Any] | None:
    """Recompute the pre-aggregated figures from every stored value (a scheduled job and
    the map import call it); returns what was built, or None when nothing was needed."""
    if only_if_stale and rollups.usable():
        return None
    if actor is not None and not ind_perms.can_manage_metrics(actor):
        raise PermissionDenied(_("Bạn không có quyền quản lý danh mục chỉ tiêu."))
    report = rollups.rebuild()
    audit_event_record(actor=actor, action="rollups.rebuild", after=report)
    return report
