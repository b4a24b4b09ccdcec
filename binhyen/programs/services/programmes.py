"""Writes of programmes: create, change, adopt a national programme for a province.

Invariant: a programme's result metrics are provider metrics of this app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.indicators.models import Metric, MetricSource
from binhyen.orgunits.models import OrgUnit
from binhyen.programs import permissions as prog_perms
from binhyen.programs.models import (
    CriteriaSet,
    Criterion,
    Program,
)
from binhyen.programs.providers import PROVIDER_KEY
from binhyen.programs.services.common import CRITERION_FIELDS, PROGRAM_FIELDS, _require


def active_metric_codes() -> set[str]:
    return set(Metric.objects.filter(is_active=True).values_list("code", flat=True))


def _check_result_metrics(program: Program) -> None:
    errors: dict[str, str] = {}
    for name in ("enrolled_metric", "recognised_metric"):
        code = getattr(program, name)
        if not code:
            continue
        metric = Metric.objects.filter(code=code).first()
        if metric is None:
            errors[name] = _("Chỉ tiêu “%(code)s” không tồn tại.") % {"code": code}
        elif metric.source != MetricSource.PROVIDER or metric.provider_key != PROVIDER_KEY:
            errors[name] = _(
                "Chỉ tiêu “%(code)s” không do chương trình tính (cần bộ tính %(key)s)."
            ) % {"code": code, "key": PROVIDER_KEY}
        elif metric.period_kind != program.period_kind:
            errors[name] = _(
                "Chỉ tiêu “%(code)s” có kỳ %(metric)s, khác kỳ đánh giá của chương trình."
            ) % {"code": code, "metric": metric.get_period_kind_display()}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def program_create(
    *,
    actor: Actor,
    owner: OrgUnit | None,
    fields: Mapping[str, Any],
    groups: Sequence[str] = (),
) -> Program:
    """Create a programme owned by ``owner`` (None: national) with an empty draft set v1."""
    _require(prog_perms.can_manage_owner(actor, owner))
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Trường không được phép sửa.")})
    program = Program(owner=owner, **fields)
    program.full_clean()
    _check_result_metrics(program)
    program.save()
    criteria_set = CriteriaSet(program=program, version=1, groups=list(groups))
    criteria_set.full_clean()
    criteria_set.save()
    audit_event_record(
        actor=actor,
        action="program.create",
        obj=program,
        orgunit=owner,
        after=model_snapshot(program, PROGRAM_FIELDS),
    )
    return program


@transaction.atomic
def program_update(*, actor: Actor, program: Program, fields: Mapping[str, Any]) -> Program:
    """Change a programme's settings (not its criteria: those live in versioned sets)."""
    _require(prog_perms.can_manage(actor, program))
    unknown = set(fields) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Trường không được phép sửa.")})
    program = Program.objects.select_for_update().get(pk=program.pk)
    before = model_snapshot(program, PROGRAM_FIELDS)
    if (
        "period_kind" in fields
        and fields["period_kind"] != program.period_kind
        and program.enrollments.exists()
    ):
        raise ValidationError(
            {"period_kind": _("Không đổi được kỳ đánh giá khi đã có đơn vị đăng ký.")}
        )
    for name, value in fields.items():
        setattr(program, name, value)
    program.full_clean()
    _check_result_metrics(program)
    program.save()
    audit_event_record(
        actor=actor,
        action="program.update",
        obj=program,
        orgunit=program.owner,
        before=before,
        after=model_snapshot(program, PROGRAM_FIELDS),
    )
    return program


def _copy_set(source: CriteriaSet, program: Program, version: int) -> CriteriaSet:
    copy = CriteriaSet(
        program=program,
        version=version,
        note=source.note,
        groups=list(source.groups),
        min_optional_met=source.min_optional_met,
        min_points=source.min_points,
        levels=list(source.levels),
        caps=list(source.caps),
        based_on=source,
    )
    copy.full_clean()
    copy.save()
    Criterion.objects.bulk_create(
        [
            Criterion(
                criteria_set=copy,
                **{name: getattr(c, name) for name in CRITERION_FIELDS},
                metric_codes=list(c.metric_codes),
            )
            for c in source.criteria.all()
        ]
    )
    return copy


@transaction.atomic
def program_adopt(*, actor: Actor, program: Program, owner: OrgUnit, code: str) -> Program:
    """Copy a programme (and its current criteria as a draft) for ``owner`` to complete."""
    _require(prog_perms.can_manage_owner(actor, owner))
    copy = Program(
        owner=owner,
        based_on=program,
        **{name: getattr(program, name) for name in PROGRAM_FIELDS if name != "code"},
        code=code,
    )
    copy.name = f"{program.name} — {owner.name}"[:300]
    copy.full_clean()
    copy.save()
    source = program.current_set or program.sets.order_by("-version").first()
    if source is not None:
        _copy_set(source, copy, 1)
    else:
        CriteriaSet.objects.create(program=copy, version=1)
    audit_event_record(
        actor=actor,
        action="program.adopt",
        obj=copy,
        orgunit=owner,
        after={"from": program.code, "code": code},
    )
    return copy
