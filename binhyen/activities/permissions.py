"""Who may do what with the activity log; built only on ``binhyen.accounts.permissions``.

- Reading: the activity's unit must be in ``OrgUnit.objects.visible_to(user)`` (selectors);
  anything else is answered as missing (404).
- Recording, editing, deleting, importing and adding photos: ``RECORD_ACTIVITIES`` on the
  activity's unit (commune roles hold it on their commune and its villages), or on a
  current unit that a closed unit's lineage reaches: history of one's scope is recorded on
  the pre-reform unit itself (``binhyen.orgunits.history.can_record``; dates must fall in
  the closed unit's lifetime).
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms
from binhyen.orgunits import history


def can_record(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may record activities of ``unit``."""
    return history.can_record(user, perms.RECORD_ACTIVITIES, unit)


def can_record_anywhere(user: Any) -> bool:
    """Return True if ``user`` may record activities of at least one unit (current, or a
    pre-reform unit of their history: province officers record only those)."""
    if perms.has_perm_anywhere(user, perms.RECORD_ACTIVITIES):
        return True
    return (
        perms.has_history_perm_anywhere(user, perms.RECORD_ACTIVITIES)
        and history.recordable_predecessors(user, perms.RECORD_ACTIVITIES).exists()
    )


def can_change(user: Any, activity: Any) -> bool:
    """Return True if ``user`` may edit or delete ``activity``."""
    return can_record(user, activity.orgunit)
