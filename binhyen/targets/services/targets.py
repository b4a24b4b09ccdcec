"""Targets on any metric of the catalogue: checked values, periods and denominators.

Part of ``binhyen.targets.services`` (its docstring states the invariants).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.formats import format_date
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import fold
from binhyen.indicators.models import DisaggregationOption, Metric, ValueType
from binhyen.indicators.periods import KIND_RANK, Period, PeriodError, PeriodKind, parse_period
from binhyen.orgunits.models import OrgUnit
from binhyen.targets.models import (
    Comparison,
    Plan,
    Target,
    TargetKind,
    TargetSource,
)
from binhyen.targets.services.common import TARGET_FIELDS, _raise, _require, _text

# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetInput:
    metric: Metric | None
    kind: str
    value: Any
    period: str
    comparison: str = Comparison.AT_LEAST
    name: str = ""
    option: str = ""
    denominator: Metric | None = None
    denominator_option: str = ""
    plan: Plan | None = None


def parse_value(raw: Any, field: str = "value") -> float:
    """Return ``raw`` as a finite number or raise naming ``field`` ("8,5" is accepted)."""
    if isinstance(raw, bool):
        raise ValidationError({field: _("Mức chỉ tiêu phải là một số.")})
    if isinstance(raw, (int, float)):
        number = float(raw)
    else:
        text = str(raw or "").strip().replace(" ", "")
        if not text:
            raise ValidationError({field: _("Nhập mức chỉ tiêu.")})
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(
                {field: _("Mức chỉ tiêu “%(raw)s” không phải là một số.") % {"raw": str(raw)[:40]}}
            ) from None
    if not math.isfinite(number):
        raise ValidationError({field: _("Mức chỉ tiêu phải là một số hữu hạn.")})
    return number


def _option_ok(metric: Metric, option: str) -> bool:
    if not option:
        return True
    if metric.disaggregation_id is None:
        return False
    return DisaggregationOption.objects.filter(
        disaggregation_id=metric.disaggregation_id, code=option
    ).exists()


def check_target(unit: OrgUnit, data: TargetInput) -> tuple[float, Period]:
    """Return the parsed value and period of a target, or raise naming each bad field."""
    errors: dict[str, Any] = {}
    metric = data.metric
    value: float | None = None
    period: Period | None = None
    try:
        value = parse_value(data.value)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        period = parse_period(str(data.period or ""))
    except PeriodError as exc:
        errors["period"] = str(exc)
    if data.kind not in TargetKind.values:
        errors["kind"] = _("Loại chỉ tiêu không hợp lệ.")
    if data.comparison not in Comparison.values:
        errors["comparison"] = _("Cách so sánh không hợp lệ.")
    if metric is None or not metric.is_active:
        errors["metric"] = _("Chọn một số liệu đang dùng trong danh mục.")
    else:
        if not _option_ok(metric, data.option):
            errors["option"] = _("Nhóm phân tổ “%(o)s” không thuộc số liệu “%(m)s”.") % {
                "o": data.option,
                "m": metric.code,
            }
        if data.kind == TargetKind.RATE:
            if data.denominator is None:
                errors["denominator"] = _(
                    "Chỉ tiêu tỷ lệ cần mẫu số: số liệu “%(m)s” không có mẫu số, hãy chọn "
                    "số liệu làm mẫu số (trường “mẫu số”)."
                ) % {"m": metric.code}
            elif not data.denominator.is_active:
                errors["denominator"] = _("Mẫu số phải là một số liệu đang dùng.")
            elif not _option_ok(data.denominator, data.denominator_option):
                errors["denominator_option"] = _("Nhóm phân tổ của mẫu số không hợp lệ.")
        elif data.denominator is not None:
            errors["denominator"] = _("Chỉ chỉ tiêu tỷ lệ mới có mẫu số.")
        if period is not None and KIND_RANK[period.kind] < KIND_RANK[metric.period_kind]:
            errors["period"] = _(
                "Số liệu “%(m)s” thu thập theo %(kind)s, không đặt chỉ tiêu cho kỳ ngắn hơn."
            ) % {"m": metric.code, "kind": PeriodKind(metric.period_kind).label.lower()}
        if value is not None and "value" not in errors:
            if data.kind in (TargetKind.COUNT, TargetKind.INCREASE):
                if value < 0:
                    errors["value"] = _("Mức chỉ tiêu không được âm.")
                elif metric.value_type == ValueType.INTEGER and value != int(value):
                    errors["value"] = _(
                        "Số liệu “%(m)s” đếm theo số nguyên: mức chỉ tiêu phải là số nguyên."
                    ) % {"m": metric.code}
            elif data.kind == TargetKind.RATE and not 0 <= value <= 100:
                errors["value"] = _("Tỷ lệ phải từ 0 đến 100 %.")
            elif data.kind == TargetKind.CHANGE and not -100 <= value <= 1000:
                errors["value"] = _("Mức thay đổi phải từ −100 % đến 1000 %.")
    if data.plan is not None and period is not None:
        if data.plan.orgunit_id != unit.pk:
            errors["plan"] = _("Kế hoạch không phải của đơn vị này.")
        elif period.start < data.plan.period_start or period.end > data.plan.period_end:
            errors["period"] = _("Kỳ %(p)s nằm ngoài thời gian của kế hoạch (%(a)s – %(b)s).") % {
                "p": period.code,
                "a": format_date(data.plan.period_start),
                "b": format_date(data.plan.period_end),
            }
    _raise(errors)
    if value is None or period is None:
        raise ValidationError({"value": _("Nhập mức chỉ tiêu.")})
    return value, period


def _target_name(data: TargetInput, errors: dict[str, Any]) -> str:
    name = _text(data.name, _("Tên chỉ tiêu"), "name", errors)
    if not name and data.metric is not None:
        name = data.metric.name
    return name[:300]


@transaction.atomic
def target_create(*, actor: Actor, unit: OrgUnit, data: TargetInput) -> Target:
    """Set a target of ``unit`` (its own, above anything allocated from above)."""
    _require(actor, unit)
    errors: dict[str, Any] = {}
    name = _target_name(data, errors)
    _raise(errors)
    value, period = check_target(unit, data)
    if data.metric is None:
        raise ValidationError({"metric": _("Chọn một số liệu đang dùng trong danh mục.")})
    duplicate = Target.objects.filter(
        orgunit=unit,
        metric=data.metric,
        option=data.option,
        period=period.code,
        kind=data.kind,
        source=TargetSource.OWN,
    ).exists()
    if duplicate:
        raise ValidationError(
            {
                "metric": _("Đơn vị đã có chỉ tiêu này cho kỳ %(p)s; hãy sửa chỉ tiêu đó.")
                % {"p": period.code}
            }
        )
    target = Target(
        orgunit=unit,
        plan=data.plan,
        name=name,
        name_folded=fold(name),
        metric=data.metric,
        option=data.option,
        kind=data.kind,
        comparison=data.comparison,
        value=value,
        denominator=data.denominator,
        denominator_option=data.denominator_option,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
        source=TargetSource.OWN,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    target.full_clean()
    target.save()
    audit_event_record(
        actor=actor,
        action="target.create",
        obj=target,
        orgunit=unit,
        after=model_snapshot(target, TARGET_FIELDS),
    )
    return target


@transaction.atomic
def target_update(*, actor: Actor, target: Target, value: Any, name: str = "") -> Target:
    """Change the level (and name) of the unit's own target."""
    target = (
        Target.objects.select_for_update().select_related("orgunit", "metric").get(pk=target.pk)
    )
    _require(actor, target.orgunit)
    if target.source != TargetSource.OWN:
        raise ValidationError(
            {"value": _("Chỉ tiêu do cấp trên giao chỉ thay đổi khi cấp trên phân bổ lại.")}
        )
    before = model_snapshot(target, TARGET_FIELDS)
    errors: dict[str, Any] = {}
    data = TargetInput(
        metric=target.metric,
        kind=target.kind,
        value=value,
        period=target.period,
        comparison=target.comparison,
        name=name or target.name,
        option=target.option,
        denominator=target.denominator,
        denominator_option=target.denominator_option,
        plan=target.plan,
    )
    target.name = _target_name(data, errors)
    _raise(errors)
    target.value, _period = check_target(target.orgunit, data)
    target.name_folded = fold(target.name)
    target.full_clean()
    target.save()
    audit_event_record(
        actor=actor,
        action="target.update",
        obj=target,
        orgunit=target.orgunit,
        before=before,
        after=model_snapshot(target, TARGET_FIELDS),
    )
    return target


@transaction.atomic
def target_delete(*, actor: Actor, target: Target) -> None:
    """Delete the unit's own target; one that was allocated further must be kept."""
    target = Target.objects.select_for_update().select_related("orgunit").get(pk=target.pk)
    _require(actor, target.orgunit)
    if target.source != TargetSource.OWN:
        raise ValidationError(_("Chỉ tiêu do cấp trên giao không xóa được ở cấp dưới."))
    if target.allocations.exists():
        raise ValidationError(_("Chỉ tiêu đã phân bổ cho đơn vị cấp dưới, không xóa được."))
    before = model_snapshot(target, TARGET_FIELDS)
    audit_event_record(
        actor=actor, action="target.delete", obj=target, orgunit=target.orgunit, before=before
    )
    target.delete()
