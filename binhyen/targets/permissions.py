"""Who may do what with plans, targets and campaigns; built on ``binhyen.accounts.permissions``.

- Reading a plan, target, allocation or campaign: its unit must be in
  ``OrgUnit.objects.visible_to(user)`` (selectors); anything else is answered as missing.
  A child unit therefore sees the targets allocated to it and its own; viewers read.
- Recording plans, setting targets, allocating them and running campaigns:
  ``MANAGE_TARGETS`` on the unit. A role holds on the unit's subtree, so a province sets
  its own targets and allocates to its communes; a commune chief sets the commune's own
  targets (above the allocation) and allocates to its villages, never upwards.
- Reporting a campaign's figures is the indicators workflow: ``ENTER_DATA`` on the unit.
"""

from __future__ import annotations

from typing import Any

from binhyen.accounts import permissions as perms


def can_manage(user: Any, unit: Any) -> bool:
    """Return True if ``user`` may set targets and plans of ``unit`` and allocate below it."""
    return perms.has_perm_on(user, perms.MANAGE_TARGETS, unit)


def can_manage_anywhere(user: Any) -> bool:
    return perms.has_perm_anywhere(user, perms.MANAGE_TARGETS)


def scope_paths(user: Any) -> list[str]:
    return perms.scope_paths(user, perms.MANAGE_TARGETS)
