"""Shared checks of the targets services: errors keyed by field, the manage permission, text.

Part of ``binhyen.targets.services`` (its docstring states the invariants).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.text import clean_text
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.targets import permissions

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
