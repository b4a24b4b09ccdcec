"""Template filters of the tips pages: timeline events and remaining times in the page language."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.safestring import SafeString

from binhyen.tips.durations import time_until
from binhyen.tips.events import event_html
from binhyen.tips.models import TipMessage

register = template.Library()


@register.filter
def tip_event(message: TipMessage) -> SafeString:
    return event_html(message)


@register.filter
def until(moment: datetime | None) -> str:
    return time_until(moment) if moment is not None else ""
