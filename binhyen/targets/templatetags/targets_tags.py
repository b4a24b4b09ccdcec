"""Template helpers of the targets pages: numbers in the page's locale, target levels."""

from __future__ import annotations

from typing import Any

from django import template

from binhyen.targets.models import Comparison, TargetKind
from binhyen.targets.progress import number

register = template.Library()


@register.filter
def num(value: float | None) -> str:
    return number(value)


@register.filter
def goal(target: Any) -> str:
    """Return "≥ 12", "≤ 15 %" for a target."""
    sign = "≥" if target.comparison == Comparison.AT_LEAST else "≤"
    suffix = " %" if target.kind in (TargetKind.RATE, TargetKind.CHANGE) else ""
    return f"{sign} {number(target.value)}{suffix}"


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None
