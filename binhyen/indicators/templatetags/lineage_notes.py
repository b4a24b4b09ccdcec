"""``{% predecessor_note unit_code %}``: how a unit's figures include its predecessors'.

The lineage of every unit asked on a page is read once per request (a table reads all its
units' at once with ``{% predecessor_notes_for table %}``; otherwise each unit on its own).
"""

from __future__ import annotations

from typing import Any

from django import template

from binhyen.indicators.lineage_notes import note_text, predecessor_notes

register = template.Library()


def _cache(context: Any) -> dict[str, str]:
    request = context.get("request")
    if request is None:
        return {}
    cache: dict[str, str] | None = getattr(request, "_predecessor_notes", None)
    if cache is None:
        cache = {}
        request._predecessor_notes = cache
    return cache


@register.simple_tag(takes_context=True)
def predecessor_note(context: Any, code: str) -> str:
    """Return the note of unit ``code`` (cached per request)."""
    cache = _cache(context)
    if code not in cache:
        for unit_code, notes in predecessor_notes([code]).items():
            cache[unit_code] = note_text(notes)
    return cache.get(code, "")


@register.simple_tag(takes_context=True)
def predecessor_notes_for(context: Any, items: Any) -> str:
    """Read the notes of many units at once (unit codes, or table items with ``unit``)."""
    cache = _cache(context)
    codes = [i if isinstance(i, str) else _code_of(i) for i in items]
    missing = [c for c in codes if c and c not in cache]
    if missing:
        for unit_code, notes in predecessor_notes(missing).items():
            cache[unit_code] = note_text(notes)
    return ""


def _code_of(item: Any) -> str:
    unit = item.get("unit") if isinstance(item, dict) else getattr(item, "unit", None)
    return str(getattr(unit, "code", "") or "")


@register.simple_tag(takes_context=True)
def history_import_allowed(context: Any, unit: Any) -> bool:
    """Return True if the page's user may import the history of ``unit`` (a province)."""
    from binhyen.indicators.history_import import may_import

    request = context.get("request")
    if request is None or getattr(unit, "kind", "") != "province":
        return False
    return may_import(user=request.user, province=unit)
