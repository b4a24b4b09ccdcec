"""Template helpers of the community pages."""

from __future__ import annotations

from typing import Any

from django import template

from binhyen.core.formats import format_number

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """Show a number from the engine: "—" when there is no value, "1.234" / "8,5" otherwise."""
    if value is None or value == "":
        return "—"
    return format_number(float(value))
