"""Writes of the catalogue: metrics, report forms, validation rules (``MANAGE_METRICS`` only).

Invariant: a metric's code, kind of period, disaggregation and way of counting (quantity or
distinct things), and a form's code and kind of period, are fixed once data or reports exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators.models import (
    DataItem,
    DataValue,
    Metric,
    ReportForm,
    ReportFormMetric,
    RuleSeverity,
    Submission,
    ValidationRule,
)
from binhyen.indicators.owners import form_owners

METRIC_FIELDS = [
    "code",
    "name",
    "name_en",
    "description",
    "unit_of_measure",
    "value_type",
    "aggregation",
    "counting",
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


def _require_manager(actor: Actor) -> None:
    if not ind_perms.can_manage_metrics(actor):
        raise PermissionDenied(_("Bạn không có quyền quản lý danh mục chỉ tiêu."))


@transaction.atomic
def metric_create(*, actor: Actor, **fields: Any) -> Metric:
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
def metric_update(*, actor: Actor, metric: Metric, **fields: Any) -> Metric:
    """Change a metric; its code, kind of period, disaggregation and way of counting are fixed
    once it has data.

    Counting is refused rather than rebuilt: a quantity's values do not say which things they
    counted (a distinct metric needs its provider's items) and a distinct metric's per-unit
    numbers cannot be summed into quantities without counting things twice, so no rebuild of
    the figures could make the stored data right. A new metric is the honest change.
    """
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
    if (
        "counting" in fields
        and fields["counting"] != metric.counting
        and (
            DataValue.objects.filter(metric=metric).exists()
            or DataItem.objects.filter(metric=metric).exists()
        )
    ):
        raise ValidationError(
            {
                "counting": _(
                    "Không thể đổi cách đếm khi chỉ tiêu đã có số liệu: số liệu đã lưu không "
                    "đổi được giữa đếm số lượng và đếm số đối tượng; hãy tạo chỉ tiêu mới."
                )
            }
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
    actor: Actor,
    code: str,
    name: str,
    period_kind: str,
    submitting_kinds: list[str],
    metrics: Sequence[Metric],
    deadline_month_offset: int = 1,
    deadline_day: int = 16,
    description: str = "",
    is_active: bool = True,
    name_en: str = "",
) -> ReportForm:
    """Create a periodic report form; every metric must be captured with the form's period."""
    _require_manager(actor)
    form = ReportForm(
        code=code,
        name=name,
        name_en=name_en,
        period_kind=period_kind,
        submitting_kinds=submitting_kinds,
        deadline_month_offset=deadline_month_offset,
        deadline_day=deadline_day,
        description=description,
        is_active=is_active,
    )
    return _report_form_save(actor=actor, form=form, metrics=metrics, after={})


def _report_form_save(
    *, actor: Actor, form: ReportForm, metrics: Sequence[Metric], after: dict[str, Any]
) -> ReportForm:
    """Check, save and audit a new report form with its metrics in order."""
    form.full_clean()
    _check_form_metrics(metrics, form.period_kind)
    form.save()
    ReportFormMetric.objects.bulk_create(
        [ReportFormMetric(form=form, metric=m, sort_order=i) for i, m in enumerate(metrics)]
    )
    audit_event_record(
        actor=actor,
        action="report_form.create",
        obj=form,
        after={"code": form.code, "metrics": [m.code for m in metrics], **after},
    )
    return form


@transaction.atomic
def owned_report_form_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    period_kind: str,
    submitting_kinds: list[str],
    metrics: Sequence[Metric],
    name_en: str = "",
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
        name_en=name_en[:200],
        period_kind=period_kind,
        submitting_kinds=submitting_kinds,
        deadline_month_offset=deadline_month_offset,
        deadline_day=deadline_day,
        description=description,
        is_active=True,
    )
    return _report_form_save(actor=actor, form=form, metrics=metrics, after={"owner": owner.prefix})


@transaction.atomic
def validation_rule_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    left_metric: Metric,
    operator: str,
    right_metric: Metric,
    severity: str = RuleSeverity.ERROR,
    is_active: bool = True,
    name_en: str = "",
) -> ValidationRule:
    _require_manager(actor)
    rule = ValidationRule(
        code=code,
        name=name,
        name_en=name_en,
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
    "name_en",
    "description",
    "period_kind",
    "submitting_kinds",
    "deadline_month_offset",
    "deadline_day",
    "is_active",
]


RULE_FIELDS = [
    "code",
    "name",
    "name_en",
    "left_metric",
    "operator",
    "right_metric",
    "severity",
    "is_active",
]


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
    actor: Actor,
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
def validation_rule_update(*, actor: Actor, rule: ValidationRule, **fields: Any) -> ValidationRule:
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
