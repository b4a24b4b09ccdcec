"""A remaining time in words, in the active language ("23 giờ 59 phút", "23 hours, 59 minutes").

Django's ``timeuntil`` has no Vietnamese translation, so a Vietnamese page said "23 hours".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext, ngettext


def duration_text(delta: timedelta) -> str:
    """Days, hours and minutes of ``delta`` (two largest non-zero parts; never negative)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s ngày", "%(n)s ngày", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s giờ", "%(n)s giờ", hours) % {"n": hours})
    if mins and not days:
        parts.append(ngettext("%(n)s phút", "%(n)s phút", mins) % {"n": mins})
    if not parts:
        parts.append(ngettext("%(n)s phút", "%(n)s phút", 0) % {"n": 0})
    # Translators: joins "23 giờ" and "59 phút"; English uses a comma.
    return (
        gettext("%(first)s %(second)s") % {"first": parts[0], "second": parts[1]}
        if len(parts) > 1
        else parts[0]
    )


def time_until(moment: datetime, now: datetime | None = None) -> str:
    return duration_text(moment - (now or timezone.now()))
