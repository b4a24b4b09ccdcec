"""Targets and allocations from Excel: all or nothing, an error per row.

Part of ``binhyen.targets.services`` (its docstring states the invariants).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.orgunits.models import OrgUnit
from binhyen.targets.models import (
    Allocation,
    AllocationMethod,
    Comparison,
    Target,
)
from binhyen.targets.services.allocations import allocation_children, allocation_create
from binhyen.targets.services.common import _require
from binhyen.targets.services.targets import TargetInput, parse_value, target_create

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
