"""Who may do what with hotspot areas; built only on ``binhyen.accounts.permissions``.

- Reading a designation: its commune must be in ``OrgUnit.objects.visible_to(user)``
  (selectors); anything else is answered as missing (404).
- Designating, editing, assigning responsibilities, planning tasks, proposing and deciding
  removal, recording relapses: ``MANAGE_HOTSPOTS`` on the commune (province officers and
  the ministry hold it).
- Reporting a task's progress and evidence: ``MANAGE_HOTSPOTS`` or ``RECORD_ACTIVITIES`` on
  the commune, because the commune police carry out the plan.
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms


def can_manage(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may manage designations of ``unit``."""
    return perms.has_perm_on(user, perms.MANAGE_HOTSPOTS, unit)


def can_manage_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_HOTSPOTS)


def can_report_progress(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may report progress on plan tasks of ``unit``."""
    return can_manage(user, unit) or perms.has_perm_on(user, perms.RECORD_ACTIVITIES, unit)
