"""Who may do what with the activity log; built only on ``binhyen.accounts.permissions``.

- Reading: the activity's unit must be in ``OrgUnit.objects.visible_to(user)`` (selectors);
  anything else is answered as missing (404).
- Recording, editing, deleting, importing and adding photos: ``RECORD_ACTIVITIES`` on the
  activity's unit (commune roles hold it on their commune and its villages).
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms


def can_record(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may record activities of ``unit``."""
    return perms.has_perm_on(user, perms.RECORD_ACTIVITIES, unit)


def can_record_anywhere(user: Any) -> bool:
    """Return True if ``user`` may record activities of at least one unit."""
    return perms.has_perm_anywhere(user, perms.RECORD_ACTIVITIES)


def can_change(user: Any, activity: Any) -> bool:
    """Return True if ``user`` may edit or delete ``activity``."""
    return can_record(user, activity.orgunit)
