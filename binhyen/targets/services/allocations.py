"""Allocations of a target to the units below: versioned, audited, whole shares for counts.

Part of ``binhyen.targets.services`` (its docstring states the invariants).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.indicators.models import ValueType
from binhyen.indicators.periods import parse_period
from binhyen.orgunits.models import OrgUnit
from binhyen.targets import progress
from binhyen.targets.models import (
    Allocation,
    AllocationMethod,
    AllocationShare,
    Target,
    TargetKind,
    TargetSource,
)
from binhyen.targets.services.common import ADMIN_KINDS, _raise, _require, _text
from binhyen.targets.services.targets import parse_value

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
