"""Writes of the targets app: plans and tasks, targets, allocations, campaigns.

Invariants:
- Every function here is the only way its rows change: keyword-only, one transaction,
  ``full_clean()``, one ``AuditEvent``; a refused call leaves nothing behind.
- Errors are ``ValidationError`` keyed by the field (imports: by row) with a Vietnamese
  message naming the field and the reason; a missing permission is ``PermissionDenied``.
- An allocation never overwrites history: it adds a version, keeps the earlier ones and
  their shares, and brings the allocated child targets to the new values.
- Shares of a count are whole numbers when the metric counts whole things, and their sum
  is the parent's target (largest remainder); rates and changes are given unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import clean_text, fold
from binhyen.core.uploads import clean_upload
from binhyen.indicators.models import DisaggregationOption, Metric, ValueType
from binhyen.indicators.periods import KIND_RANK, Period, PeriodError, PeriodKind, parse_period
from binhyen.indicators.services import owned_report_form_create
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.targets import permissions, progress
from binhyen.targets.models import (
    Allocation,
    AllocationMethod,
    AllocationShare,
    Campaign,
    CampaignMetric,
    CampaignStatus,
    Comparison,
    Frequency,
    Plan,
    PlanKind,
    PlanTask,
    Target,
    TargetKind,
    TargetSource,
)

PLAN_FIELDS = [
    "orgunit",
    "kind",
    "number",
    "issued_on",
    "title",
    "summary",
    "partners",
    "period_start",
    "period_end",
]
TARGET_FIELDS = [
    "orgunit",
    "name",
    "metric",
    "option",
    "kind",
    "comparison",
    "value",
    "denominator",
    "period",
    "source",
]
CAMPAIGN_FORM_PREFIX = "campaign_"
MAX_CAMPAIGN_DAYS = 366
# Kinds a target may be split to: administrative levels, plus the metric's capture kinds.
ADMIN_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _require(actor: Actor, unit: OrgUnit) -> None:
    if not permissions.can_manage(actor, unit):
        raise PermissionDenied(_("Bạn không có quyền đặt kế hoạch, chỉ tiêu cho đơn vị này."))


def _text(
    value: Any, label: str, field: str, errors: dict[str, Any], *, multiline: bool = False
) -> str:
    try:
        return clean_text(value, label=label, multiline=multiline)
    except ValidationError as exc:
        errors[field] = exc.messages
        return ""


# --- plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanInput:
    kind: str
    number: str
    issued_on: date
    title: str
    period_start: date
    period_end: date
    summary: str = ""
    partners: str = ""


def _plan_errors(data: PlanInput) -> tuple[dict[str, Any], dict[str, Any]]:
    errors: dict[str, Any] = {}
    clean = {
        "number": _text(data.number, _("Số, ký hiệu"), "number", errors),
        "title": _text(data.title, _("Trích yếu"), "title", errors),
        "summary": _text(data.summary, _("Nội dung chính"), "summary", errors, multiline=True),
        "partners": _text(data.partners, _("Cơ quan phối hợp"), "partners", errors),
    }
    if data.kind not in PlanKind.values:
        errors["kind"] = _("Loại văn bản không hợp lệ.")
    if "number" not in errors and not clean["number"]:
        errors["number"] = _("Nhập số, ký hiệu của văn bản.")
    if "title" not in errors and not clean["title"]:
        errors["title"] = _("Nhập trích yếu của văn bản.")
    if data.issued_on and data.issued_on > timezone.localdate():
        errors["issued_on"] = _("Ngày ban hành không được sau hôm nay.")
    if data.period_start and data.period_end and data.period_end < data.period_start:
        errors["period_end"] = _("Ngày kết thúc thực hiện phải sau ngày bắt đầu.")
    if data.kind == PlanKind.COORDINATION and not clean["partners"] and "partners" not in errors:
        errors["partners"] = _("Quy chế phối hợp cần ghi cơ quan phối hợp.")
    return clean, errors


@transaction.atomic
def plan_create(*, actor: Actor, unit: OrgUnit, data: PlanInput, upload: Any = None) -> Plan:
    """Record a plan, resolution, directive or coordination regulation of ``unit``."""
    _require(actor, unit)
    clean, errors = _plan_errors(data)
    cleaned_file = None
    if upload is not None:
        try:
            cleaned_file = clean_upload(upload, field="document")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    _raise(errors)
    plan = Plan(
        orgunit=unit,
        kind=data.kind,
        issued_on=data.issued_on,
        period_start=data.period_start,
        period_end=data.period_end,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **clean,
    )
    plan.title_folded = fold(f"{plan.number} {plan.title}")
    if cleaned_file is not None:
        plan.document = cleaned_file.content
    plan.full_clean()
    plan.save()
    audit_event_record(
        actor=actor,
        action="plan.create",
        obj=plan,
        orgunit=unit,
        after=model_snapshot(plan, PLAN_FIELDS),
    )
    return plan


@transaction.atomic
def plan_update(*, actor: Actor, plan: Plan, data: PlanInput, upload: Any = None) -> Plan:
    """Change a plan's details (and replace its document when a file is sent)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(actor, plan.orgunit)
    before = model_snapshot(plan, PLAN_FIELDS)
    clean, errors = _plan_errors(data)
    cleaned_file = None
    if upload is not None:
        try:
            cleaned_file = clean_upload(upload, field="document")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    outside = plan.targets.exclude(
        period_start__gte=data.period_start, period_end__lte=data.period_end
    ).exists()
    if outside:
        errors["period_start"] = _("Kế hoạch đã có chỉ tiêu ngoài thời gian mới.")
    _raise(errors)
    for name, value in clean.items():
        setattr(plan, name, value)
    plan.kind, plan.issued_on = data.kind, data.issued_on
    plan.period_start, plan.period_end = data.period_start, data.period_end
    plan.title_folded = fold(f"{plan.number} {plan.title}")
    if cleaned_file is not None:
        plan.document = cleaned_file.content
    plan.full_clean()
    plan.save()
    audit_event_record(
        actor=actor,
        action="plan.update",
        obj=plan,
        orgunit=plan.orgunit,
        before=before,
        after=model_snapshot(plan, PLAN_FIELDS),
    )
    return plan


@transaction.atomic
def plan_task_add(
    *,
    actor: Actor,
    plan: Plan,
    description: str,
    assignee: str,
    due_on: date,
    progress: int = 0,
    note: str = "",
) -> PlanTask:
    """Add a task (who, what, by when) to a plan."""
    _require(actor, plan.orgunit)
    errors: dict[str, Any] = {}
    task = PlanTask(
        plan=plan,
        description=_text(description, _("Nội dung công việc"), "description", errors),
        assignee=_text(assignee, _("Đơn vị, người thực hiện"), "assignee", errors),
        due_on=due_on,
        progress=progress,
        note=_text(note, _("Ghi chú"), "note", errors),
    )
    if "description" not in errors and not task.description:
        errors["description"] = _("Nhập nội dung công việc.")
    if "assignee" not in errors and not task.assignee:
        errors["assignee"] = _("Nhập đơn vị, người thực hiện.")
    if not 0 <= progress <= 100:
        errors["progress"] = _("Tiến độ phải từ 0 đến 100 %.")
    _raise(errors)
    task.full_clean()
    task.save()
    audit_event_record(
        actor=actor,
        action="plan_task.create",
        obj=task,
        orgunit=plan.orgunit,
        after=model_snapshot(task, ["description", "assignee", "due_on", "progress"]),
    )
    return task


@transaction.atomic
def plan_task_update(*, actor: Actor, task: PlanTask, progress: int, note: str = "") -> PlanTask:
    """Report how far a task has come (0–100 %)."""
    task = PlanTask.objects.select_for_update().select_related("plan__orgunit").get(pk=task.pk)
    _require(actor, task.plan.orgunit)
    errors: dict[str, Any] = {}
    before = model_snapshot(task, ["progress", "note"])
    task.note = _text(note, _("Ghi chú"), "note", errors)
    if not 0 <= progress <= 100:
        errors["progress"] = _("Tiến độ phải từ 0 đến 100 %.")
    _raise(errors)
    task.progress = progress
    task.full_clean()
    task.save()
    audit_event_record(
        actor=actor,
        action="plan_task.update",
        obj=task,
        orgunit=task.plan.orgunit,
        before=before,
        after=model_snapshot(task, ["progress", "note"]),
    )
    return task


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
                "a": data.plan.period_start.strftime("%d/%m/%Y"),
                "b": data.plan.period_end.strftime("%d/%m/%Y"),
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


# --- allocations ---------------------------------------------------------------------------


def allocation_children(target: Target) -> list[OrgUnit]:
    """Return the current units directly below the target's unit that can carry it."""
    kinds = set(ADMIN_KINDS) | set(target.metric.capture_kinds or [])
    return list(
        OrgUnit.objects.current()
        .filter(parent_id=target.orgunit_id, kind__in=kinds)
        .order_by("name_folded", "code")
    )


def split(total: float, weights: Mapping[int, float], whole: bool) -> dict[int, float]:
    """Split ``total`` by ``weights``; whole shares by largest remainder sum to ``total``."""
    mass = sum(weights.values())
    if mass <= 0:
        return {}
    raw = {k: total * w / mass for k, w in weights.items()}
    if not whole:
        return {k: round(v, 4) for k, v in raw.items()}
    floors = {k: math.floor(v) for k, v in raw.items()}
    left = round(total) - sum(floors.values())
    order = sorted(raw, key=lambda k: (-(raw[k] - floors[k]), -weights[k], k))
    for k in order[: max(left, 0)]:
        floors[k] += 1
    return {k: float(v) for k, v in floors.items()}


def _weights(target: Target, method: str, children: Sequence[OrgUnit]) -> dict[int, float]:
    if method == AllocationMethod.EQUAL:
        return {c.pk: 1.0 for c in children}
    if method == AllocationMethod.POPULATION:
        weights = {c.pk: float(c.population or 0) for c in children}
        if not any(weights.values()):
            raise ValidationError(
                {"method": _("Các đơn vị cấp dưới chưa có số dân, không phân bổ theo dân số được.")}
            )
        return weights
    if method == AllocationMethod.HOUSEHOLDS:
        weights = {c.pk: float(c.households or 0) for c in children}
        if not any(weights.values()):
            raise ValidationError(
                {"method": _("Các đơn vị cấp dưới chưa có số hộ, không phân bổ theo số hộ được.")}
            )
        return weights
    # last year's actual: the same kind of target a year earlier, per child, from the engine.
    last = parse_period(target.period).same_period_last_year()
    probes = [
        Target(
            orgunit=c,
            metric=target.metric,
            option=target.option,
            kind=target.kind,
            comparison=target.comparison,
            value=0.0,
            period=last.code,
            period_start=last.start,
            period_end=last.end,
        )
        for c in children
    ]
    found = progress.evaluate(probes, today=timezone.localdate())
    weights = {p.target.orgunit.pk: max(p.actual or 0.0, 0.0) for p in found}
    if not any(weights.values()):
        raise ValidationError(
            {
                "method": _(
                    "Năm trước các đơn vị cấp dưới chưa có kết quả, không phân bổ theo "
                    "kết quả năm trước được."
                )
            }
        )
    return weights


@transaction.atomic
def allocation_create(
    *,
    actor: Actor,
    target: Target,
    method: str,
    shares: Mapping[str, Any] | None = None,
    note: str = "",
) -> Allocation:
    """Split ``target`` among its unit's children as a new version of its allocation.

    ``shares`` (unit code → value) is required for ``manual`` and ``sheet`` and refused
    otherwise. A count is split by the method's weights; a rate or change is given to each
    child unchanged (only ``equal``).
    """
    target = (
        Target.objects.select_for_update().select_related("orgunit", "metric").get(pk=target.pk)
    )
    _require(actor, target.orgunit)
    errors: dict[str, Any] = {}
    clean_note = _text(note, _("Ghi chú"), "note", errors)
    if method not in AllocationMethod.values:
        errors["method"] = _("Cách phân bổ không hợp lệ.")
    _raise(errors)
    children = allocation_children(target)
    if not children:
        raise ValidationError({"method": _("Đơn vị không có đơn vị cấp dưới để phân bổ.")})
    by_code = {c.code: c for c in children}
    values: dict[int, float] = {}
    if method in (AllocationMethod.MANUAL, AllocationMethod.SHEET):
        if not shares:
            raise ValidationError({"shares": _("Nhập mức giao cho ít nhất một đơn vị.")})
        problems: list[str] = []
        for code, raw in shares.items():
            child = by_code.get(str(code).strip())
            if child is None:
                problems.append(
                    _("Đơn vị %(code)s không phải đơn vị cấp dưới trực tiếp của %(unit)s.")
                    % {"code": code, "unit": target.orgunit.name}
                )
                continue
            try:
                number = parse_value(raw)
            except ValidationError as exc:
                problems.append(f"{code}: {' '.join(exc.messages)}")
                continue
            if number < 0:
                problems.append(_("%(code)s: mức giao không được âm.") % {"code": code})
                continue
            values[child.pk] = number
        if problems:
            raise ValidationError({"shares": problems})
    elif target.kind in (TargetKind.RATE, TargetKind.CHANGE):
        if method != AllocationMethod.EQUAL:
            raise ValidationError(
                {
                    "method": _(
                        "Chỉ tiêu tỷ lệ hoặc mức thay đổi chỉ giao nguyên mức cho từng "
                        "đơn vị (chọn “Chia đều”)."
                    )
                }
            )
        values = {c.pk: target.value for c in children}
    else:
        whole = target.metric.value_type == ValueType.INTEGER
        values = split(target.value, _weights(target, method, children), whole)
    previous = target.allocations.filter(is_current=True).first()
    version = (target.allocations.aggregate(n=Max("version"))["n"] or 0) + 1
    target.allocations.filter(is_current=True).update(is_current=False)
    allocation = Allocation(
        target=target,
        version=version,
        method=method,
        is_current=True,
        note=clean_note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    allocation.full_clean()
    allocation.save()
    AllocationShare.objects.bulk_create(
        [AllocationShare(allocation=allocation, orgunit_id=k, value=v) for k, v in values.items()]
    )
    _apply_shares(actor, target, values)
    by_id = {c.pk: c.code for c in children}
    audit_event_record(
        actor=actor,
        action="allocation.create",
        obj=allocation,
        orgunit=target.orgunit,
        before=(
            {
                "version": previous.version,
                "shares": {
                    s.orgunit.code: s.value for s in previous.shares.select_related("orgunit")
                },
            }
            if previous is not None
            else None
        ),
        after={
            "version": version,
            "method": method,
            "shares": {by_id[k]: v for k, v in values.items()},
        },
    )
    return allocation


def _apply_shares(actor: Actor, target: Target, values: Mapping[int, float]) -> None:
    existing = {t.orgunit_id: t for t in Target.objects.filter(parent=target)}
    for unit_id, value in values.items():
        child = existing.pop(unit_id, None)
        if child is None:
            child = Target(
                orgunit_id=unit_id,
                parent=target,
                source=TargetSource.ALLOCATED,
                plan=None,
                name=target.name,
                name_folded=target.name_folded,
                metric=target.metric,
                option=target.option,
                kind=target.kind,
                comparison=target.comparison,
                denominator=target.denominator,
                denominator_option=target.denominator_option,
                period=target.period,
                period_start=target.period_start,
                period_end=target.period_end,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        child.value = value
        child.full_clean(validate_unique=False)
        child.save()
    for child in existing.values():
        # A child left out of the new version keeps no allocated target unless it split it.
        if child.allocations.exists():
            child.value = 0.0
            child.save(update_fields=["value", "updated_at"])
        else:
            child.delete()


# --- hotspot transformation targets --------------------------------------------------------


@transaction.atomic
def hotspot_targets_seed(
    *, actor: Actor, province: OrgUnit, year: int, defaults: Mapping[str, float]
) -> list[Target]:
    """Give ``province`` its hotspot transformation targets for ``year`` when it has none.

    ``defaults`` carries ``removed_pct`` (share of the year's list transformed) and
    ``relapsed_pct`` (largest share of transformed areas that relapse); the selectors read
    them from the hotspots app, whose figures are today's settings.
    """
    _require(actor, province)
    if province.kind != UnitKind.PROVINCE:
        raise ValidationError(
            {"unit": _("Chỉ tiêu chuyển hóa địa bàn trọng điểm đặt cho cấp tỉnh.")}
        )
    metrics = {
        m.code: m
        for m in Metric.objects.filter(
            code__in=["hotspots_designated", "hotspots_removed", "hotspots_relapsed"],
            is_active=True,
        )
    }
    if len(metrics) < 3:
        raise ValidationError(_("Danh mục chưa có số liệu về địa bàn trọng điểm."))
    option = "transformation" if metrics["hotspots_removed"].disaggregation_id else ""
    specs = [
        (
            metrics["hotspots_removed"],
            metrics["hotspots_designated"],
            Comparison.AT_LEAST,
            defaults["removed_pct"],
            _("Chuyển hóa địa bàn trọng điểm, phức tạp về TTATXH"),
        ),
        (
            metrics["hotspots_relapsed"],
            metrics["hotspots_removed"],
            Comparison.AT_MOST,
            defaults["relapsed_pct"],
            _("Địa bàn đã chuyển hóa không phức tạp trở lại"),
        ),
    ]
    made: list[Target] = []
    for numerator, denominator, comparison, value, name in specs:
        period = Period(PeriodKind.YEAR, year)
        if Target.objects.filter(
            orgunit=province,
            metric=numerator,
            option=option,
            period=period.code,
            kind=TargetKind.RATE,
            source=TargetSource.OWN,
        ).exists():
            continue
        made.append(
            target_create(
                actor=actor,
                unit=province,
                data=TargetInput(
                    metric=numerator,
                    kind=TargetKind.RATE,
                    value=value,
                    period=period.code,
                    comparison=comparison,
                    name=str(name),
                    option=option,
                    denominator=denominator,
                    denominator_option=option,
                ),
            )
        )
    return made


# --- campaigns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignInput:
    name: str
    start: date
    end: date
    frequency: str
    units: Sequence[OrgUnit]
    tracked: Sequence[tuple[Metric, Any]]
    plan: Plan | None = None


def campaign_periods(campaign: Campaign) -> list[Period]:
    """Return the campaign's reporting periods: the days or ISO weeks it overlaps."""
    from binhyen.indicators.periods import periods_in

    return periods_in(campaign.frequency, campaign.start, campaign.end)


@transaction.atomic
def campaign_create(*, actor: Actor, unit: OrgUnit, data: CampaignInput) -> Campaign:
    """Open a peak campaign of ``unit`` with its own report form for its periods."""
    _require(actor, unit)
    errors: dict[str, Any] = {}
    name = _text(data.name, _("Tên đợt"), "name", errors)
    if not name and "name" not in errors:
        errors["name"] = _("Nhập tên đợt cao điểm.")
    if data.frequency not in Frequency.values:
        errors["frequency"] = _("Tần suất báo cáo chỉ nhận hằng ngày hoặc hằng tuần.")
    if data.end < data.start:
        errors["end"] = _("Ngày kết thúc phải sau ngày bắt đầu.")
    elif (data.end - data.start).days >= MAX_CAMPAIGN_DAYS:
        errors["end"] = _("Một đợt cao điểm không dài quá một năm.")
    if data.plan is not None and data.plan.orgunit_id != unit.pk:
        errors["plan"] = _("Kế hoạch không phải của đơn vị này.")
    units = list({u.pk: u for u in data.units}.values())
    if not units:
        errors["units"] = _("Chọn ít nhất một đơn vị tham gia.")
    outside = [u.code for u in units if not u.path.startswith(unit.path) or u.valid_to]
    if outside:
        errors["units"] = _("Đơn vị không thuộc địa bàn của %(unit)s: %(codes)s.") % {
            "unit": unit.name,
            "codes": ", ".join(outside),
        }
    tracked: list[tuple[Metric, float]] = []
    problems: list[str] = []
    for metric, raw in data.tracked:
        try:
            number = parse_value(raw)
        except ValidationError as exc:
            problems.append(f"{metric.code}: {' '.join(exc.messages)}")
            continue
        if number < 0:
            problems.append(_("%(m)s: chỉ tiêu không được âm.") % {"m": metric.code})
        elif metric.period_kind != data.frequency:
            problems.append(
                _("%(m)s: số liệu thu thập theo %(kind)s, không báo cáo %(freq)s được.")
                % {
                    "m": metric.code,
                    "kind": PeriodKind(metric.period_kind).label.lower(),
                    "freq": str(Frequency(data.frequency).label).lower()
                    if data.frequency in Frequency.values
                    else data.frequency,
                }
            )
        else:
            tracked.append((metric, number))
    if problems:
        errors["tracked"] = problems
    elif not tracked:
        errors["tracked"] = _("Chọn ít nhất một số liệu theo dõi và chỉ tiêu của đợt.")
    elif len({m.pk for m, _v in tracked}) != len(tracked):
        errors["tracked"] = _("Mỗi số liệu chỉ chọn một lần.")
    if "units" not in errors and not errors.get("tracked"):
        kinds = {u.kind for u in units}
        wrong = [m.code for m, _v in tracked if not kinds <= set(m.capture_kinds or [])]
        if wrong:
            errors["tracked"] = _("Số liệu không nhập ở cấp của đơn vị tham gia: %(c)s.") % {
                "c": ", ".join(wrong)
            }
    _raise(errors)
    campaign = Campaign(
        orgunit=unit,
        name=name,
        name_folded=fold(name),
        plan=data.plan,
        start=data.start,
        end=data.end,
        frequency=data.frequency,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.full_clean()
    campaign.save()
    campaign.units.set(units)
    CampaignMetric.objects.bulk_create(
        [
            CampaignMetric(campaign=campaign, metric=m, target=v, sort_order=i)
            for i, (m, v) in enumerate(tracked)
        ]
    )
    campaign.form = owned_report_form_create(
        actor=actor,
        code=campaign.form_code,
        name=(_("Báo cáo đợt: %(name)s") % {"name": name})[:200],
        period_kind=data.frequency,
        submitting_kinds=sorted({u.kind for u in units}),
        metrics=[m for m, _v in tracked],
        description=_("Biểu mẫu của đợt cao điểm, chỉ nhận các kỳ trong đợt."),
    )
    campaign.save(update_fields=["form", "updated_at"])
    audit_event_record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        orgunit=unit,
        after={
            "name": name,
            "start": data.start,
            "end": data.end,
            "frequency": data.frequency,
            "units": [u.code for u in units],
            "tracked": {m.code: v for m, v in tracked},
        },
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: Actor, campaign: Campaign, summary: Mapping[str, Any]) -> Campaign:
    """Close a campaign and keep its summary (figures against targets, best and lagging)."""
    campaign = Campaign.objects.select_for_update().select_related("orgunit").get(pk=campaign.pk)
    _require(actor, campaign.orgunit)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError({"status": _("Đợt đã kết thúc.")})
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.summary = dict(summary)
    campaign.full_clean()
    campaign.save()
    audit_event_record(
        actor=actor,
        action="campaign.close",
        obj=campaign,
        orgunit=campaign.orgunit,
        after={"status": campaign.status},
    )
    return campaign


# --- imports -------------------------------------------------------------------------------


@transaction.atomic
def targets_import(*, actor: Actor, unit: OrgUnit, rows: Sequence[Any]) -> list[Target]:
    """Create the unit's targets from parsed sheet rows, all or nothing (errors per row)."""
    from binhyen.core.tabular import BulkValidationError, RowError

    _require(actor, unit)
    errors: list[RowError] = []
    created: list[Target] = []
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        key = (row.metric_code, row.option, row.period, row.kind)
        if key in seen:
            errors.append(
                RowError(
                    row.row,
                    "metric",
                    _("Dòng %(row)s: chỉ tiêu lặp lại dòng trên.") % {"row": row.row},
                )
            )
            continue
        seen.add(key)
        data = TargetInput(
            metric=row.metric,
            kind=row.kind,
            value=row.value,
            period=row.period,
            comparison=row.comparison or Comparison.AT_LEAST,
            name=row.name,
            option=row.option,
            denominator=row.denominator,
        )
        try:
            with transaction.atomic():
                created.append(target_create(actor=actor, unit=unit, data=data))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    errors.append(
                        RowError(
                            row.row,
                            name,
                            _("Dòng %(row)s: %(message)s") % {"row": row.row, "message": message},
                        )
                    )
    if errors:
        raise BulkValidationError(errors)
    return created


@transaction.atomic
def allocation_import(
    *, actor: Actor, target: Target, shares: Mapping[str, tuple[int, Any]], note: str = ""
) -> Allocation:
    """Allocate ``target`` from a sheet ({unit code: (row, share)}), all or nothing."""
    from binhyen.core.tabular import BulkValidationError, RowError

    _require(actor, target.orgunit)
    children = {c.code for c in allocation_children(target)}
    errors: list[RowError] = []
    for code, (row, raw) in shares.items():
        if code not in children:
            errors.append(
                RowError(
                    row,
                    "unit",
                    _(
                        "Dòng %(row)s: đơn vị %(code)s không phải đơn vị cấp dưới trực tiếp "
                        "của %(unit)s."
                    )
                    % {"row": row, "code": code, "unit": target.orgunit.name},
                )
            )
            continue
        try:
            number = parse_value(raw)
        except ValidationError as exc:
            errors.append(
                RowError(
                    row,
                    "value",
                    _("Dòng %(row)s: %(message)s")
                    % {"row": row, "message": " ".join(exc.messages)},
                )
            )
            continue
        if number < 0:
            errors.append(
                RowError(row, "value", _("Dòng %(row)s: mức giao không được âm.") % {"row": row})
            )
    if errors:
        raise BulkValidationError(errors)
    return allocation_create(
        actor=actor,
        target=target,
        method=AllocationMethod.SHEET,
        shares={code: raw for code, (_row, raw) in shares.items()},
        note=note,
    )
