"""Who may do what with hotspot areas; built only on ``binhyen.accounts.permissions``.

- Reading a designation: its commune must be in ``OrgUnit.objects.visible_to(user)``
  (selectors); anything else is answered as missing (404).
- Designating, editing, assigning responsibilities, planning tasks, proposing and deciding
  removal, recording relapses: ``MANAGE_HOTSPOTS`` on the commune (province officers and
  the ministry hold it).
- On a closed pre-reform commune, holding the permission on a current unit its lineage
  reaches is enough (history of one's scope, ``binhyen.orgunits.history.can_record``; the
  decision date must fall in the commune's lifetime).
- Reporting a task's progress and evidence: ``MANAGE_HOTSPOTS`` or ``RECORD_ACTIVITIES`` on
  the commune, because the commune police carry out the plan.
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms
from binhyen.orgunits import history


def can_manage(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may manage designations of ``unit``."""
    return history.can_record(user, perms.MANAGE_HOTSPOTS, unit)


def can_manage_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_HOTSPOTS)


def can_report_progress(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may report progress on plan tasks of ``unit``."""
    return can_manage(user, unit) or history.can_record(user, perms.RECORD_ACTIVITIES, unit)
