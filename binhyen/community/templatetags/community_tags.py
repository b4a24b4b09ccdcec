"""Template helpers of the community pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def num(value: Any) -> str:
    """Show a number from the engine: "—" when there is no value, no decimals for counts."""
    if value is None or value == "":
        return "—"
    number = float(value)
    if number == int(number):
        return str(intcomma(int(number)))
    return str(intcomma(round(number, 2)))
